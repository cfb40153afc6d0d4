"""Reads of roles and memberships, scoped to what the asking user may see. The programme apps use these names."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Value
from django.utils import timezone

from core.user_facts import user_fact
from schools.models import BasicCommandUnit, School

from . import roles
from .models import (
    Invitation,
    JoinRequest,
    Organisation,
    OrganisationMembership,
    PoliceRole,
    ProgrammeRole,
    SchoolDuty,
    SchoolMembership,
    User,
)

_ROLE_CACHE = "_accounts_role_names"
_HEAD_CACHE = "_accounts_headteacher_school_ids"

# Record values (membership role, duty, police kind, programme kind) → the role names of accounts.roles.
_RECORD_TO_ROLE = {
    SchoolMembership.Role.HEADTEACHER: roles.HEADTEACHER,
    SchoolMembership.Role.STAFF: roles.SCHOOL_STAFF,
    SchoolDuty.Duty.STEPPING_STONES_LEAD: roles.STEPPING_STONES_LEAD,
    PoliceRole.Kind.ALLOCATOR: roles.POLICE_ALLOCATOR,
    PoliceRole.Kind.OFFICER: roles.POLICE_OFFICER,
    ProgrammeRole.Kind.PROGRAMME_ADMIN: roles.PROGRAMME_ADMIN,
    ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR: roles.STEPPING_STONES_COORDINATOR,
    ProgrammeRole.Kind.TOOLKIT_EDITOR: roles.TOOLKIT_EDITOR,
    ProgrammeRole.Kind.FULFILMENT_STAFF: roles.FULFILMENT_STAFF,
    roles.ORGANISATION_MEMBER: roles.ORGANISATION_MEMBER,
}


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def user_role_names(user) -> set[str]:
    """The user's current roles: read once per request (kept on the user object, which each request loads afresh),
    from the person's cached facts when their role records have not changed since (core.user_facts; accounts.facts
    bumps them)."""
    if not _signed_in(user):
        return set()
    cached = getattr(user, _ROLE_CACHE, None)
    if cached is None:
        cached = user_fact(user, "role_names", lambda: _role_names_from_records(user))
        setattr(user, _ROLE_CACHE, cached)
    return set(cached)


def _role_names_from_records(user) -> frozenset[str]:
    memberships = SchoolMembership.objects.current().filter(user=user).order_by().values_list("role")
    duties = (
        SchoolDuty.objects.current()
        .filter(membership__user=user, membership__ended_at__isnull=True)
        .order_by()
        .values_list("duty")
    )
    police = PoliceRole.objects.current().filter(user=user).order_by().values_list("kind")
    programme = ProgrammeRole.objects.current().filter(user=user).order_by().values_list("kind")
    organisations = (
        OrganisationMembership.objects.current()
        .filter(user=user, organisation__status=Organisation.Status.VERIFIED)
        .order_by()
        .annotate(record=Value(roles.ORGANISATION_MEMBER))
        .values_list("record")
    )
    records = memberships.union(duties, police, programme, organisations)
    return frozenset(_RECORD_TO_ROLE[value] for (value,) in records if value in _RECORD_TO_ROLE)


def user_requires_mfa(user) -> bool:
    """Two-factor sign-in is required for police, VRU, fulfilment staff, headteachers and Stepping Stones leads."""
    return bool(user_role_names(user) & roles.MFA_REQUIRED_ROLES)


def headteacher_school_ids(user) -> frozenset[int]:
    """URNs of the schools where the user is a current headteacher (cached per request)."""
    if not _signed_in(user):
        return frozenset()
    cached = getattr(user, _HEAD_CACHE, None)
    if cached is None:
        if roles.HEADTEACHER not in user_role_names(user):
            cached = frozenset()
        else:
            # In the person's cached facts (core.user_facts): only their memberships decide it (accounts.facts).
            cached = user_fact(
                user,
                "headteacher_school_ids",
                lambda: frozenset(
                    SchoolMembership.objects.current()
                    .filter(user=user, role=SchoolMembership.Role.HEADTEACHER)
                    .values_list("school_id", flat=True)
                ),
            )
        setattr(user, _HEAD_CACHE, cached)
    return cached


def schools_acting_for(user, *, duty: str | None = None) -> QuerySet[School]:
    """Schools where the user is a current headteacher or staff member; with `duty`, only those where they hold it.

    Headteachers hold every duty at their own school.
    """
    if not _signed_in(user):
        return School.objects.none()
    memberships = SchoolMembership.objects.current().filter(user=user, school=OuterRef("pk"))
    if duty is not None:
        memberships = memberships.filter(
            Q(role=SchoolMembership.Role.HEADTEACHER)
            | Exists(SchoolDuty.objects.current().filter(membership=OuterRef("pk"), duty=duty))
        )
    return School.objects.filter(Exists(memberships)).select_related("local_authority__bcu")


def bcus_covered_by(user) -> QuerySet[BasicCommandUnit]:
    """The BCUs a police allocator works in: every BCU for an all-London allocator, none for anyone else."""
    if roles.POLICE_ALLOCATOR not in user_role_names(user):
        return BasicCommandUnit.objects.none()
    allocator_roles = PoliceRole.objects.current().filter(user=user, kind=PoliceRole.Kind.ALLOCATOR)
    if allocator_roles.filter(all_london=True).exists():
        return BasicCommandUnit.objects.all()
    return BasicCommandUnit.objects.filter(
        pk__in=PoliceRole.bcus.through.objects.filter(policerole__in=allocator_roles).values("basiccommandunit_id")
    )


def school_has_headteacher(school) -> bool:
    return SchoolMembership.objects.current().filter(school=school, role=SchoolMembership.Role.HEADTEACHER).exists()


def organisations_of(user) -> QuerySet[Organisation]:
    """Organisations the user currently belongs to, verified or not."""
    if not _signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Exists(OrganisationMembership.objects.current().filter(user=user, organisation=OuterRef("pk")))
    ).select_related("borough")


def current_duties_prefetch() -> Prefetch:
    return Prefetch(
        "duties",
        queryset=SchoolDuty.objects.current().select_related("granted_by").order_by("duty"),
        to_attr="current_duties",
    )


def memberships_of_user(user) -> QuerySet[SchoolMembership]:
    """The user's own current school memberships with their duties."""
    if not _signed_in(user):
        return SchoolMembership.objects.none()
    return (
        SchoolMembership.objects.current()
        .filter(user=user)
        .select_related("school")
        .prefetch_related(current_duties_prefetch())
        .order_by("school__name")
    )


