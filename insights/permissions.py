"""Who may see the cross-programme dashboard and which school profiles. Predicates answer True or False, never raise."""

from accounts import roles
from accounts.selectors import schools_acting_for, user_role_names
from core.permissions import pk_of as _pk
from core.permissions import predicate
from officers import permissions as officer_permissions
from officers import selectors as officer_selectors


@predicate
def is_vru(user) -> bool:
    """Programme admins, Stepping Stones coordinators and toolkit editors: the dashboard for all of London."""
    return bool(user_role_names(user) & roles.VRU_ROLES)


@predicate
def can_view_dashboard(user) -> bool:
    """VRU roles (all London) and police allocators (their BCUs)."""
    return is_vru(user) or roles.POLICE_ALLOCATOR in user_role_names(user)


@predicate
def is_staff_of(user, school) -> bool:
    """Any current role at the school: headteacher or staff, whatever their duties."""
    return schools_acting_for(user).filter(pk=_pk(school)).exists()


@predicate
def is_named_officer_of(user, school) -> bool:
    if roles.POLICE_OFFICER not in user_role_names(user):
        return False
    officer = officer_selectors.officer_of_user(user)
    assignment = officer_selectors.current_assignment(school)
    return officer is not None and assignment is not None and assignment.officer_id == officer.pk


@predicate
def can_view_school_profile(user, school) -> bool:
    """The school's own staff, its named officer, allocators covering its BCU and VRU roles; nobody else."""
    return (
        is_vru(user)
        or officer_permissions.can_allocate_for_school(user, school)
        or is_staff_of(user, school)
        or is_named_officer_of(user, school)
    )
