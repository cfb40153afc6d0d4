"""A journey through a client generated from the published schema (openapi-python-client), as an integrator would
write it: schools paging, a wand request created by a headteacher and approved by a programme admin, an officer
assigned by a police allocator, open figures as JSON and CSV, and the referral list as a Stepping Stones coordinator.

Runs in the generated client's own virtual environment (no Django): .ci/api_client.sh passes the base URL, the demo
school's URN and one API token per role in the environment."""

import os
import sys
import uuid

from portal_client import AuthenticatedClient
from portal_client.api.open_ import open_figures, open_figures_csv
from portal_client.api.v1 import (
    v1_officers_assignments_create,
    v1_officers_officers_partial_update,
    v1_officers_officers_retrieve,
    v1_officers_queue_list,
    v1_officers_schools_suggestions_retrieve,
    v1_schools_list,
    v1_stepping_stones_referrals_list,
    v1_wands_requests_approve_create,
    v1_wands_requests_create,
)
from portal_client.models import (
    OfficersAssignmentCreateRequest,
    PatchedOfficersOfficerUpdateRequest,
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


admin, head, allocator, coordinator = (client(r) for r in ("admin", "head", "allocator", "coordinator"))

first = check("schools, page 1", v1_schools_list.sync_detailed(client=admin, page_size=20), 200)
second = check("schools, page 2", v1_schools_list.sync_detailed(client=admin, page_size=20, page=2), 200)
assert first.count == second.count and first.count > 20, (first.count, second.count)
assert {s.urn for s in first.results}.isdisjoint({s.urn for s in second.results})

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

queue = check("officers queue (allocator)", v1_officers_queue_list.sync_detailed(client=allocator), 200)
assert queue.results, "the allocator's queue is empty: nothing to assign"
urn = queue.results[0].urn
suggestions = check(
    "suggestions (allocator)", v1_officers_schools_suggestions_retrieve.sync_detailed(urn, client=allocator), 200
)
officer_id = suggestions.suggestions[0].officer_id
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

check("referrals (coordinator)", v1_stepping_stones_referrals_list.sync_detailed(client=coordinator, page_size=10), 200)

for what, status, verdict in seen:
    print(f"  {what:<44} {status}  {verdict}")
print(f"  generated client journey: {len(seen)} calls, all as the schema says")
sys.exit(0)
