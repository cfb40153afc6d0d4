"""Search: any word matches (its synonyms and the resource's tags too), most words matched first, title matches above
others; the same on PostgreSQL and SQLite (these tests run on both)."""

import pytest

from education_toolkit.models import SearchSynonym
from education_toolkit.selectors import catalogue_resources, resources_search, search_concepts

from .factories import ResourceFactory

pytestmark = pytest.mark.django_db


NEUTRAL = "Discusses difficult experiences."  # the factory's default mentions a stab wound


def _titles(text):
    return [r.title for r in resources_search(catalogue_resources(), text)]


def test_more_words_matched_rank_first_and_one_word_is_enough():
    ResourceFactory(title="Bleeding control", summary="Keep pressure on the wound until the ambulance arrives")
    ResourceFactory(title="Ambulance service visit", summary="Paramedics talk about their work")
    ResourceFactory(title="Peer pressure", summary="Friendships")
    # "ambulance" and "pressure" both match the first; the others match one word each (a title match first).
    assert _titles("ambulance pressure") == ["Bleeding control", "Ambulance service visit", "Peer pressure"]
    assert _titles("   ") == ["Ambulance service visit", "Bleeding control", "Peer pressure"]
    assert _titles("zebra") == []


def test_first_aid_bleeding_finds_stop_the_bleed():
    """The issue's example: on the old search every word had to appear, and "bleeding" is not in "bleed"."""
    ResourceFactory(title="Stop the bleed", summary="What to do in the first minutes after a stabbing")
    ResourceFactory(title="Online conflict", summary="Group chats and drill videos", content_guidance=NEUTRAL)
    assert _titles("first aid bleeding") == ["Stop the bleed"]


def test_tags_are_searched_by_their_labels():
    ResourceFactory(title="Minutes that matter", summary="A talk by a paramedic", tags=[("topic", "first_aid")])
    ResourceFactory(title="Choices", summary="Friendships", content_guidance=NEUTRAL, tags=[("topic", "peer_pressure")])
    assert _titles("first aid") == ["Minutes that matter"]
    assert _titles("exploitation") == []


def test_synonyms_widen_the_search_and_editors_can_add_them():
    ResourceFactory(title="County lines", summary="How young people are drawn into carrying drugs")
    assert _titles("grooming") == ["County lines"]  # from the starting table: gang ~ county lines, grooming
    ResourceFactory(title="Blades", summary="Why carrying one makes you less safe")
    assert "Blades" in _titles("knife")
    assert _titles("scooter") == []
    SearchSynonym.objects.create(term="scooter", alternatives="county lines")
    assert _titles("scooter") == ["County lines"]


def test_a_phrase_from_the_synonym_table_counts_as_one_word():
    concepts, excluded = search_concepts("First aid for bleeding -video")
    assert {"first aid", "bleeding control"} <= concepts[0]
    assert "bleed" in concepts[1] and "first aid" in concepts[1]
    assert len(concepts) == 2 and excluded == {"video"}


def test_stems_and_ranks_title_matches_first():
    ResourceFactory(title="Choices", summary="Older pupils mentoring younger ones in the summer")
    ResourceFactory(title="Training peer mentors", summary="What happens in a session")
    ResourceFactory(title="Unrelated", summary="Friendship")
    # "mentor" finds "mentors" and "mentoring"; a title match ranks above a summary match.
    assert _titles("mentor") == ["Training peer mentors", "Choices"]
    assert _titles("mentor -session") == ["Choices"]  # a word to leave out


@pytest.mark.postgres
def test_the_same_on_postgres(on_postgres):
    assert on_postgres
    test_first_aid_bleeding_finds_stop_the_bleed()