def memberships_of_school(*, school, actor) -> QuerySet[SchoolMembership]:
    """The school's current people with their duties: for its headteacher and programme admins only."""
    from .permissions import can_view_school_members

    if not can_view_school_members(actor, school):
        return SchoolMembership.objects.none()
    return (
        SchoolMembership.objects.current()
        .filter(school=school)
        .select_related("user", "granted_by", "school")
        .prefetch_related(current_duties_prefetch())
        .order_by("role", "user__email")
    )


def membership_get(*, membership_id: int, actor) -> SchoolMembership | None:
    """One current membership, if the actor may see its school's people; None otherwise (the view answers 404)."""
    from .permissions import can_view_school_members

    membership = (
        SchoolMembership.objects.current()
        .select_related("user", "school", "granted_by")
        .prefetch_related(current_duties_prefetch())
        .filter(pk=membership_id)
        .first()
    )
    if membership is None or not can_view_school_members(actor, membership.school):
        return None
    return membership


def invitations_visible_to(user) -> QuerySet[Invitation]:
    """Programme admins see every invitation; a headteacher their school's; anyone the ones sent to their address."""
    if not _signed_in(user):
        return Invitation.objects.none()
    base = Invitation.objects.select_related("school", "invited_by", "accepted_by")
    if roles.PROGRAMME_ADMIN in user_role_names(user):
        return base.all()
    return base.filter(Q(school_id__in=headteacher_school_ids(user)) | Q(email__iexact=user.email))


def invitations_expired_unanswered(user, *, now=None) -> QuerySet[Invitation]:
    """For programme admins: invitations that expired with nobody accepting them, and that have not been sent again
    (no later invitation to the same address for the same school), newest expiry first."""
    if not _signed_in(user) or roles.PROGRAMME_ADMIN not in user_role_names(user):
        return Invitation.objects.none()
    now = now or timezone.now()
    later = Invitation.objects.filter(
        school_id=OuterRef("school_id"), email__iexact=OuterRef("email"), created_at__gt=OuterRef("created_at")
    )
    return (
        Invitation.objects.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__lte=now)
        .exclude(Exists(later))
        .select_related("school", "invited_by")
        .order_by("-expires_at", "-id")
    )


def invitations_pending_for(user, *, now=None) -> QuerySet[Invitation]:
    """Invitations sent to the user's email address that can still be accepted."""
    if not _signed_in(user):
        return Invitation.objects.none()
    now = now or timezone.now()
    return Invitation.objects.filter(
        email__iexact=user.email, accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=now
    ).select_related("school")


def join_requests_visible_to(user) -> QuerySet[JoinRequest]:
    """A person sees their own requests; a headteacher those for their school; programme admins all of them."""
    if not _signed_in(user):
        return JoinRequest.objects.none()
    base = JoinRequest.objects.select_related("user", "school", "decided_by")
    if roles.PROGRAMME_ADMIN in user_role_names(user):
        return base.all()
    return base.filter(Q(user=user) | Q(school_id__in=headteacher_school_ids(user)))


