from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils import timezone

from core.user_facts import facts_changed, facts_changed_for_everyone
from core.workflow import Action

# A bulk change to more accounts than this makes everyone's cached facts stale instead of naming each.
BULK_FACTS_LIMIT = 1000


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        """Every signed-in page reads the account from the person's cached facts (core.user_facts): a bulk change
        (last seen, signed out everywhere...) makes theirs stale, as a save does (accounts.facts)."""
        ids = list(self.order_by().values_list("pk", flat=True)[: BULK_FACTS_LIMIT + 1])
        updated = super().update(**kwargs)
        if len(ids) > BULK_FACTS_LIMIT:
            facts_changed_for_everyone()
        else:
            facts_changed(ids)
        return updated


class UserManager(BaseUserManager):
    use_in_migrations = True

    def get_queryset(self):
        return UserQuerySet(self.model, using=self._db)

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Email is the login; roles are separate records, never Django groups."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    sessions_revoked_at = models.DateTimeField(
        null=True, blank=True, help_text="Sessions started before this moment are ended (sign out everywhere)."
    )
    last_seen_at = models.DateTimeField(null=True, blank=True, help_text="Last authenticated request (day precision).")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def get_session_auth_hash(self):
        """A user read from the cached facts (accounts.identity.cached_user) has no password loaded: the hash was
        computed from it when the facts were read from the database, and is used until the password is loaded or
        set."""
        cached = self.__dict__.get("_cached_session_auth_hash")
        if cached is not None and "password" not in self.__dict__:
            return cached
        return super().get_session_auth_hash()


class ApiToken(models.Model):
    """A personal API token: only its hash is stored; shown once; expires; revocable."""

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'MIS integration'.")
    prefix = models.CharField(max_length=12, db_index=True, help_text="First characters, to recognise the token.")
    token_hash = models.CharField(max_length=128, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"


class CurrentQuerySet(models.QuerySet):
    """Role records are never deleted: "current" means not ended (ending covers a lapse at access review).

    Every signed-in page reads the person's roles from their cached facts (core.user_facts): saves and deletes make
    that person's stale (accounts.facts), bulk writes everyone's (they are rare: a school succession, an import)."""

    def current(self):
        return self.filter(ended_at__isnull=True)

    def update(self, **kwargs):
        updated = super().update(**kwargs)
        facts_changed_for_everyone()
        return updated

    def bulk_create(self, *args, **kwargs):
        created = super().bulk_create(*args, **kwargs)
        facts_changed_for_everyone()
        return created


class RoleRecord(models.Model):
    """Who granted a role and when, when it was last confirmed at access review, and how it ended."""

    granted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    granted_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True, help_text="Last confirmed at an access review.")
    confirmed_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    end_reason = models.TextField(blank=True)
    lapsed = models.BooleanField(default=False, help_text="Ended because nobody confirmed it at access review.")

    objects = CurrentQuerySet.as_manager()

    class Meta:
        abstract = True

    @property
    def is_current(self) -> bool:
        return self.ended_at is None

    @property
    def review_from(self):
        """The access-review clock runs from the last confirmation, or from the grant."""
        return self.confirmed_at or self.granted_at


class SchoolRole(models.TextChoices):
    HEADTEACHER = "headteacher", "Headteacher"
    STAFF = "staff", "Staff"


class SchoolMembership(RoleRecord):
    """A person's place at a school: its headteacher or a member of its staff."""

    Role = SchoolRole

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="school_memberships")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)

    class Meta:
        ordering = ["school_id", "role", "granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_membership_per_user_school",
            ),
            models.CheckConstraint(condition=models.Q(role__in=SchoolRole.values), name="membership_role_valid"),
        ]
        indexes = [models.Index(fields=["school", "ended_at"], name="membership_school_current_idx")]

    def __str__(self):
        return f"{self.get_role_display()} at {self.school.name}"


class SchoolDutyKind(models.TextChoices):
    WAND_REQUESTS = "wand_requests", "Wand requests"
    STEPPING_STONES_LEAD = "stepping_stones_lead", "Stepping Stones lead"


