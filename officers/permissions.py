"""Who may do what with officers and assignments. Predicates answer True or False and never raise."""

from accounts import roles
from accounts.permissions import is_headteacher_of
from accounts.selectors import user_role_names
from core.permissions import predicate

from . import selectors


@predicate
def is_allocator(user) -> bool:
    return roles.POLICE_ALLOCATOR in user_role_names(user)


@predicate
def can_allocate_in_bcu(user, bcu) -> bool:
    return getattr(bcu, "pk", bcu) in selectors.allocator_bcu_ids(user)


@predicate
def can_allocate_for_school(user, school) -> bool:
    bcu_id = school.local_authority.bcu_id
    return bcu_id is not None and bcu_id in selectors.allocator_bcu_ids(user)


@predicate
def can_manage_officer(user, officer) -> bool:
    return officer.bcu_id in selectors.allocator_bcu_ids(user)


@predicate
def can_request_officer(user, school) -> bool:
    return is_headteacher_of(user, school)


@predicate
def is_officer(user) -> bool:
    return selectors.officer_of_user(user) is not None
