"""Access-matrix rows of the Stepping Stones API (GET of every URL name, for every role).

`stepping_stones/access_matrix.py` includes them (`from .api.access_rows import ROWS as API_ROWS`). Pupil records are
built (tests/stepping_stones/access_builders.py) between schools none of the matrix users belong to, so only
coordinators see them; everyone else gets 404.
"""

from core.access import AccessRow

ANON = {"anonymous": 401}
COORDINATOR = {"stepping_stones_coordinator": 200}
IN_PROGRAMME = {"stepping_stones_coordinator": 200, "headteacher": 200, "stepping_stones_lead": 200}
POST_ONLY = {**ANON, "default": 405}


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
    AccessRow(
        "stepping_stones-api:cohort", {**ANON, **IN_PROGRAMME, "default": 404}, kwargs="stepping_stones.api_cohort"
    ),
    AccessRow(
        "stepping_stones-api:cohort-schools",
        {**ANON, **IN_PROGRAMME, "default": 404},
        kwargs="stepping_stones.api_cohort",
    ),
    AccessRow(
        "stepping_stones-api:cohort-import",
        POST_ONLY,
        kwargs="stepping_stones.api_cohort",
        notes="POST only (multipart).",
    ),
    AccessRow(
        "stepping_stones-api:evaluation-export",
        {**ANON, **COORDINATOR, "headteacher": 403, "stepping_stones_lead": 403, "default": 404},
        kwargs="stepping_stones.api_cohort",
    ),
    AccessRow(
        "stepping_stones-api:cohort-dashboard",
        {**ANON, **COORDINATOR, "headteacher": 403, "stepping_stones_lead": 403, "default": 404},
        kwargs="stepping_stones.api_cohort",
    ),
    AccessRow("stepping_stones-api:dashboard", {**ANON, **COORDINATOR, "default": 403}),
    AccessRow("stepping_stones-api:needs", {**ANON, **IN_PROGRAMME, "default": 403}),
    AccessRow(
        "stepping_stones-api:need",
        {**ANON, **COORDINATOR, "default": 404},
        kwargs="stepping_stones.api_need",
        notes="GET for the coordinators who PATCH it (its ETag goes in If-Match).",
    ),
    AccessRow("stepping_stones-api:referrals", {**ANON, **IN_PROGRAMME, "default": 403}),
    AccessRow("stepping_stones-api:search", POST_ONLY, notes="POST only: pupil details never in a URL."),
    AccessRow("stepping_stones-api:pending-destination", {**ANON, **COORDINATOR, "default": 403}),
    AccessRow(
        "stepping_stones-api:referral", {**ANON, **COORDINATOR, "default": 404}, kwargs="stepping_stones.api_reference"
    ),
    AccessRow(
        "stepping_stones-api:subject-access",
        {**ANON, **COORDINATOR, "default": 404},
        kwargs="stepping_stones.api_reference",
    ),
    AccessRow(
        "stepping_stones-api:access-log",
        {**ANON, **COORDINATOR, "default": 404},
        kwargs="stepping_stones.api_reference",
    ),
    *[
        AccessRow(f"stepping_stones-api:{name}", POST_ONLY, kwargs="stepping_stones.api_reference", notes="POST only.")
        for name in ACTIONS
    ],
    AccessRow(
        "stepping_stones-api:duplicates",
        {**ANON, **COORDINATOR, "default": 403},
        kwargs="stepping_stones.api_with_duplicate",
        notes="Possible duplicate referrals: coordinators only.",
    ),
    *[
        AccessRow(
            f"stepping_stones-api:{name}", POST_ONLY, kwargs="stepping_stones.api_duplicate_pk", notes="POST only."
        )
        for name in ("duplicate-merge", "duplicate-decline", "duplicate-keep-both")
    ],
]
