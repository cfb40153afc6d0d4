"""Search: PostgreSQL full-text search (stemmed, ranked, web-search syntax) on PostgreSQL; a contains fallback."""

import pytest

from education_toolkit.selectors import catalogue_resources, resources_search

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db


def _titles(text):
    return [r.title for r in resources_search(catalogue_resources(), text)]


def test_every_word_must_appear_somewhere(on_postgres):
    ResourceFactory(title="Bleeding control", summary="Keep pressure on the wound until the ambulance arrives")
    ResourceFactory(title="Ambulance service visit", summary="Paramedics talk about their work")
    assert _titles("ambulance pressure") == ["Bleeding control"]
    assert _titles("   ") == ["Ambulance service visit", "Bleeding control"]


@pytest.mark.postgres
def test_postgres_stems_and_ranks_title_matches_first():
    ResourceFactory(title="Choices", summary="Older pupils mentoring younger ones in the summer")
    ResourceFactory(title="Training peer mentors", summary="What happens in a session")
    ResourceFactory(title="Unrelated", summary="Friendship")
    # "mentor" finds "mentors" and "mentoring"; a title match ranks above a summary match.
    assert _titles("mentor") == ["Training peer mentors", "Choices"]
    assert _titles("mentor -session") == ["Choices"]  # web search syntax
