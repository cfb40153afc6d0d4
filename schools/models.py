from django.conf import settings
from django.db import models

from core.workflow import Action


class BasicCommandUnit(models.Model):
    """One of the Met's 12 Basic Command Units; each polices two to four London boroughs."""

    slug = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "Basic Command Unit"

    def __str__(self):
        return self.name


class LocalAuthority(models.Model):
    """A local authority by its DfE code (201-213 inner London, 301-320 outer London, others outside London)."""

    class Area(models.TextChoices):
        INNER = "inner", "Inner London"
        OUTER = "outer", "Outer London"
        OUTSIDE = "outside", "Outside London"

    code = models.PositiveSmallIntegerField(primary_key=True, help_text="DfE LA code, e.g. 202")
    name = models.CharField(max_length=80)
    gss_code = models.CharField(max_length=9, blank=True)
    area = models.CharField(max_length=8, choices=Area.choices, default=Area.OUTSIDE)
    bcu = models.ForeignKey(
        BasicCommandUnit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="local_authorities",
        help_text="Empty for the City of London (its own police force) and outside London.",
    )
    # Borough geography, for maps and demo data (London only).
    centroid_latitude = models.FloatField(null=True, blank=True)
    centroid_longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "local authorities"

    def __str__(self):
        return self.name

    @property
    def is_london(self) -> bool:
        return self.area != self.Area.OUTSIDE


