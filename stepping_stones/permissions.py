"""Who may do what in Stepping Stones. Each predicate answers True or False and never raises.

Pupil records are seen only by the Stepping Stones leads of the referring primary and the receiving secondary (the
"stepping_stones_lead" duty; headteachers hold every duty at their school) and by VRU Stepping Stones coordinators.
Programme admins and police see nothing. Every predicate here (and every selector) takes a user, never a request:
"viewing as" is resolved once at the edge, which refuses it before anything here is asked (the `pupil_page`
decorator, the API's `NotViewingAs` permission; pages showing only counts pass `viewing_as` to their selectors).
"""

from accounts import roles
from accounts.selectors import schools_acting_for, user_role_names

LEAD_DUTY = "stepping_stones_lead"


def _active(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _pk(obj):
    return getattr(obj, "pk", obj)


def pupil_reader(user):
    """The user whose pupil access applies: the user if signed in and active, else None. A request is a bug, not a
    refusal (view-as is resolved at the edge, never here): it raises TypeError."""
    if hasattr(user, "META") or hasattr(user, "_request"):
        raise TypeError("Stepping Stones permissions and selectors take a user, not a request")
    return user if _active(user) else None


def is_coordinator(user) -> bool:
    user = pupil_reader(user)
    return user is not None and roles.STEPPING_STONES_COORDINATOR in user_role_names(user)


def lead_school_ids(user) -> frozenset[int]:
    """URNs of the schools where the user is a Stepping Stones lead (or headteacher); cached on the user."""
    user = pupil_reader(user)
    if user is None:
        return frozenset()
    cached = getattr(user, "_ss_lead_school_ids", None)
    if cached is None:
        cached = frozenset(schools_acting_for(user, duty=LEAD_DUTY).values_list("pk", flat=True))
        user._ss_lead_school_ids = cached
    return cached


def is_lead(user) -> bool:
    return bool(lead_school_ids(user))


def leads_school(user, school) -> bool:
    school_id = _pk(school)
    return school_id is not None and school_id in lead_school_ids(user)


def can_use_stepping_stones(user) -> bool:
    """Sees the Stepping Stones pages at all: coordinators and leads."""
    return is_coordinator(user) or is_lead(user)


def can_view_referral(user, referral) -> bool:
    if referral is None or (referral.erased_at is not None and not is_coordinator(user)):
        return False
    return (
        is_coordinator(user)
        or leads_school(user, referral.referring_school_id)
        or (
            referral.receiving_school_id is not None
            and referral.status != referral.Status.DRAFT  # nothing is shared before submission (with consent)
            and leads_school(user, referral.receiving_school_id)
        )
    )


def can_refer_from(user, school) -> bool:
    """A primary's lead refers its own pupils; coordinators may refer on a primary's behalf."""
    return is_coordinator(user) or leads_school(user, school)


def can_edit_referral(user, referral) -> bool:
    """The referring primary edits until the secondary accepts; coordinators may correct any live record."""
    if referral is None or not referral.has_personal_data or referral.status not in referral.LIVE:
        return False
    if is_coordinator(user):
        return True
    return leads_school(user, referral.referring_school_id) and not referral.is_locked_for_primary


def can_record_consent(user, referral) -> bool:
    return can_edit_referral(user, referral)


def can_submit_referral(user, referral) -> bool:
    return (
        referral is not None
        and referral.status == referral.Status.DRAFT
        and (is_coordinator(user) or leads_school(user, referral.referring_school_id))
    )


def can_decide_referral(user, referral) -> bool:
    """Accept, waitlist, decline, confirm an offered place: the receiving secondary's lead or a coordinator."""
    if referral is None or referral.receiving_school_id is None:
        return False
    return is_coordinator(user) or leads_school(user, referral.receiving_school_id)


def can_set_destination(user, referral) -> bool:
    """Route a pending referral once its secondary is known: coordinators and the referring primary's lead."""
    if referral is None or referral.status not in (referral.Status.PENDING_DESTINATION, referral.Status.DRAFT):
        return False
    return is_coordinator(user) or leads_school(user, referral.referring_school_id)


def can_update_progress(user, referral) -> bool:
    if referral is None or referral.receiving_school_id is None:
        return False
    return is_coordinator(user) or leads_school(user, referral.receiving_school_id)


def can_withdraw_referral(user, referral) -> bool:
    """Withdraw or record a move: anyone who may see the live record."""
    return referral is not None and referral.status in referral.LIVE and can_view_referral(user, referral)


def can_withdraw_consent(user, referral) -> bool:
    """Anyone who may see the record, while it still holds personal data (whatever its state)."""
    return referral is not None and referral.has_personal_data and can_view_referral(user, referral)


def can_manage_cohorts(user) -> bool:
    """Cohorts, participating schools, needs and imports belong to the VRU coordinators."""
    return is_coordinator(user)


def can_view_dashboard(user) -> bool:
    return is_coordinator(user)


def can_view_pending_destinations(user) -> bool:
    return is_coordinator(user)


def can_export_evaluation(user) -> bool:
    return is_coordinator(user)


def can_export_subject_access(user, referral=None) -> bool:
    return is_coordinator(user)


def can_erase_referral(user, referral=None) -> bool:
    return is_coordinator(user)


def can_view_access_log(user, referral=None) -> bool:
    return is_coordinator(user)


def can_route_referral(user, referral) -> bool:
    """Send a pending referral to its secondary from the record: the VRU coordinators (the referring primary's lead
    changes it on its own question page)."""
    return referral is not None and is_coordinator(user)


def can_erase_pupil_details(user, referral) -> bool:
    """Erase a record's pupil details: coordinators, while they are not erased yet."""
    return referral is not None and referral.erased_at is None and can_erase_referral(user, referral)


def can_offer_subject_access(user, referral) -> bool:
    """Offer the subject access download on the record: coordinators, while the pupil's details are not erased (the
    page itself stays open to them: `can_export_subject_access`)."""
    return referral is not None and referral.erased_at is None and can_export_subject_access(user, referral)


def can_view_school_cohort(user, school) -> bool:
    """A secondary's lead sees their own school's cohort (its places and waiting list)."""
    return is_coordinator(user) or leads_school(user, school)


def can_decide_duplicates(user) -> bool:
    """Possible duplicates (the same UPN referred by two schools): the VRU coordinators, who see both records."""
    return is_coordinator(user)
