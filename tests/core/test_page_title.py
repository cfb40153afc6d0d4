"""Page titles carry the GOV.UK "Error: " prefix exactly once, whichever template added it."""

import pytest
from django.template import Context, Template

from core.templatetags.page_title import title_with_error_prefix


@pytest.mark.parametrize(
    ("title", "has_errors", "expected"),
    [
        ("Audit – Portal", False, "Audit – Portal"),
        ("Audit – Portal", True, "Error: Audit – Portal"),
        ("Error: Audit – Portal", True, "Error: Audit – Portal"),
        ("Error: Error: Audit – Portal", True, "Error: Audit – Portal"),
        ("Error: Audit – Portal", False, "Error: Audit – Portal"),
    ],
)
def test_the_prefix_appears_once(title, has_errors, expected):
    assert title_with_error_prefix(title, has_errors=has_errors) == expected


class _Form:
    errors = {"name": ["Enter a name"]}


def test_a_page_that_adds_its_own_prefix_under_a_base_that_adds_one_reads_error_once():
    """The base adds the prefix for `form`; the page adds it again inside page_title: the title says it once."""
    html = Template(
        "{% load page_title %}{% error_titled form.errors %}"
        "{% if form.errors %}Error: {% endif %}Propose named officers – Portal{% enderror_titled %}"
    ).render(Context({"form": _Form()}))
    assert html == "Error: Propose named officers – Portal"


@pytest.mark.django_db
def test_an_officers_form_page_with_errors_says_error_once(client):
    """The officers' "Add an officer" page adds its own prefix under a base that adds one: the title says it once."""
    from django.urls import reverse

    from tests.officers.factories import allocator

    client.force_login(allocator())
    html = client.post(reverse("officers:officer_create"), {}).content.decode()
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.startswith("Error: Add an officer") and "Error: Error" not in title
