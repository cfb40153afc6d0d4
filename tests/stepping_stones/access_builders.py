"""The objects the Stepping Stones access rows point at (stepping_stones/access_matrix.py and api/access_rows.py name
them as "stepping_stones.<builder>").

Pupil records are built between schools none of the role users belong to (the matrix school is a secondary whose lead
and headteacher are the "stepping_stones_lead" and "headteacher" users).
"""

from stepping_stones.models import Referral
from tests.stepping_stones.factories import (
    CohortFactory,
    ConsentFactory,
    NeedFactory,
    ParticipatingSchoolFactory,
    ReferralFactory,
    possible_duplicate,
    primary_school,
)

# The pages' builders ---------------------------------------------------------------------------------------------


def _cohort(year: int = 2026, **fields):
    return CohortFactory(transition_year=year, **fields)


def _referral(**traits):
    """A referral from a primary to a participating secondary, neither of them the matrix school."""
    cohort = _cohort()
    participating = ParticipatingSchoolFactory(cohort=cohort, places=10)
    pending = traits.pop("pending", False)
    referral = ReferralFactory(
        cohort=cohort, receiving_school=None if pending else participating.school, pending=pending, **traits
    )
    ConsentFactory(referral=referral)
    return referral


def draft_referral():
    return {"reference": _referral().reference}


def submitted_referral():
    return {"reference": _referral(submitted=True).reference}


def accepted_referral():
    return {"reference": _referral(accepted=True).reference}


def pending_referral():
    return {"reference": _referral(pending=True).reference}


def offered_referral():
    referral = _referral(waitlisted=True)
    Referral.objects.filter(pk=referral.pk).update(status=Referral.Status.OFFERED)
    return {"reference": referral.reference}


def open_cohort_and_primary():
    """An open transition whose participating secondary has a feeder primary (coordinators may refer for it)."""
    ParticipatingSchoolFactory(cohort=_cohort(), feeder_primaries=[primary_school()])
    return {}


def _duplicate():
    return possible_duplicate(_cohort())


def with_duplicate():
    _duplicate()
    return {}


def duplicate_pk():
    return {"pk": _duplicate().pk}


def with_cohort():
    _cohort()
    return {}


def year():
    return {"year": _cohort().transition_year}


def need_pk():
    return {"pk": NeedFactory().pk}


def year_and_school():
    row = ParticipatingSchoolFactory(cohort=_cohort())
    return {"year": row.cohort.transition_year, "urn": row.school_id}


def other_secondary():
    return {"urn": ParticipatingSchoolFactory(cohort=_cohort()).school_id}


# The API's builders ----------------------------------------------------------------------------------------------


def api_cohort():
    cohort = CohortFactory(transition_year=2026)
    ParticipatingSchoolFactory(cohort=cohort, places=5)
    return {"year": cohort.transition_year}


def api_need():
    return {"pk": NeedFactory(name="Attendance").pk}


def api_reference():
    cohort = CohortFactory(transition_year=2026)
    participating = ParticipatingSchoolFactory(cohort=cohort, places=5)
    referral = ReferralFactory(cohort=cohort, receiving_school=participating.school, submitted=True)
    ConsentFactory(referral=referral)
    return {"reference": referral.reference}


def _api_duplicate():
    return possible_duplicate(CohortFactory(transition_year=2026))


def api_with_duplicate():
    _api_duplicate()
    return {}


def api_duplicate_pk():
    return {"pk": _api_duplicate().pk}
