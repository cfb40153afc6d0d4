"""'Insights' is in the service navigation for the people who may see the dashboard, and for nobody else."""

import pytest

from core.access import collect_role_builders


@pytest.mark.parametrize(
    ("role", "shown"),
    [
        ("programme_admin", True),
        ("stepping_stones_coordinator", True),
        ("toolkit_editor", True),
        ("police_allocator", True),
        ("police_officer", False),
        ("headteacher", False),
        ("school_staff", False),
        ("fulfilment_staff", False),
        ("organisation_member", False),
        ("signed_in", False),
        ("anonymous", False),
    ],
)
def test_insights_link_follows_the_dashboard_permission(client, role, shown):
    user = collect_role_builders()[role]()
    if user is not None:
        client.force_login(user)
    html = client.get("/").content.decode()
    start = html.index('id="navigation"')
    assert ('href="/insights/"' in html[start : html.index("</ul>", start)]) is shown
