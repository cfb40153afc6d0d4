import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict

from schools.filters import postcode_prefixes
from schools.models import School
from schools.selectors import bcu_list, local_authority_list, school_get, school_list, schools_search
from tests.schools.factories import SchoolFactory, local_authority

pytestmark = pytest.mark.django_db

CAMDEN, HACKNEY, CITY_OF_LONDON, BARNET = 202, 204, 201, 302


def urns(queryset) -> set[int]:
    return {school.urn for school in queryset}


@pytest.mark.parametrize(
    ("text", "prefixes"),
    [
        ("E8", ["E8 "]),
        ("e8 1", ["E8 1"]),
        ("SW1A1AA", ["SW1A 1AA"]),
        ("n16ab", ["N1 6AB"]),
        ("N16", ["N16 ", "N1 6"]),
        ("N16 ", ["N16 ", "N1 6"]),
        ("Hackney", []),
        ("123456", []),
    ],
)
def test_postcode_prefixes_spell_searches_as_gias_does(text, prefixes):
    assert postcode_prefixes(text) == prefixes


def test_search_without_parameters_leaves_out_closed_schools():
    open_school = SchoolFactory()
    proposed = SchoolFactory(status=School.Status.PROPOSED_TO_OPEN)
    closing = SchoolFactory(status=School.Status.OPEN_PROPOSED_TO_CLOSE)
    SchoolFactory(closed=True)

    assert urns(schools_search(params={})) == {open_school.urn, proposed.urn, closing.urn}


def test_closed_schools_are_found_when_asked_for():
    open_school = SchoolFactory()
    closed = SchoolFactory(closed=True)

    assert urns(schools_search(params={"include_closed": "on"})) == {open_school.urn, closed.urn}
    assert urns(schools_search(params={"include_closed": "true"})) == {open_school.urn, closed.urn}
    assert urns(schools_search(params={"include_closed": "false"})) == {open_school.urn}
    assert urns(schools_search(params={"status": "closed"})) == {closed.urn}


def test_q_matches_part_of_the_name_in_any_case():
    wanted = SchoolFactory(name="Hackney Free and Parochial School")
    SchoolFactory(name="Mossbourne Academy")

    assert urns(schools_search(params={"q": "  free AND   parochial "})) == {wanted.urn}


def test_q_with_six_digits_is_an_exact_urn():
    wanted = SchoolFactory(urn=654321, name="School 1")
    SchoolFactory(urn=654322, name="School 654321 annexe")

    assert urns(schools_search(params={"q": "654321"})) == {wanted.urn}


def test_q_matches_the_start_of_a_postcode_typed_with_or_without_a_space():
    e8 = SchoolFactory(postcode="E8 1DY")
    e8_other = SchoolFactory(postcode="E8 3PB")
    e10 = SchoolFactory(postcode="E10 5AA")

    assert urns(schools_search(params={"q": "E8"})) == {e8.urn, e8_other.urn}
    assert urns(schools_search(params={"q": "e81"})) == {e8.urn}
    assert urns(schools_search(params={"q": "E8 1DY"})) == {e8.urn}
    assert urns(schools_search(params={"q": "E1"})) == set()
    assert urns(schools_search(params={"q": "E10"})) == {e10.urn}


def test_borough_and_bcu_filters():
    hackney = SchoolFactory(local_authority=local_authority(HACKNEY))
    camden = SchoolFactory(local_authority=local_authority(CAMDEN))
    city = SchoolFactory(local_authority=local_authority(CITY_OF_LONDON))

    assert urns(schools_search(params={"borough": str(CAMDEN)})) == {camden.urn}
    assert urns(schools_search(params={"bcu": "central-east"})) == {hackney.urn}
    assert urns(schools_search(params={"bcu": "central-north", "borough": str(CAMDEN)})) == {camden.urn}
    assert city.urn in urns(schools_search(params={}))


def test_phase_filter_takes_several_phases():
    primary = SchoolFactory(primary=True)
    secondary = SchoolFactory(secondary=True)
    SchoolFactory(phase=School.Phase.NURSERY)

    assert urns(schools_search(params={"phase": "secondary"})) == {secondary.urn}
    assert urns(schools_search(params=QueryDict("phase=primary&phase=secondary"))) == {primary.urn, secondary.urn}
    assert urns(schools_search(params={"phase": ["primary", "secondary"]})) == {primary.urn, secondary.urn}


def test_pupil_referral_unit_and_special_flags():
    pru = SchoolFactory(pupil_referral_unit=True)
    special = SchoolFactory(special=True)
    special_by_group = SchoolFactory(type_name="Academy special converter", type_group_name="Academies")
    SchoolFactory()

    assert urns(schools_search(params={"pupil_referral_unit": "true"})) == {pru.urn}
    assert urns(schools_search(params={"special": "on"})) == {special.urn, special_by_group.urn}
    assert len(urns(schools_search(params={"special": "false"}))) == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"borough": "999"}, "borough"),
        ({"borough": "Hackney"}, "borough"),
        ({"bcu": "nowhere"}, "bcu"),
        ({"phase": "university"}, "phase"),
        ({"status": "demolished"}, "status"),
        ({"q": "x" * 101}, "q"),
        ({"q": "nul\x00byte"}, "q"),
        ({"bcu": "central-west", "borough": str(HACKNEY)}, "bcu"),
    ],
)
def test_bad_parameters_raise_a_validation_error_naming_the_field(params, field):
    with pytest.raises(ValidationError) as raised:
        schools_search(params=params)
    assert field in raised.value.message_dict


def test_a_borough_outside_the_bcu_is_explained():
    with pytest.raises(ValidationError) as raised:
        schools_search(params={"bcu": "central-west", "borough": str(HACKNEY)})
    assert raised.value.message_dict["bcu"] == [
        "Hackney is not in Central West: choose a different borough or command unit"
    ]


def test_school_list_is_ordered_by_name_then_urn_and_includes_closed():
    b = SchoolFactory(name="B school")
    a2 = SchoolFactory(name="A school", urn=200002)
    a1 = SchoolFactory(name="A school", urn=200001, closed=True)

    assert [s.urn for s in school_list()] == [a1.urn, a2.urn, b.urn]
    assert [s.urn for s in school_list(include_closed=False)] == [a2.urn, b.urn]


def test_school_list_loads_authority_and_bcu_in_one_query(django_assert_num_queries):
    SchoolFactory.create_batch(5)
    with django_assert_num_queries(1):
        lines = [(s.name, s.local_authority.name, s.local_authority.bcu.name, s.phase) for s in school_list()]
    assert len(lines) == 5


def test_school_get_finds_closed_schools_and_refuses_unknown_urns(django_assert_num_queries):
    closed = SchoolFactory(closed=True)
    with django_assert_num_queries(1):
        school = school_get(urn=closed.urn)
        assert school.local_authority.bcu.slug == "central-east"
    with pytest.raises(School.DoesNotExist):
        school_get(urn=999999)
    with django_assert_num_queries(0), pytest.raises(School.DoesNotExist):
        school_get(urn=10**20)


def test_reference_lists():
    authorities = list(local_authority_list())
    assert len(authorities) == 33
    assert [a.name for a in authorities] == sorted(a.name for a in authorities)
    assert len(list(local_authority_list(london_only=True))) == 33
    bcus = list(bcu_list())
    assert len(bcus) == 12
    assert sum(len(bcu.local_authorities.all()) for bcu in bcus) == 32
