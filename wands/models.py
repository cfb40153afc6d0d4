"""Knife wands: allowances, requests and their workflow, the stock ledger. Data and invariants only; writes live in
services.py."""

import re

from django.conf import settings
from django.db import models
from django.db.models import F, FloatField, Func, Q

from core.workflow import Action

REFERENCE_PREFIX = "KW-"
REFERENCE_PATTERN = re.compile(r"^\s*KW-?([0-9]{1,9})\s*$", re.IGNORECASE)  # ASCII digits only


def reference_for(pk: int) -> str:
    return f"{REFERENCE_PREFIX}{pk:06d}"


def pk_from_reference(reference: str) -> int | None:
    """`KW-000123` → 123; None for anything that is not a wand request reference."""
    match = REFERENCE_PATTERN.match(reference or "")
    return int(match.group(1)) if match else None


class AllowanceRule(models.Model):
    """One band of the allowance rule: schools of this phase (or any) with at least `min_pupils` pupils may hold
    `wands` wands. The band with the highest `min_pupils` that fits wins; a phase-specific band beats an "any" band."""

    phase = models.CharField(
        max_length=20, blank=True, help_text="A school phase from the register; empty means any phase."
    )
    min_pupils = models.PositiveIntegerField(default=0)
    wands = models.PositiveSmallIntegerField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["phase", "min_pupils"]
        constraints = [
            models.UniqueConstraint(fields=["phase", "min_pupils"], name="wand_rule_one_band_per_phase_size"),
            models.CheckConstraint(condition=Q(wands__lte=100), name="wand_rule_wands_at_most_100"),
        ]

    def __str__(self):
        return f"{self.phase or 'any phase'}, {self.min_pupils}+ pupils: {self.wands} wands"


class SchoolAllowance(models.Model):
    """A school's allowance record: the row that is locked while a request is checked against the allowance, and the
    optional override (with its reason) that replaces the rule for this school."""

    school = models.OneToOneField("schools.School", primary_key=True, on_delete=models.PROTECT, related_name="+")
    override = models.PositiveSmallIntegerField(null=True, blank=True)
    override_reason = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(override__isnull=True) | ~Q(override_reason=""), name="wand_override_has_reason"
            )
        ]

    def __str__(self):
        return f"Wand allowance of {self.school_id}"