class SchoolDuty(RoleRecord):
    """A duty a headteacher grants to a member of their school's staff (headteachers hold every duty)."""

    Duty = SchoolDutyKind

    membership = models.ForeignKey(SchoolMembership, on_delete=models.PROTECT, related_name="duties")
    duty = models.CharField(max_length=30, choices=Duty.choices)

    class Meta:
        ordering = ["membership_id", "duty", "id"]
        verbose_name_plural = "school duties"
        constraints = [
            models.UniqueConstraint(
                fields=["membership", "duty"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_duty_per_membership",
            ),
            models.CheckConstraint(condition=models.Q(duty__in=SchoolDutyKind.values), name="duty_valid"),
        ]

    def __str__(self):
        return self.get_duty_display()


class PoliceRoleKind(models.TextChoices):
    ALLOCATOR = "allocator", "Police allocator"
    OFFICER = "officer", "Police officer"


class PoliceRole(RoleRecord):
    """A Met police role: an allocator (for some BCUs or all London) or a Safer Schools officer."""

    Kind = PoliceRoleKind

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="police_roles")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    all_london = models.BooleanField(default=False, help_text="An allocator covering every BCU.")
    bcus = models.ManyToManyField("schools.BasicCommandUnit", blank=True, related_name="+")

    class Meta:
        ordering = ["user_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=models.Q(ended_at__isnull=True), name="one_current_police_role"
            ),
            models.CheckConstraint(
                condition=models.Q(kind=PoliceRoleKind.ALLOCATOR) | models.Q(all_london=False),
                name="only_allocators_cover_all_london",
            ),
            models.CheckConstraint(condition=models.Q(kind__in=PoliceRoleKind.values), name="police_kind_valid"),
        ]

    def __str__(self):
        return self.get_kind_display()


class ProgrammeRoleKind(models.TextChoices):
    PROGRAMME_ADMIN = "programme_admin", "Programme admin"
    STEPPING_STONES_COORDINATOR = "stepping_stones_coordinator", "Stepping Stones coordinator"
    TOOLKIT_EDITOR = "toolkit_editor", "Toolkit editor"
    FULFILMENT_STAFF = "fulfilment_staff", "Fulfilment staff"


class ProgrammeRole(RoleRecord):
    """A role in the programme team: VRU roles and fulfilment staff."""

    Kind = ProgrammeRoleKind

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="programme_roles")
    kind = models.CharField(max_length=40, choices=Kind.choices)

    class Meta:
        ordering = ["user_id", "kind", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"], condition=models.Q(ended_at__isnull=True), name="one_current_programme_role"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=ProgrammeRoleKind.values),
                name="programme_kind_valid",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class OrganisationStatus(models.TextChoices):
    PENDING = "pending", "Waiting for verification"
    VERIFIED = "verified", "Verified"
    DECLINED = "declined", "Declined"


class Organisation(models.Model):
    """A community, faith or youth organisation; its members see restricted toolkit items once it is verified."""

    class Type(models.TextChoices):
        COMMUNITY = "community", "Community group"
        FAITH = "faith", "Faith group"
        YOUTH = "youth", "Youth organisation"

    Status = OrganisationStatus

    NEXT = {Status.PENDING: {Status.VERIFIED, Status.DECLINED}, Status.VERIFIED: set(), Status.DECLINED: set()}
    # Programme admins verify or decline a waiting organisation; only a verified one invites people.
    ACTIONS = {
        "verify": Action("Verify", to=Status.VERIFIED, allowed="accounts.permissions.can_decide_organisation"),
        "decline": Action("Decline", to=Status.DECLINED, allowed="accounts.permissions.can_decide_organisation"),
        "invite": Action(
            "Invite someone to join",
            statuses=(Status.VERIFIED,),
            allowed="accounts.permissions.may_act_for_organisation",
        ),
    }
    TAG_COLOURS = {Status.PENDING: "blue", Status.VERIFIED: "green", Status.DECLINED: "red"}

    name = models.CharField(max_length=200)
    type = models.CharField(max_length=20, choices=Type.choices)
    borough = models.ForeignKey("schools.LocalAuthority", on_delete=models.PROTECT, related_name="+")
    website = models.URLField(blank=True)
    description = models.TextField(blank=True, help_text="What the organisation does with young people.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    decline_reason = models.TextField(blank=True)
    registered_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    verified_by = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The programme admin who verified or declined it.",
    )
    verified_at = models.DateTimeField(null=True, blank=True, help_text="When it was verified or declined.")

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=OrganisationStatus.values), name="organisation_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=OrganisationStatus.DECLINED, decline_reason=""),
                name="organisation_decline_has_reason",
            ),
        ]

    def __str__(self):
        return self.name


class OrganisationMembership(RoleRecord):
    """A person's membership of an organisation."""

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="organisation_memberships")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="memberships")

    class Meta:
        ordering = ["organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=models.Q(ended_at__isnull=True),
                name="one_current_organisation_membership",
            )
        ]

    def __str__(self):
        return f"Member of {self.organisation.name}"


