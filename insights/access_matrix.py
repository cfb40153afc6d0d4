"""What each role gets from a GET of every insights URL. The school profile points at the access matrix's own school
(Hackney, Central East BCU, where the matrix allocator works), so its staff, that allocator and VRU roles see it;
everyone else gets 404."""

from core.access import AccessRow

DASHBOARD = {
    "police_allocator": 200,
    "programme_admin": 200,
    "stepping_stones_coordinator": 200,
    "toolkit_editor": 200,
}
PROFILE = {
    "headteacher": 200,
    "school_staff": 200,
    "stepping_stones_lead": 200,
    "police_allocator": 200,
    "programme_admin": 200,
    "stepping_stones_coordinator": 200,
    "toolkit_editor": 200,
}
# The audit is searched by the VRU roles; everyone else is refused (403), the API answers 403 to them too.
AUDIT = {"programme_admin": 200, "stepping_stones_coordinator": 200, "toolkit_editor": 200}


def _matrix_school():
    from accounts.access_matrix import matrix_school

    return {"urn": matrix_school().pk}


def _with_matrix_school():
    _matrix_school()
    return {}


ROWS = [
    AccessRow("insights:dashboard", {"anonymous": 302, "default": 403, **DASHBOARD}),
    AccessRow(
        "insights:dashboard",
        {"anonymous": 302, "default": 403, **DASHBOARD},
        query="measure=officer_cover_percent&phase=secondary",
        notes="Another measure and a filter.",
    ),
    AccessRow("insights:school_find", {"anonymous": 302, "default": 200}, notes="Lists only the person's own schools."),
    AccessRow(
        "insights:school_find",
        {"anonymous": 302, "default": 200, **dict.fromkeys(PROFILE, 302)},
        kwargs=_with_matrix_school,
        query="q=199001",
        notes="Those who may see the matrix school's profile are sent to it; others see 'no school you can see'.",
    ),
    AccessRow(
        "insights:school_find",
        {"anonymous": 302, "default": 200, **dict.fromkeys(PROFILE, 302)},
        kwargs=_with_matrix_school,
        query="urn=199001",
        notes="A link from before the name search (the URN as `urn`): the same as q=.",
    ),
    AccessRow(
        "insights:school_find",
        {"anonymous": 302, "default": 200},
        kwargs=_with_matrix_school,
        query="q=Academy",
        notes="A search by name lists only the schools whose profile the person may see (none for most).",
    ),
    AccessRow(
        "insights:school_profile",
        {"anonymous": 302, "default": 404, **PROFILE},
        kwargs=_matrix_school,
        notes="Officers see only schools they are the named contact for; others 404.",
    ),
    AccessRow("insights-api:dashboard", {"anonymous": 401, "default": 403, **DASHBOARD}),
    AccessRow("insights-api:map", {"anonymous": 401, "default": 403, **DASHBOARD}, query="measure=wands_delivered"),
    AccessRow("insights-api:school-profile", {"anonymous": 401, "default": 404, **PROFILE}, kwargs=_matrix_school),
    AccessRow(
        "insights-api:own-borough",
        {"default": 401},
        notes="systems only: an OAuth access token with borough:read (tests/machine_clients)",
    ),
    AccessRow("audit:search", {"anonymous": 302, **AUDIT, "default": 403}),
    AccessRow("audit:export", {"anonymous": 302, **AUDIT, "default": 403}),
    AccessRow("audit-api:list", {"anonymous": 401, **AUDIT, "default": 403}),
]
