"""Who may do what with wands. Each predicate answers True or False and never raises."""

from accounts import roles
from accounts.selectors import schools_acting_for, user_role_names
from core.permissions import is_active_user as _active
from core.permissions import pk_of as _pk
from core.workflow import action_open

WAND_REQUESTS_DUTY = "wand_requests"


def is_wand_admin(user) -> bool:
    return _active(user) and roles.PROGRAMME_ADMIN in user_role_names(user)


def is_fulfilment(user) -> bool:
    return _active(user) and roles.FULFILMENT_STAFF in user_role_names(user)


def can_run_wand_programme(user) -> bool:
    """Programme admins and fulfilment staff see every request, the queue, stock and the dashboard."""
    return _active(user) and bool(user_role_names(user) & {roles.PROGRAMME_ADMIN, roles.FULFILMENT_STAFF})


def acts_for_school_on_wands(user, school) -> bool:
    """The school's headteacher, or a member of its staff holding the wand-requests duty."""
    if not _active(user) or school is None:
        return False
    return schools_acting_for(user, duty=WAND_REQUESTS_DUTY).filter(pk=_pk(school)).exists()


def acts_for_wand_request(user, wand_request) -> bool:
    """Acts for the request's school, or for a school that took it over by an applied succession: a delivered
    request stays on the old school, but its wands are the successor's now (it sees them and reports problems)."""
    if acts_for_school_on_wands(user, wand_request.school_id):
        return True
    if not _active(user):
        return False
    from schools.selectors import predecessors_q  # the register's lineage; imported late like the models

    from .models import WandRequest

    schools = schools_acting_for(user, duty=WAND_REQUESTS_DUTY).values("pk")
    return WandRequest.objects.filter(pk=wand_request.pk).filter(predecessors_q("school", schools)).exists()


def can_request_wands(user, school) -> bool:
    return school is not None and school.is_open and acts_for_school_on_wands(user, school)


def acts_for_wand_request_school(user, wand_request) -> bool:
    """Acts for the school the request is for (not for a successor: confirming a delivery is the school's)."""
    return wand_request is not None and acts_for_school_on_wands(user, wand_request.school_id)


def may_cancel_for_school(user, wand_request) -> bool:
    """Programme admins, or whoever acts for the request's school (WandRequest.ACTIONS says in which statuses)."""
    return is_wand_admin(user) or acts_for_wand_request_school(user, wand_request)


def can_cancel_wand_request(user, wand_request) -> bool:
    return wand_request is not None and action_open(wand_request, "cancel", user)


def can_decide_wand_request(user, wand_request=None) -> bool:
    """Approving and rejecting belong to programme admins."""
    return is_wand_admin(user)


def can_dispatch_wand_request(user, wand_request=None) -> bool:
    return is_fulfilment(user)


def can_confirm_wand_delivery(user, wand_request) -> bool:
    # The wand workflow: the programme dispatches and the school confirms delivery. Fulfilment staff hold "dispatch,
    # couriers, returns" (docs/roles.md), so they are not offered the school's confirmation.
    return wand_request is not None and action_open(wand_request, "confirm_delivery", user)


def can_report_wand_issue(user, wand_request) -> bool:
    return wand_request is not None and action_open(wand_request, "report_issue", user)


def can_resolve_wand_issue(user, issue=None) -> bool:
    """Fulfilment staff take returns in."""
    return is_fulfilment(user)


def can_collect_wand_pickup(user, issue=None) -> bool:
    """Fulfilment staff collect the faulty wands a replacement was sent for."""
    return is_fulfilment(user)


def can_manage_wand_stock(user) -> bool:
    """Deliveries from the supplier and write-offs: programme admins and fulfilment staff."""
    return can_run_wand_programme(user)


def can_manage_wand_allowances(user) -> bool:
    return is_wand_admin(user)


def can_import_existing_deliveries(user) -> bool:
    return is_wand_admin(user)


def can_view_wand_school_allowance(user, school) -> bool:
    return can_run_wand_programme(user) or acts_for_school_on_wands(user, school)