class InvitationStatus(models.TextChoices):
    """An invitation's status follows from its dates (TokenInvitation.status_at), not from a stored field."""

    PENDING = "pending", "Waiting"
    ACCEPTED = "accepted", "Accepted"
    REVOKED = "revoked", "Revoked"
    EXPIRED = "expired", "Expired"


class TokenInvitation(models.Model):
    """An emailed, single-use, expiring link (school and organisation invitations alike).

    Only a hash of the token is stored: the token itself lives in the emailed link alone.
    """

    VALID_FOR_DAYS = 7

    Status = InvitationStatus
    TAG_COLOURS = {Status.PENDING: "blue", Status.ACCEPTED: "green", Status.REVOKED: "grey", Status.EXPIRED: "yellow"}
    # Only a waiting invitation is accepted, by the person it was sent to.
    ACTIONS = {
        "accept": Action(
            "Accept invitation", statuses=(Status.PENDING,), allowed="accounts.permissions.is_invited_person"
        )
    }

    email = models.EmailField()
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey("accounts.User", null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        abstract = True

    def status_at(self, now) -> str:
        if self.accepted_at:
            return InvitationStatus.ACCEPTED
        if getattr(self, "revoked_at", None):
            return InvitationStatus.REVOKED
        if self.expires_at <= now:
            return InvitationStatus.EXPIRED
        return InvitationStatus.PENDING

    @property
    def status(self) -> str:
        return self.status_at(timezone.now())

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label


class Invitation(TokenInvitation):
    """An invitation that makes its holder a school's headteacher or staff member; a programme admin or the
    headteacher may revoke it before it is accepted."""

    Role = SchoolRole

    ACTIONS = {
        **TokenInvitation.ACTIONS,
        "revoke": Action(
            "Revoke", statuses=(InvitationStatus.PENDING,), allowed="accounts.permissions.can_revoke_invitation"
        ),
    }

    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["email"], name="invitation_email_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=SchoolRole.values), name="invitation_role_valid"),
            models.CheckConstraint(
                condition=models.Q(accepted_at__isnull=True) | models.Q(revoked_at__isnull=True),
                name="invitation_not_both_accepted_and_revoked",
            ),
        ]

    def __str__(self):
        return f"Invitation: {self.get_role_display().lower()} at {self.school.name}"


class JoinRequestStatus(models.TextChoices):
    PENDING = "pending", "Waiting for a decision"
    APPROVED = "approved", "Approved"
    DECLINED = "declined", "Declined"


class JoinRequest(models.Model):
    """A signed-in person asks to join a school's staff; its headteacher (or a programme admin) decides."""

    Status = JoinRequestStatus

    NEXT = {Status.PENDING: {Status.APPROVED, Status.DECLINED}, Status.APPROVED: set(), Status.DECLINED: set()}
    # The school's headteacher (or a programme admin where it has none) decides a waiting request.
    ACTIONS = {
        "approve": Action("Approve", to=Status.APPROVED, allowed="accounts.permissions.can_decide_join_request"),
        "decline": Action("Decline", to=Status.DECLINED, allowed="accounts.permissions.can_decide_join_request"),
    }

    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="join_requests")
    school = models.ForeignKey("schools.School", on_delete=models.PROTECT, related_name="join_requests")
    message = models.TextField(blank=True, help_text="The person's job at the school, for the headteacher.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    reason = models.TextField(blank=True, help_text="Why it was declined.")
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey("accounts.User", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "school"],
                condition=models.Q(status=JoinRequestStatus.PENDING),
                name="one_pending_join_request_per_user_school",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=JoinRequestStatus.values), name="join_request_status_valid"
            ),
            models.CheckConstraint(
                condition=~models.Q(status=JoinRequestStatus.DECLINED, reason=""), name="join_request_decline_reason"
            ),
        ]

    def __str__(self):
        return f"Request to join {self.school.name}"


class OrganisationInvitation(TokenInvitation):
    """An invitation that makes its holder a member of a community, faith or youth organisation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="invitations")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "email"], name="org_invitation_email_idx")]

    def __str__(self):
        return f"Invitation to {self.organisation.name}"


class AccessReviewReminder(models.Model):
    """One access-review reminder sent to one reviewer in one reminder period: the unique constraint is what stops
    a second run of the command (or two at once) emailing the same person again in that period."""

    recipient = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="+")
    period_start = models.DateField(help_text="The Monday of the week the reminder belongs to.")
    role_count = models.PositiveIntegerField(help_text="How many roles the reminder asked the reviewer to confirm.")
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "recipient_id"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "period_start"], name="one_review_reminder_per_period")
        ]

    def __str__(self):
        return f"Access review reminder for the week of {self.period_start:%-d %B %Y}"