class AllowanceChange(models.Model):
    """History of a school's allowance overrides: who, when, why, from what to what (append-only)."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    from_override = models.PositiveSmallIntegerField(null=True, blank=True)
    to_override = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Empty: back to the rule.")
    reason = models.TextField()
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"Allowance of {self.school_id}: {self.from_override} → {self.to_override}"


class WandRequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    WAITING_FOR_STOCK = "waiting_for_stock", "Approved, waiting for stock"
    APPROVED = "approved", "Approved"
    DISPATCHED = "dispatched", "Dispatched"
    DELIVERED = "delivered", "Delivered"
    REJECTED = "rejected", "Rejected"
    CANCELLED = "cancelled", "Cancelled"


class Elapsed(Func):
    """`later - earlier` in a form the database can sort natively (no per-row Python function on SQLite): an
    interval on PostgreSQL, days as a real number (julianday) on SQLite. Only for ordering: exact values are
    computed from the rows' own timestamps. In the delivery-time index (WandRequest.Meta)."""

    arity = 2
    output_field = FloatField()

    def as_sql(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return f"({later} - {earlier})", (*later_params, *earlier_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        later, later_params = compiler.compile(self.source_expressions[0])
        earlier, earlier_params = compiler.compile(self.source_expressions[1])
        return f"(julianday({later}) - julianday({earlier}))", (*later_params, *earlier_params)


class WandRequest(models.Model):
    """A school's request for wands, from submission to delivery. Only services._move() (core.workflow.transition)
    changes `status`; ACTIONS says which of its moves a person may make in which status, and who."""

    Status = WandRequestStatus

    NEXT = {
        Status.SUBMITTED: {Status.APPROVED, Status.WAITING_FOR_STOCK, Status.REJECTED, Status.CANCELLED},
        Status.WAITING_FOR_STOCK: {Status.APPROVED, Status.CANCELLED},
        Status.APPROVED: {Status.DISPATCHED, Status.CANCELLED},
        Status.DISPATCHED: {Status.DELIVERED},
        Status.DELIVERED: set(),
        Status.REJECTED: set(),
        Status.CANCELLED: set(),
    }
    # What a person may do, in which status (NEXT, or `statuses`), and who (the permission). Waiting for stock is not
    # an action: approving moves a request there when stock is short, and a stock delivery moves it on.
    ACTIONS = {
        # Only a submitted request is decided (NEXT lets a request waiting for stock become approved: the portal does
        # that when stock arrives, not a person).
        "approve": Action("Approve", statuses=(Status.SUBMITTED,), allowed="wands.permissions.can_decide_wand_request"),
        "reject": Action("Reject", to=Status.REJECTED, allowed="wands.permissions.can_decide_wand_request"),
        "dispatch": Action(
            "Record dispatch", to=Status.DISPATCHED, allowed="wands.permissions.can_dispatch_wand_request"
        ),
        "confirm_delivery": Action(
            "Confirm delivery", to=Status.DELIVERED, allowed="wands.permissions.acts_for_wand_request_school"
        ),
        "report_issue": Action(
            "Report a faulty or missing wand",
            statuses=(Status.DELIVERED,),
            allowed="wands.permissions.acts_for_wand_request",
        ),
        "cancel": Action("Cancel request", to=Status.CANCELLED, allowed="wands.permissions.may_cancel_for_school"),
    }
    # The GOV.UK tag colour of each status (`{% status_tag wand_request %}`).
    TAG_COLOURS = {
        Status.SUBMITTED: "blue",
        Status.WAITING_FOR_STOCK: "yellow",
        Status.APPROVED: "turquoise",
        Status.DISPATCHED: "purple",
        Status.DELIVERED: "green",
        Status.REJECTED: "red",
        Status.CANCELLED: "grey",
    }
    # Wands these requests hold against the school's allowance.
    COUNTS_AGAINST_ALLOWANCE = (
        Status.SUBMITTED,
        Status.WAITING_FOR_STOCK,
        Status.APPROVED,
        Status.DISPATCHED,
        Status.DELIVERED,
    )
    # "Has taken up the wand offer" (docs/roles.md): a request approved and not cancelled.
    TAKEN_UP = (Status.WAITING_FOR_STOCK, Status.APPROVED, Status.DISPATCHED, Status.DELIVERED)
    OPEN = (Status.SUBMITTED, Status.WAITING_FOR_STOCK, Status.APPROVED, Status.DISPATCHED)

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="wand_requests")
    quantity = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED, db_index=True)
    contact_name = models.CharField("delivery contact", max_length=120)
    contact_phone = models.CharField("delivery contact phone", max_length=30)
    delivery_address = models.TextField()
    delivery_postcode = models.CharField(max_length=10)
    policy_confirmed = models.BooleanField(
        help_text="The behaviour policy says pupils may be screened (DfE 'Searching, screening and confiscation')."
    )
    replaces = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replacements",
        help_text="A replacement for faulty or missing wands of this request: outside the allowance.",
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_reason = models.TextField(blank=True)
    reserved_at = models.DateTimeField(null=True, blank=True)
    courier = models.CharField(max_length=80, blank=True)
    tracking_reference = models.CharField(max_length=80, blank=True)
    dispatched_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="wand_request_quantity_positive"),
            models.CheckConstraint(condition=Q(status__in=WandRequestStatus.values), name="wand_request_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=WandRequestStatus.REJECTED) | ~Q(decision_reason=""),
                name="wand_request_rejection_has_reason",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="wand_request_idempotent_submission",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "decided_at"], name="wand_request_queue_idx"),
            models.Index(fields=["school", "status"], name="wand_request_school_idx"),
            # The queue filtered by status, in its list order (-created_at, -id) (docs/performance.md).
            models.Index(fields=["status", "-created_at", "-id"], name="wand_request_status_new_idx"),
            # Sums of wands by status: owed to requests waiting for stock (the queue's "short by" figure, on every
            # queue page) and delivered per borough (insights). Both read only index entries (docs/performance.md).
            # Not a partial index: SQLite cannot use one for a bound `status = ?`.
            models.Index(fields=["status", "school", "quantity"], name="wand_request_status_qty_idx"),
            # The wands dashboard's median time to delivery: delivered requests in order of that time, so the middle
            # one is found by walking half the index, never by sorting or reading every row (docs/performance.md).
            models.Index(
                F("status"),
                Elapsed("delivered_at", "created_at"),
                F("delivered_at"),
                F("created_at"),
                name="wand_request_delivery_time_idx",
            ),
            # A school's own requests, newest first (`/wands/`, selectors.school_wand_requests): read in list order
            # instead of sorting every request of the school (1,031 for the busiest at national scale).
            models.Index(fields=["school", "-created_at", "-id"], name="wand_request_school_new_idx"),
        ]

    def __str__(self):
        return self.reference

    @property
    def reference(self) -> str:
        return reference_for(self.pk) if self.pk else "KW-(new)"

    @property
    def is_replacement(self) -> bool:
        return self.replaces_id is not None


