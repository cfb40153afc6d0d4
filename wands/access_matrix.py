"""What each role gets from a GET of every wands URL. Objects are built at a school none of the role users belong to
(tests/wands/access_builders.py), so school roles get 404 for them (out of scope), while programme roles see them."""

from core.access import AccessRow

ANON = {"anonymous": 302}
PROGRAMME = {"programme_admin": 200, "fulfilment_staff": 200}


def _rows():
    return [
        AccessRow(
            "wands:home",
            {**ANON, "default": 403, "headteacher": 200, "programme_admin": 302, "fulfilment_staff": 302},
            notes="Headteachers see their school's allowance; programme staff are sent to the queue.",
        ),
        AccessRow(
            "wands:request_new", {**ANON, "default": 404}, kwargs="wands.urn", notes="Not the role user's school."
        ),
        AccessRow("wands:request_check", {**ANON, "default": 404}, kwargs="wands.urn"),
        AccessRow("wands:school_allowance", {**ANON, "default": 403, "programme_admin": 200}, kwargs="wands.urn"),
        AccessRow("wands:request_detail", {**ANON, **PROGRAMME, "default": 404}, kwargs="wands.request_pk"),
        AccessRow("wands:request_confirmation", {**ANON, **PROGRAMME, "default": 404}, kwargs="wands.request_pk"),
        AccessRow(
            "wands:request_cancel",
            {**ANON, "default": 404, "programme_admin": 200, "fulfilment_staff": 403},
            kwargs="wands.request_pk",
        ),
        AccessRow(
            "wands:request_decide",
            {**ANON, "default": 404, "programme_admin": 200, "fulfilment_staff": 403},
            kwargs="wands.request_pk",
        ),
        AccessRow(
            "wands:request_dispatch",
            {**ANON, "default": 404, "programme_admin": 403, "fulfilment_staff": 200},
            kwargs="wands.approved_request_pk",
        ),
        AccessRow(
            "wands:request_confirm_delivery",
            {**ANON, "default": 404, "programme_admin": 403, "fulfilment_staff": 403},
            kwargs="wands.dispatched_request_pk",
        ),
        AccessRow(
            "wands:request_report_issue",
            {**ANON, "default": 404, "programme_admin": 403, "fulfilment_staff": 403},
            kwargs="wands.delivered_request_pk",
        ),
        AccessRow("wands:queue", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:approve_many", {"default": 405}, notes="POST only."),
        AccessRow("wands:export_csv", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:stock", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:stock_delivery", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:stock_write_off", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:dispatch_upload", {**ANON, "default": 403, "fulfilment_staff": 200}),
        AccessRow("wands:dispatch_list_csv", {**ANON, "default": 403, "fulfilment_staff": 200}),
        AccessRow("wands:returns", {**ANON, "default": 403, "fulfilment_staff": 200}),
        AccessRow(
            "wands:pickup_collected",
            {**ANON, "default": 404, "programme_admin": 403, "fulfilment_staff": 200},
            kwargs="wands.pickup_pk",
            notes="Programme admins see the request but only fulfilment staff collect.",
        ),
        AccessRow("wands:existing_import", {**ANON, "default": 403, "programme_admin": 200}),
        AccessRow("wands:dashboard", {**ANON, **PROGRAMME, "default": 403}),
        AccessRow("wands:allowance_rules", {**ANON, "default": 403, "programme_admin": 200}),
        *_api_rows(),
    ]


def _api_rows():
    api_anon = {"anonymous": 401}
    programme = {"programme_admin": 200, "fulfilment_staff": 200}
    post_only = {**api_anon, "default": 405}
    rows = [
        AccessRow("wands-api:requests", {**api_anon, "default": 200}, notes="Scoped: empty for people with no school."),
        AccessRow("wands-api:approve-many", post_only),
        AccessRow("wands-api:request", {**api_anon, **programme, "default": 404}, kwargs="wands.request_pk"),
        AccessRow("wands-api:allowance", {**api_anon, **programme, "default": 404}, kwargs="wands.urn"),
        AccessRow("wands-api:stock", {**api_anon, **programme, "default": 403}),
        AccessRow("wands-api:stock-movements", {**api_anon, **programme, "default": 403}),
        AccessRow("wands-api:write-off", {**api_anon, "default": 403, "programme_admin": 405, "fulfilment_staff": 405}),
        AccessRow("wands-api:dispatch-csv", post_only),
        AccessRow("wands-api:existing-deliveries", post_only),
        AccessRow("wands-api:dashboard", {**api_anon, **programme, "default": 403}),
        AccessRow("wands-api:allowance-rules", {**api_anon, **programme, "default": 403}),
        AccessRow("wands-api:return-received", post_only, kwargs=lambda: {"pk": 1}, notes="POST only."),
        AccessRow("wands-api:pickup-collected", post_only, kwargs=lambda: {"pk": 1}, notes="POST only."),
    ]
    for name in ("approve", "reject", "cancel", "dispatch", "confirm-delivery", "report-issue"):
        rows.append(AccessRow(f"wands-api:{name}", post_only, kwargs="wands.request_pk", notes="POST only."))
    return rows


ROWS = _rows()
