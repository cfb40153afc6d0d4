"""Who may do what to which object. Each predicate answers True or False (`core.permissions.predicate`).

Views check these to show a 403 (or 404 for objects outside scope) early; services check them again and raise.
"""

from core.permissions import pk_of as _pk
from core.permissions import predicate
from core.workflow import action_open
from schools.models import School

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
)
from .selectors import headteacher_school_ids, school_has_headteacher, user_role_names


@predicate
def is_programme_admin(user) -> bool:
    return roles.PROGRAMME_ADMIN in user_role_names(user)


@predicate
def is_headteacher_of(user, school) -> bool:
    return _pk(school) in headteacher_school_ids(user)


@predicate
def can_invite_headteacher(user) -> bool:
    return is_programme_admin(user)


@predicate
def can_view_school_members(user, school) -> bool:
    return is_headteacher_of(user, school) or is_programme_admin(user)


@predicate
def can_manage_school_members(user, school) -> bool:
    """Inviting staff and granting or removing duties belong to the school's headteacher."""
    return is_headteacher_of(user, school)


@predicate
def can_invite_staff(user, school) -> bool:
    return can_manage_school_members(user, school) and school.is_open


@predicate(about=SchoolMembership)
def can_manage_duties(user, membership) -> bool:
    return membership.ended_at is None and is_headteacher_of(user, membership.school_id)


@predicate(about=SchoolMembership)
def can_end_membership(user, membership) -> bool:
    """The school's headteacher ends its memberships (their own too, when leaving); a programme admin any of them."""
    return is_headteacher_of(user, membership.school_id) or is_programme_admin(user)


@predicate(about=JoinRequest)
def can_decide_join_request(user, join_request) -> bool:
    """The school's headteacher decides; a programme admin only where the school has no current headteacher."""
    if is_headteacher_of(user, join_request.school_id):
        return True
    return is_programme_admin(user) and not school_has_headteacher(join_request.school_id)


@predicate(about=School)
def can_request_to_join(user, school) -> bool:
    return school.is_open


@predicate(about=Invitation)
def can_revoke_invitation(user, invitation) -> bool:
    if is_programme_admin(user):
        return True
    return invitation.role == Invitation.Role.STAFF and is_headteacher_of(user, invitation.school_id)


@predicate
def can_resend_invitations(user) -> bool:
    """Programme admins send expired invitations again (headteachers' and staff's alike)."""
    return is_programme_admin(user)


@predicate
def can_grant_programme_roles(user) -> bool:
    """Programme admins grant and end police, VRU and fulfilment roles."""
    return is_programme_admin(user)


@predicate
def can_end_role(user, record) -> bool:
    return can_grant_programme_roles(user)


@predicate
def can_verify_organisation(user) -> bool:
    return is_programme_admin(user)


@predicate
def can_register_organisation(user) -> bool:
    return True


@predicate(about=Organisation)
def can_decide_organisation(user, organisation) -> bool:
    """Programme admins verify or decline an organisation (Organisation.ACTIONS says in which status)."""
    return can_verify_organisation(user)


@predicate
def can_invite_to_organisation(user, organisation) -> bool:
    """Only a verified organisation invites (Organisation.ACTIONS): its current members, or a programme admin."""
    return action_open(organisation, "invite", user)


@predicate
def is_invited_person(user, invitation) -> bool:
    """Signed in with the address the invitation was sent to (TokenInvitation.ACTIONS: who may accept it)."""
    return user.email.lower() == invitation.email.lower()


@predicate
def may_act_for_organisation(user, organisation) -> bool:
    """A current member of the organisation, or a programme admin."""
    if is_programme_admin(user):
        return True
    return OrganisationMembership.objects.current().filter(user=user, organisation=organisation).exists()


@predicate
def can_reset_two_factor(user, target) -> bool:
    """A programme admin resets someone else's two-factor (never their own: another admin checks them)."""
    return is_programme_admin(user) and _pk(target) != user.pk


@predicate
def can_review_access(user) -> bool:
    return is_programme_admin(user) or bool(headteacher_school_ids(user))


@predicate
def can_list_invitations(user) -> bool:
    """Programme admins (every invitation) and headteachers (their schools')."""
    return is_programme_admin(user) or bool(headteacher_school_ids(user))


def role_holder_id(record) -> int | None:
    """Whose access a reviewed role record gives."""
    if isinstance(record, SchoolDuty):
        return record.membership.user_id
    return getattr(record, "user_id", None)


@predicate
def can_review_role(user, record) -> bool:
    """The role is within this user's access reviews: a headteacher's school's duties, the other roles for admins."""
    if isinstance(record, SchoolDuty):
        return is_headteacher_of(user, record.membership.school_id)
    if isinstance(record, PoliceRole | ProgrammeRole):
        return is_programme_admin(user)
    return False


@predicate(about=(SchoolDuty, PoliceRole, ProgrammeRole))
def can_confirm_role(user, record) -> bool:
    """A reviewer confirms roles on their list, never one of their own: nobody extends their own access."""
    return record.ended_at is None and can_review_role(user, record) and role_holder_id(record) != user.pk