class WandSerial(models.Model):
    """A wand's serial number, dispatched with a request or recorded as delivered before the portal. A serial can be
    out with only one school at a time."""

    serial = models.CharField(max_length=60)
    wand_request = models.ForeignKey(
        WandRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="serials"
    )
    existing_delivery = models.ForeignKey(
        "ExistingDelivery", null=True, blank=True, on_delete=models.PROTECT, related_name="serials"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["serial"]
        constraints = [
            models.UniqueConstraint(
                fields=["serial"], condition=Q(returned_at__isnull=True), name="wand_serial_out_once"
            ),
            models.CheckConstraint(
                condition=Q(wand_request__isnull=False) | Q(existing_delivery__isnull=False),
                name="wand_serial_has_origin",
            ),
        ]

    def __str__(self):
        return self.serial


class ExistingDelivery(models.Model):
    """Wands a school received before the portal, imported so allowances start right."""

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveSmallIntegerField()
    delivered_on = models.DateField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name_plural = "existing deliveries"
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="wand_existing_quantity_positive")]

    def __str__(self):
        return f"{self.quantity} wands to {self.school_id} on {self.delivered_on}"


class WandIssuePickup(models.TextChoices):
    """Collecting the faulty wands a replacement was sent for: arranged when the replacement is dispatched."""

    NONE = "", "No pick-up"
    ARRANGED = "arranged", "Pick-up arranged"
    COLLECTED = "collected", "Collected"


class WandIssueKind(models.TextChoices):
    FAULTY = "faulty", "Faulty"
    MISSING = "missing", "Missing"


class WandIssueOutcome(models.TextChoices):
    REPLACEMENT = "replacement", "Send a replacement"
    RETURN = "return", "Return without replacement"


class WandIssueStatus(models.TextChoices):
    """Where a reported problem is: a return is expected back; a replacement is requested (its faulty wands are
    collected once it is dispatched: the pick-up); the wands came back, working or faulty."""

    RETURN_EXPECTED = "return_expected", "Return expected"
    REPLACEMENT = "replacement", "Replacement requested"
    RECEIVED_WORKING = "received_working", "Received: working, back in stock"
    RECEIVED_FAULTY = "received_faulty", "Received: faulty, written off"


