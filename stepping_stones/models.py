"""Stepping Stones: cohorts, participating secondaries and their places, referrals of Year 6 pupils, consent and
progress. Data and invariants only; every write lives in services.py.

Pupil data (first and last name, date of birth, UPN, strengths, the primary contact who knows the pupil, the parent who
gave consent) is personal data about 10-11 year olds: never in a URL, a log line, an email or an audit entry. Anything
shown outside the record uses the referral's `reference` ("SS26-4K7Q2"), which is random and carries no personal data.
"""

import secrets
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.workflow import Action

from . import checks  # noqa: F401 - registers the app's system checks (apps.py is not this module's to change)

# Unambiguous characters for references and pseudonyms: no 0/O, 1/I/L, 5/S, 2/Z, 8/B.
_MAY = "stepping_stones.permissions"  # where ACTIONS' permissions live
REFERENCE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
REFERENCE_LENGTH = 5


def reference_new(transition_year: int) -> str:
    """A random reference such as "SS26-4K7Q2": the cohort's year and five random characters, nothing personal."""
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))
    return f"SS{transition_year % 100:02d}-{body}"


def reference_example(transition_year: int | None = None) -> str:
    """A reference as the current transition's look ("SS27-4K7Q2" from September 2026): for hints, never stored."""
    year = current_transition_year() if transition_year is None else transition_year
    return f"SS{year % 100:02d}-4K7Q2"


def pseudonym_new() -> str:
    """A stable random pseudonym for the evaluation export ("P-7KQ3M9AC")."""
    return "P-" + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def current_transition_year(today: date | None = None) -> int:
    """The transition under way: from September to December, next calendar year's (the pupils in Year 6 now start
    Year 7 next September); from January to August, this year's."""
    today = today or timezone.localdate()
    return today.year + 1 if today.month >= 9 else today.year


class CohortStatus(models.TextChoices):
    OPEN = "open", "Open for referrals"
    RUNNING = "running", "Running (referrals closed)"
    ENDED = "ended", "Ended"


class Cohort(models.Model):
    """A transition: "the 2026 transition" is the pupils in Year 6 in 2025/26 who start Year 7 in September 2026."""

    Status = CohortStatus

    transition_year = models.PositiveSmallIntegerField(
        unique=True, help_text="The September the pupils start Year 7, e.g. 2026."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, db_index=True)
    ends_on = models.DateField(
        help_text="When the programme ends for this cohort; retention counts from this date.",
    )
    retention_applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When the retention run pseudonymised this cohort's records."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-transition_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(transition_year__gte=2000, transition_year__lte=2100), name="ss_cohort_year_sensible"
            ),
            models.CheckConstraint(condition=Q(status__in=CohortStatus.values), name="ss_cohort_status_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return f"{self.transition_year} transition"

    @property
    def year6_label(self) -> str:
        """ "2025/26": the school year the pupils are in Year 6."""
        return f"{self.transition_year - 1}/{self.transition_year % 100:02d}"

    @property
    def year6_birth_range(self) -> tuple[date, date]:
        """Pupils in Year 6 in that year: aged 10 on 31 August before it (year group = that age − 4)."""
        start_year = self.transition_year - 12
        return date(start_year, 9, 1), date(start_year + 1, 8, 31)

    @staticmethod
    def default_ends_on(transition_year: int) -> date:
        """By default a cohort ends at the end of its Year 7 (31 July of the following year)."""
        return date(transition_year + 1, 7, 31)

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ParticipatingSchool(models.Model):
    """A secondary school that runs Stepping Stones for a cohort, its places and its feeder primaries.

    `places_taken` is the counter that stops over-filling: services change it only with a conditional UPDATE, and the
    database refuses a value above `places`.
    """

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="participating_schools")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    places = models.PositiveSmallIntegerField()
    places_taken = models.PositiveSmallIntegerField(default=0)
    feeder_primaries = models.ManyToManyField("schools.School", blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["cohort", "school__name"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "school"], name="ss_participating_once_per_cohort"),
            models.CheckConstraint(condition=Q(places_taken__lte=F("places")), name="ss_places_never_overfilled"),
            models.CheckConstraint(condition=Q(places__lte=500), name="ss_places_at_most_500"),
        ]

    def __str__(self):
        return f"School {self.school_id} in the {self.cohort_id} cohort"

    @property
    def places_left(self) -> int:
        return max(self.places - self.places_taken, 0)


