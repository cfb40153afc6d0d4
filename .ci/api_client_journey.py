"""A journey through a client generated from the published schema (openapi-python-client), as an integrator would
write it: schools paging (page numbers, GSS codes), a wand request created by a headteacher and approved by a
programme admin, the wand requests walked by cursor, an officer assigned by a police allocator and a what-if by BCU
slug, open figures as JSON and CSV, the referral list as a Stepping Stones coordinator (filtered, by cursor), and a
toolkit file and a zip downloaded as bytes. Operations are grouped by resource (one module per tag).

Runs in the generated client's own virtual environment (no Django): .ci/api_client.sh passes the base URL, the demo
school's URN and one API token per role in the environment."""

import os
import sys
import uuid
from urllib.parse import parse_qs, urlsplit

from portal_client import AuthenticatedClient
from portal_client.api.officers import v1_officers_officers_partial_update, v1_officers_officers_retrieve
from portal_client.api.officers_assignments import v1_officers_assignments_create
from portal_client.api.officers_queue import v1_officers_queue_list
from portal_client.api.officers_schools import v1_officers_schools_suggestions_retrieve
from portal_client.api.officers_what_if import v1_officers_what_if_create
from portal_client.api.open_ import open_figures, open_figures_csv
from portal_client.api.schools import v1_schools_list
from portal_client.api.stepping_stones_referrals import v1_stepping_stones_referrals_list
from portal_client.api.toolkit_files import v1_toolkit_files_download_retrieve
from portal_client.api.toolkit_resources import v1_toolkit_resources_list, v1_toolkit_resources_retrieve
from portal_client.api.toolkit_terms import v1_toolkit_terms_create
from portal_client.api.toolkit_zip import v1_toolkit_zip_create
from portal_client.api.wands_requests import (
    v1_wands_requests_approve_create,
    v1_wands_requests_create,
    v1_wands_requests_list,
)
from portal_client.models import (
    OfficersAssignmentCreateRequest,
    OfficersWhatIfRequest,
    PatchedOfficersOfficerUpdateRequest,
    ToolkitSeveralZipRequestRequest,
    V1SteppingStonesReferralsListStatus,
    WandReasonRequest,
    WandRequestCreateRequest,
)

BASE = os.environ["CLIENT_BASE"]
HEADERS = {"X-Forwarded-Proto": "https"}
seen = []


def client(role: str) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=BASE, token=os.environ[f"TOKEN_{role.upper()}"], headers=HEADERS, raise_on_unexpected_status=True
    )


def check(what: str, response, status: int):
    ok = response.status_code == status and (response.parsed is not None or status == 204)
    seen.append((what, response.status_code, "ok" if ok else "FAILED"))
    if not ok:
        print(f"{what}: {response.status_code} {response.content[:300]!r}")
        raise SystemExit(1)
    return response.parsed


def cursor_of(link: str | None) -> str | None:
    """The `cursor` of a `next`/`previous` link (the generated client takes the parameter, not the link)."""
    return parse_qs(urlsplit(link).query)["cursor"][0] if link else None


admin, head, allocator, coordinator = (client(r) for r in ("admin", "head", "allocator", "coordinator"))

first = check("schools, page 1", v1_schools_list.sync_detailed(client=admin, page_size=20), 200)
second = check("schools, page 2", v1_schools_list.sync_detailed(client=admin, page_size=20, page=2), 200)
assert first.count == second.count and first.count > 20, (first.count, second.count)
assert {s.urn for s in first.results}.isdisjoint({s.urn for s in second.results})
assert all(s.local_authority.gss_code.startswith("E09") for s in first.results), "a borough without its GSS code"

made = check(
    "wand request created (headteacher)",
    v1_wands_requests_create.sync_detailed(
        client=head,
        body=WandRequestCreateRequest(
            school_urn=int(os.environ["CLIENT_URN"]),
            quantity=1,
            contact_name="Client Journey",
            contact_phone="020 7946 0000",
            policy_confirmed=True,
            idempotency_key=str(uuid.uuid4()),
        ),
    ),
    201,
)
check(
    "wand request approved (programme admin)",
    v1_wands_requests_approve_create.sync_detailed(made.id, client=admin, body=WandReasonRequest(reason="")),
    200,
)
page = check("wand requests, cursor page 1", v1_wands_requests_list.sync_detailed(client=admin, page_size=2), 200)
assert page.results[0].id == made.id and page.results[0].gss_code.startswith("E09"), "newest first, with GSS code"
after = check(
    "wand requests, next cursor page",
    v1_wands_requests_list.sync_detailed(client=admin, page_size=2, cursor=cursor_of(page.next_)),
    200,
)
assert {r.id for r in page.results}.isdisjoint({r.id for r in after.results})