def organisations_visible_to(user) -> QuerySet[Organisation]:
    """Programme admins see every organisation; anyone else the ones they belong to or registered."""
    if not _signed_in(user):
        return Organisation.objects.none()
    base = Organisation.objects.select_related("borough", "verified_by", "registered_by")
    if roles.PROGRAMME_ADMIN in user_role_names(user):
        return base.all()
    member = OrganisationMembership.objects.current().filter(user=user, organisation=OuterRef("pk"))
    return base.filter(Q(Exists(member)) | Q(registered_by=user))


def police_roles_current() -> QuerySet[PoliceRole]:
    return PoliceRole.objects.current().select_related("user", "granted_by").prefetch_related("bcus")


def programme_roles_current() -> QuerySet[ProgrammeRole]:
    return ProgrammeRole.objects.current().select_related("user", "granted_by")


def schools_without_headteacher() -> QuerySet[School]:
    """Open schools that have people or join requests but no current headteacher: a programme admin should act."""
    head = SchoolMembership.objects.current().filter(school=OuterRef("pk"), role=SchoolMembership.Role.HEADTEACHER)
    staff = SchoolMembership.objects.current().filter(school=OuterRef("pk"))
    pending = JoinRequest.objects.filter(school=OuterRef("pk"), status=JoinRequest.Status.PENDING)
    return (
        School.objects.filter(status__in=School.OPEN_STATUSES)
        .filter(Exists(staff) | Exists(pending))
        .exclude(Exists(head))
        .annotate(
            staff_count=Count("memberships", filter=Q(memberships__ended_at__isnull=True), distinct=True),
            pending_request_count=Count(
                "join_requests", filter=Q(join_requests__status=JoinRequest.Status.PENDING), distinct=True
            ),
        )
        .select_related("local_authority")
        .order_by("name", "urn")
    )


def review_due_at(record):
    """When a reviewed role lapses unless confirmed; None for roles that are not reviewed."""
    if _record_role_name(record) not in roles.REVIEWED_ROLES:
        return None
    return record.review_from + timedelta(days=roles.REVIEW_PERIOD_DAYS)


def _record_role_name(record) -> str:
    if isinstance(record, SchoolMembership):
        return _RECORD_TO_ROLE[record.role]
    if isinstance(record, SchoolDuty):
        return _RECORD_TO_ROLE.get(record.duty, record.duty)
    if isinstance(record, PoliceRole | ProgrammeRole):
        return _RECORD_TO_ROLE[record.kind]
    return roles.ORGANISATION_MEMBER


def _granted_by_label(record) -> str | None:
    return record.granted_by.email if record.granted_by_id else None


def user_roles_summary(user) -> list[dict]:
    """The user's current roles for My account and /api/v1/me/: role, where, who granted it, when, review due."""
    if not _signed_in(user):
        return []
    rows: list[dict] = []

    def row(record, *, role, where, school_urn=None, bcus=None, organisation_id=None):
        due = review_due_at(record)
        rows.append(
            {
                "role": role,
                "label": roles.LABELS.get(role, record.__class__._meta.verbose_name),
                "where": where,
                "school_urn": school_urn,
                "bcus": bcus or [],
                "organisation_id": organisation_id,
                "granted_by": _granted_by_label(record),
                "granted_at": record.granted_at,
                "review_due": due,
            }
        )

    memberships = (
        SchoolMembership.objects.current()
        .filter(user=user)
        .select_related("school", "granted_by")
        .prefetch_related(current_duties_prefetch())
    )
    for membership in memberships:
        row(
            membership,
            role=_RECORD_TO_ROLE[membership.role],
            where=membership.school.name,
            school_urn=membership.school_id,
        )
        for duty in membership.current_duties:
            name = _RECORD_TO_ROLE.get(duty.duty, duty.duty)
            row(duty, role=name, where=membership.school.name, school_urn=membership.school_id)
            rows[-1]["label"] = roles.LABELS.get(name, f"{duty.get_duty_display()} (duty)")
    for police in PoliceRole.objects.current().filter(user=user).select_related("granted_by").prefetch_related("bcus"):
        bcus = [bcu.name for bcu in police.bcus.all()]
        if police.kind == PoliceRole.Kind.OFFICER:
            where = "Metropolitan Police"
        else:
            where = "All London" if police.all_london else ", ".join(bcus) or "No BCU yet"
        row(police, role=_RECORD_TO_ROLE[police.kind], where=where, bcus=["all"] if police.all_london else bcus)
    for programme in ProgrammeRole.objects.current().filter(user=user).select_related("granted_by"):
        row(programme, role=_RECORD_TO_ROLE[programme.kind], where="The programme")
    for org_membership in (
        OrganisationMembership.objects.current().filter(user=user).select_related("organisation", "granted_by")
    ):
        organisation = org_membership.organisation
        where = organisation.name
        if organisation.status != Organisation.Status.VERIFIED:
            where = f"{organisation.name} ({organisation.get_status_display().lower()})"
        row(org_membership, role=roles.ORGANISATION_MEMBER, where=where, organisation_id=organisation.pk)
    return rows