class Need(models.Model):
    """A need a referral may name, from the list VRU coordinators maintain."""

    name = models.CharField(max_length=120, unique=True)
    description = models.CharField(max_length=255, blank=True)
    is_active = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Waiting for the secondary school"
    PENDING_DESTINATION = "pending_destination", "Waiting for a secondary school to be known"
    WAITLISTED = "waitlisted", "On the waiting list"
    OFFERED = "offered", "Place offered, waiting for the secondary to confirm"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    ENROLLED = "enrolled", "Enrolled"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    MOVED_SCHOOL = "moved_school", "Moved school"


class ReferralPriority(models.IntegerChoices):
    HIGH = 1, "High"
    MEDIUM = 2, "Medium"
    STANDARD = 3, "Standard"


class Referral(models.Model):
    """One pupil referred by a primary into a cohort. Only `core.workflow.transition` (through the services) changes
    `status`.

    `str()` is the reference: safe to show anywhere; the pupil's name never is.
    """

    Status = ReferralStatus
    Priority = ReferralPriority

    LIVE = (
        Status.DRAFT,
        Status.SUBMITTED,
        Status.PENDING_DESTINATION,
        Status.WAITLISTED,
        Status.OFFERED,
        Status.ACCEPTED,
        Status.ENROLLED,
        Status.ACTIVE,
    )
    _LEAVE = {Status.WITHDRAWN, Status.MOVED_SCHOOL}
    NEXT = {
        Status.DRAFT: {Status.SUBMITTED, Status.PENDING_DESTINATION} | _LEAVE,
        Status.SUBMITTED: {Status.ACCEPTED, Status.WAITLISTED, Status.DECLINED, Status.PENDING_DESTINATION} | _LEAVE,
        Status.PENDING_DESTINATION: {Status.SUBMITTED} | _LEAVE,
        Status.WAITLISTED: {Status.OFFERED, Status.ACCEPTED, Status.DECLINED} | _LEAVE,
        Status.OFFERED: {Status.ACCEPTED, Status.DECLINED} | _LEAVE,
        Status.ACCEPTED: {Status.ENROLLED} | _LEAVE,
        Status.ENROLLED: {Status.ACTIVE} | _LEAVE,
        Status.ACTIVE: {Status.COMPLETED} | _LEAVE,
        Status.COMPLETED: set(),
        Status.DECLINED: set(),
        Status.WITHDRAWN: set(),
        Status.MOVED_SCHOOL: set(),
    }
    # The GOV.UK tag colour of each status (`{% status_tag referral %}`).
    TAG_COLOURS = {
        Status.DRAFT: "grey",
        Status.SUBMITTED: "blue",
        Status.PENDING_DESTINATION: "yellow",
        Status.WAITLISTED: "orange",
        Status.OFFERED: "purple",
        Status.ACCEPTED: "green",
        Status.DECLINED: "red",
        Status.ENROLLED: "turquoise",
        Status.ACTIVE: "turquoise",
        Status.COMPLETED: "green",
        Status.WITHDRAWN: "grey",
        Status.MOVED_SCHOOL: "grey",
    }
    # These hold one of the receiving school's places (counted in ParticipatingSchool.places_taken).
    HOLDS_PLACE = (Status.OFFERED, Status.ACCEPTED, Status.ENROLLED, Status.ACTIVE, Status.COMPLETED)
    # The referring primary may change the record only before the secondary has accepted it.
    PRIMARY_EDITABLE = (Status.DRAFT, Status.SUBMITTED, Status.PENDING_DESTINATION, Status.WAITLISTED)
    # What may be done to a referral, in which status, by whom (core.workflow): the record's "What you can do" links,
    # in this order, and the gate of each action's page. The services keep their own checks.
    ACTIONS = {
        "check": Action("Continue the referral", statuses=(Status.DRAFT,), allowed=f"{_MAY}.can_submit_referral"),
        "decide": Action(
            "Accept, waitlist or decline the referral",
            statuses=(Status.SUBMITTED, Status.WAITLISTED),
            allowed=f"{_MAY}.can_decide_referral",
        ),
        "confirm_place": Action(
            "Confirm the place offered", statuses=(Status.OFFERED,), allowed=f"{_MAY}.can_decide_referral"
        ),
        "progress": Action(
            "Record attendance and progress",
            statuses=(Status.ACCEPTED, Status.ENROLLED, Status.ACTIVE, Status.COMPLETED),
            allowed=f"{_MAY}.can_update_progress",
        ),
        # Moving on (enrolled, active, completed; leaving has its own page): where NEXT goes on from.
        "status": Action(
            "Change the pupil's status",
            statuses=(Status.ACCEPTED, Status.ENROLLED, Status.ACTIVE),
            allowed=f"{_MAY}.can_update_progress",
        ),
        "route": Action(
            "Route the referral to a secondary school",
            statuses=(Status.PENDING_DESTINATION,),
            allowed=f"{_MAY}.can_route_referral",
        ),
        "withdraw": Action(
            "Withdraw the pupil or record a move",
            statuses=tuple(status for status in LIVE if status != ReferralStatus.DRAFT),
            allowed=f"{_MAY}.can_withdraw_referral",
        ),
        "access_log": Action("See who has seen or changed this record", allowed=f"{_MAY}.can_view_access_log"),
        "subject_access": Action(
            "Download everything held about this pupil (subject access)", allowed=f"{_MAY}.can_offer_subject_access"
        ),
        "erase": Action("Erase this pupil's record", allowed=f"{_MAY}.can_erase_pupil_details"),
        # Not links of their own: the record's "Change" links (check your answers and the record's summary).
        "edit": Action("Change the referral", statuses=LIVE, allowed=f"{_MAY}.can_edit_referral"),
        "destination": Action(
            "Change the receiving secondary",
            statuses=(Status.DRAFT, Status.PENDING_DESTINATION),
            allowed=f"{_MAY}.can_edit_referral",
        ),
    }
    # Waiting for the receiving secondary to answer.
    AWAITING_SECONDARY = (Status.SUBMITTED, Status.OFFERED)

    reference = models.CharField(max_length=10, unique=True, editable=False)
    pseudonym = models.CharField(max_length=10, unique=True, editable=False, default=pseudonym_new)
    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="referrals")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.STANDARD)

    # The pupil (personal data: blank once minimised or erased).
    first_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    upn_is_temporary = models.BooleanField(default=False)
    outside_age_group_reason = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    needs = models.ManyToManyField(Need, blank=True, related_name="referrals")
    known_by_name = models.CharField("who at the primary knows the pupil", max_length=120, blank=True)
    known_by_role = models.CharField(max_length=120, blank=True)

    # Schools.
    referring_school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    receiving_school = models.ForeignKey(
        "schools.School",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: not yet known (waits in the VRU's pending destination queue once submitted).",
    )

    # Decisions.
    decline_reason = models.TextField(blank=True)
    leave_reason = models.TextField(blank=True, help_text="Why the pupil was withdrawn or moved school.")
    waitlisted_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(null=True, blank=True)
    offer_expires_on = models.DateField(
        null=True,
        blank=True,
        help_text="An offered place not confirmed by the end of this day passes to the next pupil on the waiting list.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Data protection.
    minimised_at = models.DateTimeField(null=True, blank=True)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One referral per UPN per referring school: a school sees its own referrals, so it may be told it has
            # already referred the pupil. Another school's referral of the same UPN is never revealed to the
            # referrer: both are accepted and flagged to the coordinators (PossibleDuplicate).
            models.UniqueConstraint(
                fields=["cohort", "referring_school", "upn"],
                condition=~Q(upn="") & Q(erased_at__isnull=True),
                name="ss_referral_one_per_upn_per_referrer_in_cohort",
            ),
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="ss_referral_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=ReferralStatus.DECLINED) | ~Q(decline_reason=""),
                name="ss_referral_decline_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(priority__in=ReferralPriority.values), name="ss_referral_priority_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["cohort", "receiving_school", "status"], name="ss_referral_receiving_idx"),
            models.Index(fields=["cohort", "referring_school", "status"], name="ss_referral_referring_idx"),
            models.Index(fields=["status", "priority", "waitlisted_at"], name="ss_referral_waitlist_idx"),
            models.Index(fields=["status", "offer_expires_on"], name="ss_referral_offer_expiry_idx"),
        ]

    def __str__(self):
        return self.reference or "SS-(new)"

    def save(self, *args, **kwargs):
        if not self.reference:
            year = self.cohort.transition_year if self.cohort_id else 0
            reference = reference_new(year)
            while type(self).objects.filter(reference=reference).exists():
                reference = reference_new(year)
            self.reference = reference
        super().save(*args, **kwargs)

    @property
    def pupil_name(self) -> str:
        """Only for the pupil's own record pages; never in a log, URL or email."""
        if self.erased_at:
            return "(erased)"
        if self.minimised_at:
            return "(removed)"
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def is_locked_for_primary(self) -> bool:
        return self.status not in self.PRIMARY_EDITABLE

    @property
    def is_declined(self) -> bool:
        return self.status == self.Status.DECLINED

    @property
    def holds_place(self) -> bool:
        return self.status in self.HOLDS_PLACE

    @property
    def has_personal_data(self) -> bool:
        return not (self.minimised_at or self.erased_at)


