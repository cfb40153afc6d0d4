"""Stepping Stones pages. Views gate early (403 / 404), call one service or selector, and turn domain errors into
GOV.UK error summaries.

Every page here is a pupil page or sits next to them, so every one:
- answers 404 while an admin is "viewing as" someone (view-as never sees pupil records);
- carries `Cache-Control: no-store` (`never_cache`);
- marks every POST parameter sensitive, so an error report never carries pupil form data;
- logs each view of a pupil record through the domain's `referral_viewed` service.
Pupil records are addressed by reference number only; searches are POSTed and answered in the POST response.

By subject: `home` (home, privacy notice, find), `referring` (a primary's question pages and check your answers),
`records` (one pupil's record and the decisions on it, the lists, a secondary's cohort), `coordinators` (dashboard,
needs, transitions, import, evaluation file), `duplicates` (possible duplicates); shared pieces in `_common`.
"""

from ._common import (
    PER_PAGE,
    pupil_page,
)
from .coordinators import (
    cohort_detail,
    cohort_end_date,
    cohort_import,
    cohorts,
    dashboard,
    evaluation_export,
    need_edit,
    needs,
    participating_school,
    pending,
    primary_referrals_export,
)
from .duplicates import (
    duplicate_decide,
    duplicates,
)
from .home import (
    find,
    home,
    privacy,
)
from .records import (
    referral_access_log,
    referral_confirm_place,
    referral_decide,
    referral_detail,
    referral_erase,
    referral_list,
    referral_progress,
    referral_route,
    referral_status,
    referral_subject_access,
    referral_withdraw,
    school_cohort,
)
from .referring import (
    RETURN_TO_CHECK,
    refer_start,
    referral_check,
    referral_confirmation,
    referral_consent,
    referral_contact,
    referral_destination,
    referral_needs,
    referral_new,
    referral_pupil,
)

__all__ = [
    "PER_PAGE",
    "RETURN_TO_CHECK",
    "cohort_detail",
    "cohort_end_date",
    "cohort_import",
    "cohorts",
    "dashboard",
    "duplicate_decide",
    "duplicates",
    "evaluation_export",
    "find",
    "home",
    "need_edit",
    "needs",
    "participating_school",
    "pending",
    "primary_referrals_export",
    "privacy",
    "pupil_page",
    "refer_start",
    "referral_access_log",
    "referral_check",
    "referral_confirm_place",
    "referral_confirmation",
    "referral_consent",
    "referral_contact",
    "referral_decide",
    "referral_destination",
    "referral_detail",
    "referral_erase",
    "referral_list",
    "referral_needs",
    "referral_new",
    "referral_progress",
    "referral_pupil",
    "referral_route",
    "referral_status",
    "referral_subject_access",
    "referral_withdraw",
    "school_cohort",
]
