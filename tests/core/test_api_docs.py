"""/api/docs/ is a GOV.UK page listing the schema's operations (Swagger UI failed the CSP and axe)."""

import pytest
from django.urls import reverse

from core.api_docs import api_operations


@pytest.mark.django_db
def test_api_docs_lists_every_operation_of_the_schema(client):
    info, groups = api_operations()
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="en"' in html and "API documentation" in html
    assert 'href="/api/schema/"' in html
    operations = [operation for group in groups for operation in group["operations"]]
    assert len(operations) > 50
    for operation in operations:
        assert f'<code class="portal-code">{operation["path"]}</code>' in html
    # Grouped by resource (the operations' tags), not only by programme.
    tags = {group["tag"] for group in groups}
    assert {"wands requests", "officers", "officers queue", "stepping-stones referrals", "toolkit resources"} <= tags
    assert "style=" not in html and "swagger" not in html.lower()


@pytest.mark.django_db
def test_api_docs_tell_a_council_developer_how_a_system_gets_access(client):
    """The secret page sends a system's developer to the API guide: it must say how client credentials work."""
    page = client.get(reverse("api-docs")).content.decode()
    for words in ("POST /oauth/token/", "grant_type=client_credentials", "register:read", "If-Match", "problem+json"):
        assert words in page, words