class Consent(models.Model):
    """A parent's or carer's consent to the referral: who gave it, how, when and to which version of the text."""

    class Method(models.TextChoices):
        PAPER = "paper", "On a paper form"
        VERBAL = "verbal", "Verbally"
        EMAIL = "email", "By email"

    class Relationship(models.TextChoices):
        MOTHER = "mother", "Mother"
        FATHER = "father", "Father"
        CARER = "carer", "Carer"
        GUARDIAN = "guardian", "Guardian"
        OTHER = "other", "Other person with parental responsibility"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="consents")
    given_by_name = models.CharField(max_length=120, blank=True)
    relationship = models.CharField(max_length=10, choices=Relationship.choices)
    method = models.CharField(max_length=10, choices=Method.choices)
    given_on = models.DateField()
    text_version = models.CharField(max_length=20)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["referral"], condition=Q(withdrawn_at__isnull=True), name="ss_consent_one_current"
            ),
        ]

    def __str__(self):
        return f"Consent for {self.referral_id}"

    @property
    def is_current(self) -> bool:
        return self.withdrawn_at is None


class Progress(models.Model):
    """A pupil's attendance and progress in the programme (counts and yes/no only: no free-text notes)."""

    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="progress")
    engagement_day_attended = models.BooleanField(null=True, blank=True)
    summer_school_attended = models.BooleanField(null=True, blank=True)
    sessions_attended = models.PositiveSmallIntegerField(default=0)
    peer_mentor_assigned = models.BooleanField(default=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "progress"
        constraints = [models.CheckConstraint(condition=Q(sessions_attended__lte=200), name="ss_sessions_sensible")]

    def __str__(self):
        return f"Progress of {self.referral_id}"


class DuplicateDecision(models.TextChoices):
    OPEN = "open", "Waiting for a decision"
    MERGED = "merged", "Merged"
    DECLINED = "declined", "One declined"
    KEPT_BOTH = "kept_both", "Both kept"


class PossibleDuplicate(models.Model):
    """Two referrals in one cohort with the same UPN from different referring schools, for the coordinators to decide.

    Neither referring school is told about the other's referral when it is made (that would reveal whether a child has
    been referred elsewhere); the coordinators merge them (one record kept), decline one with a reason, or keep both
    (twins, a UPN typo). `first` is the older referral.
    """

    Decision = DuplicateDecision

    cohort = models.ForeignKey(Cohort, on_delete=models.PROTECT, related_name="+")
    first = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.OPEN, db_index=True)
    kept = models.ForeignKey(
        Referral,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Merged: the record kept. Declined: the one not declined.",
    )
    reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="ss_duplicate_pair_once"),
            models.CheckConstraint(condition=~Q(first=F("second")), name="ss_duplicate_two_referrals"),
            models.CheckConstraint(
                condition=Q(decision__in=DuplicateDecision.values),
                name="ss_duplicate_decision_valid",
            ),
            models.CheckConstraint(
                condition=~Q(decision=DuplicateDecision.DECLINED) | ~Q(reason=""),
                name="ss_duplicate_decline_has_reason",
            ),
        ]

    def __str__(self):
        return f"Possible duplicate {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.decision == self.Decision.OPEN

    @property
    def label(self) -> str:
        """The two references ("SS26-4K7Q2 and SS26-9MX3C"): safe in an audit entry, never a pupil's details."""
        return f"{self.first.reference} and {self.second.reference}"