class School(models.Model):
    """An establishment from the DfE register (GIAS), keyed by its URN."""

    class Phase(models.TextChoices):
        NOT_APPLICABLE = "not_applicable", "Not applicable"
        NURSERY = "nursery", "Nursery"
        PRIMARY = "primary", "Primary"
        MIDDLE_PRIMARY = "middle_primary", "Middle deemed primary"
        SECONDARY = "secondary", "Secondary"
        MIDDLE_SECONDARY = "middle_secondary", "Middle deemed secondary"
        SIXTEEN_PLUS = "sixteen_plus", "16 plus"
        ALL_THROUGH = "all_through", "All-through"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        OPEN_PROPOSED_TO_CLOSE = "open_proposed_to_close", "Open, but proposed to close"
        PROPOSED_TO_OPEN = "proposed_to_open", "Proposed to open"
        CLOSED = "closed", "Closed"

    OPEN_STATUSES = (Status.OPEN, Status.OPEN_PROPOSED_TO_CLOSE)
    # The GOV.UK tag colour of each status (`{% status_tag school %}`).
    TAG_COLOURS = {
        Status.OPEN: "green",
        Status.OPEN_PROPOSED_TO_CLOSE: "yellow",
        Status.PROPOSED_TO_OPEN: "blue",
        Status.CLOSED: "grey",
    }
    FEEDER_PHASES = (Phase.PRIMARY, Phase.MIDDLE_PRIMARY, Phase.ALL_THROUGH)
    RECEIVING_PHASES = (Phase.SECONDARY, Phase.MIDDLE_SECONDARY, Phase.ALL_THROUGH)
    # Year 6 pupils are 10 at the start of the school year and 11 by its end. A school teaches Year 6 when its
    # statutory age range covers both: a primary (4 to 11), a junior (7 to 11), a middle (9 to 13) or an all-through
    # school (4 to 18) does; an infant school (3 to 7), also in the "Primary" phase, or a secondary (11 to 18) does not.
    # Schools whose range leaves Year 6 out: `.exclude(School.LEAVES_OUT_YEAR_6)` keeps a school with no range in the
    # register (nothing to go on), as `leaves_out_year_6` does.
    YEAR_6_AGES = (10, 11)
    LEAVES_OUT_YEAR_6 = models.Q(statutory_low_age__gt=YEAR_6_AGES[0]) | models.Q(statutory_high_age__lt=YEAR_6_AGES[1])

    urn = models.PositiveIntegerField("URN", primary_key=True)
    name = models.CharField(max_length=255, db_index=True)
    local_authority = models.ForeignKey(LocalAuthority, on_delete=models.PROTECT, related_name="schools")
    establishment_number = models.CharField(max_length=4, blank=True)
    type_name = models.CharField("type of establishment", max_length=120)
    type_group_name = models.CharField("establishment type group", max_length=80, blank=True)
    phase = models.CharField(max_length=20, choices=Phase.choices, db_index=True)
    status = models.CharField(max_length=30, choices=Status.choices, db_index=True)
    statutory_low_age = models.PositiveSmallIntegerField(null=True, blank=True)
    statutory_high_age = models.PositiveSmallIntegerField(null=True, blank=True)
    number_of_pupils = models.PositiveIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=20, blank=True)
    religious_character = models.CharField(max_length=80, blank=True)
    street = models.CharField(max_length=120, blank=True)
    locality = models.CharField(max_length=120, blank=True)
    address3 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True, db_index=True)
    website = models.CharField(max_length=255, blank=True)
    telephone = models.CharField(max_length=20, blank=True)
    easting = models.PositiveIntegerField(null=True, blank=True)
    northing = models.PositiveIntegerField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    open_date = models.DateField(null=True, blank=True)
    close_date = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "urn"]
        indexes = [
            models.Index(fields=["local_authority", "phase", "status"], name="school_la_phase_status_idx"),
            # The register's order: without it every page sorts all open schools (docs/performance.md).
            models.Index(fields=["name", "urn"], name="school_name_urn_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(urn__gte=100000, urn__lte=999999), name="school_urn_six_digits")
        ]

    def __str__(self):
        return f"{self.name} ({self.urn})"

    @property
    def bcu(self) -> BasicCommandUnit | None:
        return self.local_authority.bcu

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def leaves_out_year_6(self) -> bool:
        """True when the register's statutory age range leaves out Year 6 (an infant school, 3 to 7); False when it
        includes it, or when the register gives no age range (nothing to go on)."""
        low, high = self.statutory_low_age, self.statutory_high_age
        return (low is not None and low > self.YEAR_6_AGES[0]) or (high is not None and high < self.YEAR_6_AGES[1])

    @property
    def ages_label(self) -> str:
        """The register's statutory age range in words: "aged 3 to 7", "up to age 7", "from age 11"; "" without one."""
        low, high = self.statutory_low_age, self.statutory_high_age
        if low is not None and high is not None:
            return f"aged {low} to {high}"
        if high is not None:
            return f"up to age {high}"
        return f"from age {low}" if low is not None else ""

    @property
    def is_pupil_referral_unit(self) -> bool:
        return "pupil referral unit" in self.type_name.lower()

    @property
    def is_special(self) -> bool:
        return "special" in self.type_name.lower() or self.type_group_name.lower() == "special schools"

    @property
    def address_lines(self) -> list[str]:
        return [part for part in (self.street, self.locality, self.address3, self.town, self.postcode) if part]


class GiasImport(models.Model):
    """One run of the GIAS import: what file, when, with which options, and what it did (audited once per run)."""

    file_name = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    all_regions = models.BooleanField(default=False)
    full_extract = models.BooleanField(default=False)
    rows_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    outside_scope = models.PositiveIntegerField(
        default=0, help_text="Rows outside London, ignored without --all-regions."
    )
    missing = models.PositiveIntegerField(default=0, help_text="Open schools in scope that the file did not list.")
    authorities_created = models.PositiveSmallIntegerField(default=0)
    missing_urns = models.JSONField(default=list, blank=True)
    links_file_name = models.CharField(max_length=255, blank=True)
    links_read = models.PositiveIntegerField(default=0)
    links_added = models.PositiveIntegerField(default=0)
    links_removed = models.PositiveIntegerField(default=0)
    changes_queued = models.PositiveIntegerField(default=0, help_text="Closures and successions sent for review.")
    guard_tripped = models.BooleanField(
        default=False, help_text="It would have closed too many schools: nothing was applied."
    )
    link_problems = models.JSONField(default=list, blank=True, help_text="Links skipped or not acted on, and why.")
    problems = models.JSONField(default=list, blank=True, help_text="Skipped rows: line, URN and reason.")

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = "GIAS import"

    def __str__(self):
        return f"GIAS import of {self.file_name} at {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def summary(self) -> str:
        return (
            f"created {self.created:,} / updated {self.updated:,} / unchanged {self.unchanged:,} / "
            f"closed {self.closed:,} / skipped {self.skipped:,}"
        )


class SchoolLink(models.Model):
    """A row of the GIAS links file: `urn`'s link to `link_urn` ("Successor": link_urn took over from urn).

    Either URN may be missing from the register (a link to a school outside London): stored, shown without a page.
    A link type we do not know is stored and reported, never acted on.
    """

    urn = models.PositiveIntegerField("URN", db_index=True)
    link_urn = models.PositiveIntegerField("linked URN", db_index=True)
    link_name = models.CharField(max_length=255, blank=True)
    link_type = models.CharField(max_length=80)
    established_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["urn", "link_type", "link_urn"]
        constraints = [
            models.UniqueConstraint(fields=["urn", "link_urn", "link_type"], name="school_link_once"),
        ]

    def __str__(self):
        return f"{self.urn} {self.link_type} {self.link_urn}"


class SchoolChange(models.Model):
    """A closure or succession the nightly refresh found, waiting for a programme admin (never applied silently).

    A succession moves each programme's records from `school` (closing) to `successor`; `moves` keeps what each
    programme moved so the whole succession can be undone within UNDO_DAYS.
    """

    class Kind(models.TextChoices):
        CLOSURE = "closure", "Closure"
        SUCCESSION = "succession", "Succession"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPLIED = "applied", "Applied"
        DISMISSED = "dismissed", "Dismissed"
        UNDONE = "undone", "Undone"

    NEXT = {
        Status.PENDING: {Status.APPLIED, Status.DISMISSED},
        Status.APPLIED: {Status.UNDONE},
        Status.DISMISSED: set(),
        Status.UNDONE: set(),
    }
    # A reviewer applies or dismisses a waiting change and undoes an applied one (within UNDO_DAYS, unless records
    # moved since: reviews.school_change_undo_blockers).
    ACTIONS = {
        "apply": Action("Apply", to=Status.APPLIED, allowed="schools.successions.can_decide_school_change"),
        "dismiss": Action("Dismiss", to=Status.DISMISSED, allowed="schools.successions.can_decide_school_change"),
        "undo": Action("Undo", to=Status.UNDONE, allowed="schools.successions.can_decide_school_change"),
    }
    UNDO_DAYS = 30

    kind = models.CharField(max_length=12, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING, db_index=True)
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="changes")
    successor = models.ForeignKey(
        School, null=True, blank=True, on_delete=models.PROTECT, related_name="predecessor_changes"
    )
    link_type = models.CharField(max_length=80, blank=True)
    close_date = models.DateField(null=True, blank=True, help_text="The closing date GIAS gives, if any.")
    found_by = models.ForeignKey(GiasImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    found_at = models.DateTimeField()
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True, help_text="Why it was dismissed or undone.")
    previous_status = models.CharField(max_length=30, blank=True, help_text="The school's status before closing.")
    choices = models.JSONField(default=dict, blank=True, help_text="The admin's answer to each conflict.")
    moves = models.JSONField(default=dict, blank=True, help_text="What each programme moved, for undo.")
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["found_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="closure", successor__isnull=True)
                | models.Q(kind="succession", successor__isnull=False),
                name="school_change_successor_iff_succession",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="dismissed", reason=""), name="school_change_dismissal_has_reason"
            ),
            models.UniqueConstraint(
                fields=["school"], condition=models.Q(status="pending"), name="school_change_one_pending_per_school"
            ),
        ]

    def __str__(self):
        if self.kind == self.Kind.SUCCESSION:
            return f"Succession of {self.school_id} by {self.successor_id}"
        return f"Closure of {self.school_id}"
