"""What each role gets from a GET of every Stepping Stones URL.

Pupil records are built between schools none of the role users belong to (the matrix school is a secondary whose lead
and headteacher are the "stepping_stones_lead" and "headteacher" users), so every pupil page answers 404 for everyone
but the VRU's Stepping Stones coordinators, and 302 (to sign in) for anonymous visitors. "View as" is covered by
tests/stepping_stones/test_views.py (404 on every pupil page). The objects are built in
tests/stepping_stones/access_builders.py. The API's rows are the domain's (api/access_rows.py).
"""

from core.access import AccessRow

from .api.access_rows import ROWS as API_ROWS

ANON = {"anonymous": 302}
COORDINATOR = {"stepping_stones_coordinator": 200}
LEADS = {"headteacher": 200, "stepping_stones_lead": 200}
PUPIL_PAGE = {**ANON, "default": 404}
COORDINATOR_PAGE = {**ANON, **COORDINATOR, "default": 403}


def _rows():
    return [
        AccessRow(
            "stepping_stones:home",
            {**ANON, **LEADS, **COORDINATOR, "default": 403},
            notes="Leads (headteachers hold every duty) and coordinators.",
        ),
        AccessRow("stepping_stones:privacy", {"default": 200}, notes="Public: parents may be shown it."),
        AccessRow(
            "stepping_stones:refer_start",
            {**ANON, **COORDINATOR, **LEADS, "default": 403},
            kwargs="stepping_stones.open_cohort_and_primary",
            notes="A primary's lead refers; the matrix school is a secondary, so its lead and head get a page saying "
            "referrals come from primaries (200); coordinators may refer for a feeder primary of an open transition.",
        ),
        AccessRow(
            "stepping_stones:referral_new",
            # A lead who may not refer (the matrix's leads lead no referring primary) is sent to the start page, which
            # says why; everyone else without the role gets 403.
            {**ANON, **COORDINATOR, "headteacher": 302, "stepping_stones_lead": 302, "default": 403},
            kwargs="stepping_stones.open_cohort_and_primary",
        ),
        AccessRow(
            "stepping_stones:referral_list",
            {**ANON, **LEADS, **COORDINATOR, "default": 403},
            kwargs="stepping_stones.open_cohort_and_primary",
        ),
        AccessRow("stepping_stones:find", {**ANON, **LEADS, **COORDINATOR, "default": 403}),
        # One pupil's record: coordinators only, as the role users lead neither school.
        AccessRow(
            "stepping_stones:referral_detail",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_pupil", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.draft_referral"
        ),
        AccessRow(
            "stepping_stones:referral_destination",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.draft_referral",
        ),
        AccessRow(
            "stepping_stones:referral_needs", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.draft_referral"
        ),
        AccessRow(
            "stepping_stones:referral_contact", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.draft_referral"
        ),
        AccessRow(
            "stepping_stones:referral_consent", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.draft_referral"
        ),
        AccessRow(
            "stepping_stones:referral_check", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.draft_referral"
        ),
        AccessRow(
            "stepping_stones:referral_confirmation",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_decide",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_confirm_place",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.offered_referral",
        ),
        AccessRow(
            "stepping_stones:referral_progress",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.accepted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_status", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.accepted_referral"
        ),
        AccessRow(
            "stepping_stones:referral_withdraw",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_route", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.pending_referral"
        ),
        AccessRow(
            "stepping_stones:referral_access_log",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
            notes="Coordinators only; a lead who may see the record gets 403.",
        ),
        AccessRow(
            "stepping_stones:referral_subject_access",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.submitted_referral",
        ),
        AccessRow(
            "stepping_stones:referral_erase", {**PUPIL_PAGE, **COORDINATOR}, kwargs="stepping_stones.submitted_referral"
        ),
        AccessRow(
            "stepping_stones:school_cohort",
            {**PUPIL_PAGE, **COORDINATOR},
            kwargs="stepping_stones.other_secondary",
            notes="A secondary's cohort: its own leads and coordinators.",
        ),
        # The VRU's coordinators.
        AccessRow("stepping_stones:pending", COORDINATOR_PAGE),
        AccessRow("stepping_stones:duplicates", COORDINATOR_PAGE, kwargs="stepping_stones.with_duplicate"),
        AccessRow(
            "stepping_stones:duplicate_decide",
            COORDINATOR_PAGE,
            kwargs="stepping_stones.duplicate_pk",
            notes="Both pupils' records side by side: coordinators only.",
        ),
        AccessRow("stepping_stones:dashboard", COORDINATOR_PAGE, kwargs="stepping_stones.with_cohort"),
        AccessRow("stepping_stones:needs", COORDINATOR_PAGE),
        AccessRow(
            "stepping_stones:need_edit",
            COORDINATOR_PAGE,
            kwargs="stepping_stones.need_pk",
            notes="Rename a need: coordinators.",
        ),
        AccessRow("stepping_stones:cohorts", COORDINATOR_PAGE),
        AccessRow("stepping_stones:cohort_detail", COORDINATOR_PAGE, kwargs="stepping_stones.year"),
        AccessRow("stepping_stones:cohort_end_date", COORDINATOR_PAGE, kwargs="stepping_stones.year"),
        AccessRow("stepping_stones:participating_school_add", COORDINATOR_PAGE, kwargs="stepping_stones.year"),
        AccessRow("stepping_stones:participating_school", COORDINATOR_PAGE, kwargs="stepping_stones.year_and_school"),
        AccessRow("stepping_stones:cohort_import", COORDINATOR_PAGE, kwargs="stepping_stones.year"),
        AccessRow("stepping_stones:evaluation_export", COORDINATOR_PAGE, kwargs="stepping_stones.year"),
        AccessRow(
            "stepping_stones:primary_referrals_export",
            COORDINATOR_PAGE,
            kwargs="stepping_stones.year",
            notes="Referrals per primary school, counts only: the dashboard's file.",
        ),
        *API_ROWS,
    ]


ROWS = _rows()
