"""Access-matrix rows of the Stepping Stones API (GET of every URL name, for every role).

`stepping_stones/access_matrix.py` includes them (`from .api.access_rows import ROWS as API_ROWS`). Pupil records are
built between schools none of the matrix users belong to, so only coordinators see them; everyone else gets 404.
"""

from core.access import AccessRow

ANON = {"anonymous": 401}
COORDINATOR = {"stepping_stones_coordinator": 200}
IN_PROGRAMME = {"stepping_stones_coordinator": 200, "headteacher": 200, "stepping_stones_lead": 200}
POST_ONLY = {**ANON, "default": 405}


def _cohort():
    from tests.stepping_stones.factories import CohortFactory, ParticipatingSchoolFactory

    cohort = CohortFactory(transition_year=2026)
    ParticipatingSchoolFactory(cohort=cohort, places=5)
    return {"year": cohort.transition_year}


def _need():
    from tests.stepping_stones.factories import NeedFactory

    return {"pk": NeedFactory(name="Attendance").pk}


def _reference():
    from tests.stepping_stones.factories import (
        CohortFactory,
        ConsentFactory,
        ParticipatingSchoolFactory,
        ReferralFactory,
    )

    cohort = CohortFactory(transition_year=2026)
    participating = ParticipatingSchoolFactory(cohort=cohort, places=5)
    referral = ReferralFactory(cohort=cohort, receiving_school=participating.school, submitted=True)
    ConsentFactory(referral=referral)
    return {"reference": referral.reference}


def _duplicate():
    from tests.stepping_stones.factories import CohortFactory, possible_duplicate

    return possible_duplicate(CohortFactory(transition_year=2026))


ACTIONS = (
    "consent",
    "submit",
    "destination",
    "accept",
    "waitlist",
    "decline",
    "advance",
    "progress",
    "withdraw",
    "withdraw-consent",
    "erase",
)

ROWS = [
    AccessRow("stepping_stones-api:cohorts", {**ANON, **IN_PROGRAMME, "default": 403}),
    AccessRow("stepping_stones-api:cohort", {**ANON, **IN_PROGRAMME, "default": 404}, kwargs=_cohort),
    AccessRow("stepping_stones-api:cohort-schools", {**ANON, **IN_PROGRAMME, "default": 404}, kwargs=_cohort),
    AccessRow("stepping_stones-api:cohort-import", POST_ONLY, kwargs=_cohort, notes="POST only (multipart)."),
    AccessRow(
        "stepping_stones-api:evaluation-export",
        {**ANON, **COORDINATOR, "headteacher": 403, "stepping_stones_lead": 403, "default": 404},
        kwargs=_cohort,
    ),
    AccessRow(
        "stepping_stones-api:cohort-dashboard",
        {**ANON, **COORDINATOR, "headteacher": 403, "stepping_stones_lead": 403, "default": 404},
        kwargs=_cohort,
    ),
    AccessRow("stepping_stones-api:dashboard", {**ANON, **COORDINATOR, "default": 403}),
    AccessRow("stepping_stones-api:needs", {**ANON, **IN_PROGRAMME, "default": 403}),
    AccessRow(
        "stepping_stones-api:need",
        {**ANON, **COORDINATOR, "default": 404},
        kwargs=_need,
        notes="GET for the coordinators who PATCH it (its ETag goes in If-Match).",
    ),
    AccessRow("stepping_stones-api:referrals", {**ANON, **IN_PROGRAMME, "default": 403}),
    AccessRow("stepping_stones-api:search", POST_ONLY, notes="POST only: pupil details never in a URL."),
    AccessRow("stepping_stones-api:pending-destination", {**ANON, **COORDINATOR, "default": 403}),
    AccessRow("stepping_stones-api:referral", {**ANON, **COORDINATOR, "default": 404}, kwargs=_reference),
    AccessRow("stepping_stones-api:subject-access", {**ANON, **COORDINATOR, "default": 404}, kwargs=_reference),
    AccessRow("stepping_stones-api:access-log", {**ANON, **COORDINATOR, "default": 404}, kwargs=_reference),
    *[AccessRow(f"stepping_stones-api:{name}", POST_ONLY, kwargs=_reference, notes="POST only.") for name in ACTIONS],
    AccessRow(
        "stepping_stones-api:duplicates",
        {**ANON, **COORDINATOR, "default": 403},
        kwargs=lambda: (_duplicate(), {})[1],
        notes="Possible duplicate referrals: coordinators only.",
    ),
    *[
        AccessRow(f"stepping_stones-api:{name}", POST_ONLY, kwargs=lambda: {"pk": _duplicate().pk}, notes="POST only.")
        for name in ("duplicate-merge", "duplicate-decline", "duplicate-keep-both")
    ],
]