class WandIssue(models.Model):
    """A school's report of faulty or missing wands, which opens a replacement or a return. Its `status` moves along
    NEXT, its pick-up along PICKUP_NEXT, only through core.workflow.transition (services/issues.py)."""

    Kind = WandIssueKind

    Outcome = WandIssueOutcome

    Pickup = WandIssuePickup

    Status = WandIssueStatus

    NEXT = {
        Status.RETURN_EXPECTED: {Status.RECEIVED_WORKING, Status.RECEIVED_FAULTY},
        # Replaced faulty wands come back when their pick-up is collected; replaced missing ones never do.
        Status.REPLACEMENT: {Status.RECEIVED_WORKING, Status.RECEIVED_FAULTY},
        Status.RECEIVED_WORKING: set(),
        Status.RECEIVED_FAULTY: set(),
    }
    RECEIVED = (Status.RECEIVED_WORKING, Status.RECEIVED_FAULTY)

    PICKUP_NEXT = {
        Pickup.NONE: {Pickup.ARRANGED},
        Pickup.ARRANGED: {Pickup.COLLECTED},
        Pickup.COLLECTED: set(),
    }

    wand_request = models.ForeignKey(WandRequest, on_delete=models.PROTECT, related_name="issues")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    quantity = models.PositiveSmallIntegerField()
    details = models.TextField()
    replacement = models.OneToOneField(
        WandRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="replacing_issue"
    )
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=Status.choices, db_index=True)
    resolved_at = models.DateTimeField(
        null=True, blank=True, help_text="When the wands came back (the status moved to received)."
    )
    pickup = models.CharField(max_length=10, choices=Pickup.choices, default=Pickup.NONE, blank=True)
    pickup_arranged_at = models.DateTimeField(null=True, blank=True)
    pickup_collected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-reported_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="wand_issue_quantity_positive"),
            models.CheckConstraint(condition=Q(pickup__in=WandIssuePickup.values), name="wand_issue_pickup_valid"),
            # A return starts expected back, a replacement requested; once received it has the date it came back.
            models.CheckConstraint(
                condition=Q(status=WandIssueStatus.RETURN_EXPECTED, outcome=WandIssueOutcome.RETURN)
                | Q(status=WandIssueStatus.REPLACEMENT, outcome=WandIssueOutcome.REPLACEMENT)
                | Q(status__in=(WandIssueStatus.RECEIVED_WORKING, WandIssueStatus.RECEIVED_FAULTY)),
                name="wand_issue_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(
                    resolved_at__isnull=True, status__in=(WandIssueStatus.RETURN_EXPECTED, WandIssueStatus.REPLACEMENT)
                )
                | Q(
                    resolved_at__isnull=False,
                    status__in=(WandIssueStatus.RECEIVED_WORKING, WandIssueStatus.RECEIVED_FAULTY),
                ),
                name="wand_issue_resolved_when_received",
            ),
            # Only faulty wands that were replaced are collected: missing ones cannot be, returns come back anyway.
            models.CheckConstraint(
                condition=Q(pickup=WandIssuePickup.NONE)
                | Q(kind=WandIssueKind.FAULTY, outcome=WandIssueOutcome.REPLACEMENT),
                name="wand_issue_pickup_only_replaced",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} wands on {self.wand_request.reference}"

    @classmethod
    def first_status(cls, outcome: str) -> str:
        """A return is expected back; a replacement is requested."""
        return cls.Status.RETURN_EXPECTED if outcome == cls.Outcome.RETURN else cls.Status.REPLACEMENT


class StockLevel(models.Model):
    """The one row holding stock on hand and reserved; the database refuses any update that would make either
    negative or reserve more than is on hand. Changed only together with a StockMovement row."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    on_hand = models.IntegerField(default=0)
    reserved = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="wand_stock_single_row"),
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="wand_stock_on_hand_not_negative"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="wand_stock_reserved_not_negative"),
            models.CheckConstraint(condition=Q(reserved__lte=F("on_hand")), name="wand_stock_reserved_within_on_hand"),
        ]

    def __str__(self):
        return f"{self.on_hand} on hand, {self.reserved} reserved"

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """One line of the stock ledger. `on_hand_change` and `reserved_change` sum to the StockLevel row."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", "Delivery from the supplier"
        RESERVATION = "reservation", "Reserved for a request"
        RELEASE = "release", "Reservation released"
        DISPATCH = "dispatch", "Dispatched to a school"
        RETURN = "return", "Returned by a school"
        WRITE_OFF = "write_off", "Written off"

    kind = models.CharField(max_length=12, choices=Kind.choices, db_index=True)
    quantity = models.PositiveIntegerField()
    on_hand_change = models.IntegerField()
    reserved_change = models.IntegerField()
    batch = models.CharField(max_length=80, blank=True)
    serials = models.JSONField(default=list, blank=True)
    note = models.TextField(blank=True)
    wand_request = models.ForeignKey(
        WandRequest, null=True, blank=True, on_delete=models.PROTECT, related_name="stock_movements"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="wand_movement_quantity_positive")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.quantity}"
