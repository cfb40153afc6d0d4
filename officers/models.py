"""Named police contacts for schools: officers, how much load a school puts on one, assignments and school requests."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from schools.models import School


class Officer(models.Model):
    """A police officer who can be a school's named contact (a dedicated Safer Schools Officer or a ward-based
    child and young person specialist)."""

    class Rank(models.TextChoices):
        PC = "pc", "Police Constable"
        SGT = "sgt", "Sergeant"
        INSP = "insp", "Inspector"
        PCSO = "pcso", "Police Community Support Officer"

    class RoleType(models.TextChoices):
        SAFER_SCHOOLS = "safer_schools", "Safer Schools Officer"
        WARD_SPECIALIST = "ward_specialist", "Child and young person specialist (ward team)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="officer"
    )
    name = models.CharField(max_length=120)
    shoulder_number = models.CharField(max_length=20, unique=True)
    rank = models.CharField(max_length=10, choices=Rank.choices, default=Rank.PC)
    role_type = models.CharField(max_length=20, choices=RoleType.choices, default=RoleType.SAFER_SCHOOLS)
    bcu = models.ForeignKey("schools.BasicCommandUnit", on_delete=models.PROTECT, related_name="officers")
    base_name = models.CharField("base (police station)", max_length=120)
    base_postcode = models.CharField(max_length=10)
    base_latitude = models.FloatField()
    base_longitude = models.FloatField()
    capacity = models.PositiveSmallIntegerField(
        help_text="Weighted load the officer can carry (school weights add up)."
    )
    active = models.BooleanField(default=True)
    work_email = models.EmailField(blank=True)
    work_phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    end_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["name", "shoulder_number"]
        constraints = [
            models.CheckConstraint(condition=Q(capacity__gt=0), name="officer_capacity_positive"),
            models.CheckConstraint(
                condition=Q(
                    base_latitude__gte=-90, base_latitude__lte=90, base_longitude__gte=-180, base_longitude__lte=180
                ),
                name="officer_base_on_earth",
            ),
        ]

    def __str__(self):
        return f"{self.get_rank_display()} {self.name} ({self.shoulder_number})"


class SchoolWeightRule(models.Model):
    """How much load a school puts on its officer. The most specific matching rule wins: pupil referral units and
    special schools first, then a rule for the school's phase, then the phase-less default; within those the highest
    `min_pupils` the school reaches."""

    phase = models.CharField(max_length=20, blank=True, help_text="Blank: any phase.")
    pru_or_special = models.BooleanField(default=False)
    min_pupils = models.PositiveIntegerField(default=0)
    weight = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["-pru_or_special", "phase", "min_pupils"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "pru_or_special", "min_pupils"], name="one_weight_rule_per_band"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="weight_rule_positive"),
        ]

    def __str__(self):
        """ "primary schools with 1,000 or more pupils: weight 3", "schools of any phase, any size: weight 1"."""
        if self.pru_or_special:
            kind = "pupil referral units and special schools"
        elif self.phase:
            kind = f"{School.Phase(self.phase).label.lower()} schools"
        else:
            kind = "schools of any phase"
        size = f"with {self.min_pupils:,} or more pupils" if self.min_pupils else "of any size"
        if not self.phase and not self.pru_or_special and not self.min_pupils:
            size = "and size"
        return f"{kind} {size}: weight {self.weight}"


class SchoolWeightOverride(models.Model):
    """One school's weight set by an allocator, with the reason."""

    school = models.OneToOneField("schools.School", on_delete=models.CASCADE, related_name="officer_weight")
    weight = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=300)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(weight__gt=0), name="weight_override_positive")]

    def __str__(self):
        return f"Weight {self.weight} for school {self.school_id}"


class Assignment(models.Model):
    """An officer is the named police contact for a school from `start_date` until `end_date` (open: current)."""

    officer = models.ForeignKey(Officer, on_delete=models.PROTECT, related_name="assignments")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="officer_assignments")
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    weight = models.PositiveSmallIntegerField(help_text="The school's weight when assigned.")
    reason = models.CharField(max_length=300, blank=True)
    override_reason = models.CharField(
        max_length=300, blank=True, help_text="Why over capacity, or why not the top suggestion."
    )
    end_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"], condition=Q(end_date__isnull=True), name="one_current_officer_per_school"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__lte=F("end_date")),
                name="assignment_starts_before_it_ends",
            ),
        ]
        indexes = [models.Index(fields=["officer", "end_date"])]

    def __str__(self):
        return f"{self.officer.name} for school {self.school_id}"


class OfficerRequestStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class OfficerRequest(models.Model):
    """A headteacher asks for a named officer, or for a different one, with a reason; it lands in the queue."""

    class Kind(models.TextChoices):
        NEW = "new", "Ask for a named officer"
        CHANGE = "change", "Ask for a different officer"

    Status = OfficerRequestStatus

    school = models.ForeignKey("schools.School", on_delete=models.CASCADE, related_name="officer_requests")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    reason = models.TextField(max_length=1000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["school"],
                condition=Q(status=OfficerRequestStatus.OPEN),
                name="one_open_officer_request_per_school",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} for school {self.school_id}"


class OptimiserRun(models.Model):
    """An optimiser run for several BCUs (all of an allocator's, one BCU at a time) done by the background worker.
    The proposal is stored as JSON for review; applying it goes through the same hard rules as any assignment."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready to review"
        FAILED = "failed", "Failed"

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    params = models.JSONField(default=dict, help_text="bcu_ids, allow_moves, time_limit")
    result = models.JSONField(default=dict, blank=True, help_text="Per BCU: totals, proposed rows, uncovered schools")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return f"Optimiser run {self.pk} ({self.get_status_display()})"

    @property
    def is_waiting(self) -> bool:
        """Queued or running: the worker has not finished it."""
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