queue = check("officers queue (allocator)", v1_officers_queue_list.sync_detailed(client=allocator), 200)
assert queue.results, "the allocator's queue is empty: nothing to assign"
urn = queue.results[0].urn
suggestions = check(
    "suggestions (allocator)", v1_officers_schools_suggestions_retrieve.sync_detailed(urn, client=allocator), 200
)
officer_id = suggestions.suggestions[0].officer_id
what_if = check(
    "what-if by BCU slug (allocator)",
    v1_officers_what_if_create.sync_detailed(
        client=allocator, body=OfficersWhatIfRequest(bcu=queue.results[0].bcu, cut=1)
    ),
    200,
)
assert len(what_if.leaving) == 1
check(
    "officer assigned (allocator)",
    v1_officers_assignments_create.sync_detailed(
        client=allocator, body=OfficersAssignmentCreateRequest(school_urn=urn, officer_id=officer_id)
    ),
    201,
)

# A PATCH sends If-Match with the ETag of the GET (428 without it): two people do not overwrite each other.
read = v1_officers_officers_retrieve.sync_detailed(officer_id, client=allocator)
officer = check("officer read (allocator)", read, 200)
etag = read.headers["etag"]
patched = v1_officers_officers_partial_update.sync_detailed(
    officer_id, client=allocator, body=PatchedOfficersOfficerUpdateRequest(capacity=officer.capacity + 1), if_match=etag
)
changed = check("officer capacity changed with If-Match (allocator)", patched, 200)
assert changed.capacity == officer.capacity + 1 and patched.headers["etag"] != etag
again = v1_officers_officers_partial_update.sync_detailed(
    officer_id, client=allocator, body=PatchedOfficersOfficerUpdateRequest(capacity=officer.capacity), if_match=etag
)
check("the same PATCH with the old ETag is refused (412)", again, 412)

check("open figures (JSON)", open_figures.sync_detailed(client=admin), 200)
csv_text = check("open figures (CSV)", open_figures_csv.sync_detailed("wands-take-up", client=admin), 200)
assert "," in str(csv_text)

referrals = check(
    "referrals (coordinator)", v1_stepping_stones_referrals_list.sync_detailed(client=coordinator, page_size=10), 200
)
submitted = check(
    "referrals, submitted only (coordinator)",
    v1_stepping_stones_referrals_list.sync_detailed(
        client=coordinator, page_size=1, status=V1SteppingStonesReferralsListStatus.SUBMITTED
    ),
    200,
)
assert all(r.status == "submitted" for r in submitted.results)

# Downloads are bytes in the file's own type (application/zip for a zip): the client reads them as bytes.
check("toolkit terms accepted (headteacher)", v1_toolkit_terms_create.sync_detailed(client=head), 200)
catalogue = check("toolkit resources", v1_toolkit_resources_list.sync_detailed(client=head, page_size=50), 200)
files = []
for resource in catalogue.results:
    files = v1_toolkit_resources_retrieve.sync_detailed(resource.slug, client=head).parsed.files
    if files:
        break
assert files, "no toolkit resource with a file to download"
one = check(
    "toolkit file (headteacher)", v1_toolkit_files_download_retrieve.sync_detailed(files[0].id, client=head), 200
)
assert one.payload.read(), "an empty file"
archive = check(
    "toolkit zip of ticked files (headteacher)",
    v1_toolkit_zip_create.sync_detailed(client=head, body=ToolkitSeveralZipRequestRequest(files=[files[0].id])),
    200,
)
assert archive.payload.read(4) == b"PK\x03\x04", "not a zip"

for what, status, verdict in seen:
    print(f"  {what:<44} {status}  {verdict}")
print(f"  generated client journey: {len(seen)} calls, all as the schema says")
sys.exit(0)
