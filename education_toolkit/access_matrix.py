"""What each role gets from a GET of every toolkit URL. The role users have not accepted the terms of use, so a
download they may make first sends them to the terms (302 on the pages, 400 from the API)."""

from core.access import AccessRow

EDITOR_ONLY = {"anonymous": 302, "default": 403, "toolkit_editor": 200}
EVERYONE = {"default": 200}
# A verified-professionals file: school staff, verified organisation members and editors may (after the terms).
VERIFIED_FILE = {
    "anonymous": 302,
    "default": 403,
    "headteacher": 302,
    "school_staff": 302,
    "stepping_stones_lead": 302,
    "organisation_member": 302,
    "toolkit_editor": 302,
}


def _rows():
    return [
        AccessRow("toolkit:catalogue", EVERYONE),
        AccessRow("toolkit:terms", EVERYONE),
        AccessRow("toolkit:download_several", {"default": 405}, notes="POST only."),
        AccessRow("toolkit:resource", EVERYONE, kwargs="education_toolkit.slug", notes="A published public resource."),
        AccessRow("toolkit:download_selected", {"default": 405}, kwargs="education_toolkit.slug", notes="POST only."),
        AccessRow("toolkit:updates", {"default": 405}, kwargs="education_toolkit.slug", notes="POST only."),
        AccessRow("toolkit:delivery_report", {"anonymous": 302, "default": 200}, kwargs="education_toolkit.slug"),
        AccessRow(
            "toolkit:download_file",
            VERIFIED_FILE,
            kwargs="education_toolkit.verified_version",
            notes="Signed out: to sign in. Without the role: 403 with the reason. With it: to the terms first.",
        ),
        AccessRow("toolkit:editor_list", EDITOR_ONLY),
        AccessRow("toolkit:editor_create", EDITOR_ONLY),
        AccessRow("toolkit:editor_edit", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:editor_preview", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:editor_file_add", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:editor_version_upload", EDITOR_ONLY, kwargs="education_toolkit.file_id"),
        AccessRow("toolkit:editor_publish", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:editor_archive", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:editor_history", EDITOR_ONLY, kwargs="education_toolkit.draft_pk"),
        AccessRow("toolkit:analytics", EDITOR_ONLY),
        AccessRow("toolkit:editor_synonyms", EDITOR_ONLY),
        AccessRow("toolkit:editor_synonym_edit", EDITOR_ONLY, kwargs="education_toolkit.synonym_pk"),
        *_api_rows(),
    ]


def _api_rows():
    return [
        AccessRow("toolkit-api:resources", EVERYONE),
        AccessRow("toolkit-api:facets", EVERYONE),
        AccessRow("toolkit-api:resource", EVERYONE, kwargs="education_toolkit.slug"),
        AccessRow("toolkit-api:resource-zip", {"default": 405}, kwargs="education_toolkit.slug", notes="POST only."),
        AccessRow("toolkit-api:several-zip", {"default": 405}, notes="POST only."),
        AccessRow(
            "toolkit-api:file-download",
            {
                **{role: 400 for role, status in VERIFIED_FILE.items() if status == 302},
                "anonymous": 401,
                "default": 403,
            },
            kwargs="education_toolkit.verified_version",
            notes="400: the terms of use are not accepted yet.",
        ),
        AccessRow("toolkit-api:terms", {"anonymous": 401, "default": 200}),
        AccessRow("toolkit-api:analytics", {"anonymous": 401, "default": 403, "toolkit_editor": 200}),
        AccessRow("toolkit-api:synonyms", {"anonymous": 401, "default": 403, "toolkit_editor": 200}),
        AccessRow(
            "toolkit-api:synonym",
            {"anonymous": 401, "default": 403, "toolkit_editor": 200},
            kwargs="education_toolkit.synonym_pk",
        ),
    ]


ROWS = _rows()