def role_records_due_for_review(*, now, within_days: int = roles.REVIEW_REMINDER_DAYS) -> dict[str, list]:
    """Current reviewed role records whose review falls due within `within_days` (or is already overdue)."""
    cutoff = now - timedelta(days=roles.REVIEW_PERIOD_DAYS) + timedelta(days=within_days)
    return _reviewed_records(before=cutoff)


def role_records_overdue(*, now) -> dict[str, list]:
    """Current reviewed role records nobody has confirmed for the review period: they lapse."""
    return _reviewed_records(before=now - timedelta(days=roles.REVIEW_PERIOD_DAYS))


def _reviewed_records(*, before) -> dict[str, list]:
    not_reviewed_since = Q(confirmed_at__isnull=True, granted_at__lte=before) | Q(confirmed_at__lte=before)
    return {
        "duties": list(
            SchoolDuty.objects.current()
            .filter(not_reviewed_since, duty=SchoolDuty.Duty.STEPPING_STONES_LEAD, membership__ended_at__isnull=True)
            .select_related("membership__user", "membership__school")
        ),
        "police": list(PoliceRole.objects.current().filter(not_reviewed_since).select_related("user")),
        "programme": list(
            ProgrammeRole.objects.current()
            .filter(
                not_reviewed_since,
                kind__in=[ProgrammeRole.Kind.PROGRAMME_ADMIN, ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR],
            )
            .select_related("user")
        ),
    }


def access_reviews_for(user, *, now=None) -> dict[str, list]:
    """The reviewed roles this user confirms: a headteacher their school's Stepping Stones leads, admins the rest."""
    now = now or timezone.now()
    result: dict[str, list] = {"duties": [], "police": [], "programme": []}
    if not _signed_in(user):
        return result
    head_of = headteacher_school_ids(user)
    if head_of:
        result["duties"] = list(
            SchoolDuty.objects.current()
            .filter(
                duty=SchoolDuty.Duty.STEPPING_STONES_LEAD,
                membership__ended_at__isnull=True,
                membership__school_id__in=head_of,
            )
            .select_related("membership__user", "membership__school", "granted_by", "confirmed_by")
            .order_by("granted_at")
        )
    if roles.PROGRAMME_ADMIN in user_role_names(user):
        result["police"] = list(
            PoliceRole.objects.current().select_related("user", "granted_by", "confirmed_by").order_by("granted_at")
        )
        result["programme"] = list(
            ProgrammeRole.objects.current()
            .filter(kind__in=[ProgrammeRole.Kind.PROGRAMME_ADMIN, ProgrammeRole.Kind.STEPPING_STONES_COORDINATOR])
            .select_related("user", "granted_by", "confirmed_by")
            .order_by("granted_at")
        )
    for records in result.values():
        for record in records:
            record.review_due = review_due_at(record)
    return result


def users_dormant(*, now) -> QuerySet[User]:
    """Active accounts with no sign-in and no request for the dormancy period (new accounts count from joining)."""
    cutoff = now - timedelta(days=roles.DORMANT_AFTER_DAYS)
    return User.objects.filter(is_active=True, date_joined__lt=cutoff).filter(
        Q(last_seen_at__isnull=True) | Q(last_seen_at__lt=cutoff),
        Q(last_login__isnull=True) | Q(last_login__lt=cutoff),
    )


def pending_invitations_for(user, *, now=None):
    """School invitations sent to this person's verified address that are still open (shown when they sign in)."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from .models import Invitation

    if not getattr(user, "is_authenticated", False):
        return Invitation.objects.none()
    now = now or timezone.now()
    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return (
        Invitation.objects.filter(
            email__in=[a.lower() for a in addresses],
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .select_related("school")
        .order_by("-created_at")
    )


def pending_organisation_invitations_for(user, *, now=None):
    """Organisation invitations sent to this person's verified address that are still open."""
    from allauth.account.models import EmailAddress
    from django.utils import timezone

    from .models import Organisation, OrganisationInvitation

    if not getattr(user, "is_authenticated", False):
        return OrganisationInvitation.objects.none()
    now = now or timezone.now()
    addresses = EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    return (
        OrganisationInvitation.objects.filter(
            email__in=[a.lower() for a in addresses], accepted_at__isnull=True, expires_at__gt=now
        )
        .exclude(organisation__status=Organisation.Status.DECLINED)
        .select_related("organisation")
        .order_by("-created_at")
    )
