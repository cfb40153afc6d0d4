"""What each role gets from a GET of every officers URL. The allocator role user covers Central East, where the
objects are built (tests/officers/access_builders.py); the police-officer role user has no officer record yet, so
their own pages refuse them."""

from core.access import AccessRow

ANON = {"anonymous": 302}
ALLOCATOR = {**ANON, "default": 403, "police_allocator": 200}


def _rows():
    return [
        AccessRow(
            "officers:home",
            {**ANON, "default": 403, "police_allocator": 302, "headteacher": 302},
            notes="Allocators go to the queue, headteachers to their named officer; officers with a record to theirs.",
        ),
        AccessRow("officers:queue", ALLOCATOR),
        AccessRow("officers:school_detail", ALLOCATOR, kwargs="officers.urn"),
        AccessRow("officers:school_weight", ALLOCATOR, kwargs="officers.urn"),
        AccessRow("officers:assignment_end", ALLOCATOR, kwargs="officers.assigned_urn"),
        AccessRow(
            "officers:request_officer",
            {**ANON, "default": 404},
            kwargs="officers.urn",
            notes="Not the role user's school.",
        ),
        AccessRow("officers:officer_list", ALLOCATOR),
        AccessRow("officers:officer_create", ALLOCATOR),
        AccessRow("officers:officer_import", ALLOCATOR),
        AccessRow("officers:officer_detail", ALLOCATOR, kwargs="officers.officer_pk"),
        AccessRow("officers:officer_edit", ALLOCATOR, kwargs="officers.officer_pk"),
        AccessRow("officers:officer_end", ALLOCATOR, kwargs="officers.officer_pk"),
        AccessRow("officers:coverage", ALLOCATOR),
        AccessRow("officers:optimiser", ALLOCATOR),
        AccessRow("officers:optimiser_apply", {"default": 405}, notes="POST only."),
        AccessRow("officers:optimiser_run_create", {"default": 405}, notes="POST only."),
        AccessRow(
            "officers:optimiser_run",
            {**ANON, "default": 403, "police_allocator": 200},
            kwargs="officers.run_pk",
            notes="Only the allocator who started the run sees it (404 for other allocators).",
        ),
        AccessRow("officers:optimiser_run_apply", {"default": 405}, kwargs="officers.run_pk", notes="POST only."),
        AccessRow("officers:weight_rules", ALLOCATOR),
        AccessRow("officers:what_if", ALLOCATOR),
        AccessRow("officers:my_schools", {**ANON, "default": 403}, notes="Only a user linked to an officer record."),
        AccessRow("officers:named_officer", {**ANON, "default": 403, "headteacher": 200}),
        *_api_rows(),
    ]


def _api_rows():
    anon = {"anonymous": 401}
    allocator = {**anon, "default": 403, "police_allocator": 200}
    post_only = {**anon, "default": 405}
    return [
        AccessRow("officers-api:officers", allocator),
        AccessRow("officers-api:officer", allocator, kwargs="officers.officer_pk"),
        AccessRow("officers-api:officer-import", post_only),
        AccessRow("officers-api:officer-end", post_only, kwargs="officers.officer_pk"),
        AccessRow("officers-api:queue", allocator),
        AccessRow("officers-api:suggestions", allocator, kwargs="officers.urn"),
        AccessRow("officers-api:assignments", post_only),
        AccessRow("officers-api:assignment-end", post_only, kwargs=lambda: {"pk": 1}),
        AccessRow("officers-api:coverage", allocator),
        AccessRow("officers-api:optimiser", post_only),
        AccessRow("officers-api:optimiser-apply", post_only),
        AccessRow("officers-api:optimiser-runs", post_only),
        AccessRow(
            "officers-api:optimiser-run",
            allocator,
            kwargs="officers.run_pk",
            notes="Only the allocator who started it.",
        ),
        AccessRow("officers-api:optimiser-run-apply", post_only, kwargs="officers.run_pk"),
        AccessRow("officers-api:what-if", post_only),
        AccessRow("officers-api:weight-override", post_only, kwargs="officers.urn"),
        AccessRow("officers-api:requests", post_only),
        AccessRow("officers-api:named-officers", {**anon, "default": 200}, notes="Scoped: empty for non-headteachers."),
        AccessRow("officers-api:my-schools", {**anon, "default": 403}),
    ]


ROWS = _rows()
