"""Small counts of pupils cannot be recovered by subtraction across outputs (issue 17, finding 2).

The probe's attack: the open figures gave a cohort's places filled (24), the dashboard two boroughs (13, 7) and
"fewer than 5" for the third: 24 - 13 - 7 = 4. Here every output a person who may not see the pupils can reach (open
figures JSON, CSV and page; the dashboard and map APIs with every BCU and phase filter; each school's profile, its
activity and places left; as a programme admin and as a BCU's allocator) is collected as a constraint on the true
counts ("the pupils at these schools add up to a number in [lo, hi]"). Interval propagation over every constraint at
once (which covers every pair of outputs, totals minus visible parts, and longer chains) must never pin a count of 1 to
4 pupils to one value, and no published number may be an exact count of 1 to 4.
"""

import csv
import io
import re
from datetime import date

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from core import suppression
from insights import selectors as insight_selectors
from insights import stepping_stones as insight_ss
from insights.selectors import PHASE_GROUPS
from schools.models import BasicCommandUnit, LocalAuthority, School
from stepping_stones.models import Cohort, ParticipatingSchool, Referral
from tests.accounts.factories import SchoolFactory, programme_admin, with_two_factor
from tests.officers.factories import allocator
from tests.stepping_stones.factories import ReferralFactory, primary_school

pytestmark = pytest.mark.django_db

# Pupils holding a place at one participating secondary per borough: the 13, 7 and a hidden 4 (24 in all).
PLACED = {204: 13, 202: 7, 210: 4}
PLACES = {204: 30, 202: 20, 210: 10}


@pytest.fixture(autouse=True)
def reference_data(db):
    from schools.reference_data import load_reference_data

    if LocalAuthority.objects.count() < 33:
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)


@pytest.fixture
def world():
    cohort = Cohort.objects.create(transition_year=2026, ends_on=date(2027, 7, 31))
    secondaries, primaries = {}, {}
    for code, placed in PLACED.items():
        authority = LocalAuthority.objects.get(code=code)
        secondary = SchoolFactory(local_authority=authority, phase=School.Phase.SECONDARY)
        primary = primary_school(local_authority=authority)
        ParticipatingSchool.objects.create(cohort=cohort, school=secondary, places=PLACES[code], places_taken=placed)
        for _ in range(placed):
            ReferralFactory(cohort=cohort, referring_school=primary, receiving_school=secondary, accepted=True)
        secondaries[code], primaries[code] = secondary, primary
    return {"cohort": cohort, "secondaries": secondaries, "primaries": primaries}


def _interval(published) -> tuple[int, int]:
    """What a published count of pupils says about the true count."""
    if published is None or published == suppression.FEWER_THAN:
        return 1, suppression.THRESHOLD - 1
    value = int(float(str(published).replace(",", "")))
    if value == 0:
        return 0, 0
    half = suppression.ROUND_TO // 2
    return max(value - half, suppression.THRESHOLD), value + half


class Constraints:
    """lo <= sum of x[unit] for unit in units <= hi, for every published figure."""

    def __init__(self):
        self.rows: list[tuple[frozenset, int, int, str]] = []
        self.published: list[tuple[str, object]] = []

    def add(self, units, published, where: str, *, offset: int = 0, negate: bool = False):
        """`offset - x` when negate (places left = places - pupils)."""
        self.published.append((where, published))
        lo, hi = _interval(published)
        if negate:
            lo, hi = offset - hi, offset - lo
        self.rows.append((frozenset(units), lo, hi, where))

    def solve(self, units) -> dict:
        bounds = {unit: [0, 10_000] for unit in units}
        for _ in range(50):
            changed = False
            for members, lo, hi, _where in self.rows:
                for unit in members:
                    others = members - {unit}
                    upper = hi - sum(bounds[o][0] for o in others)
                    lower = lo - sum(bounds[o][1] for o in others)
                    if upper < bounds[unit][1]:
                        bounds[unit][1], changed = upper, True
                    if lower > bounds[unit][0]:
                        bounds[unit][0], changed = lower, True
            if not changed:
                break
        return bounds


def _collect_public(client, facts: Constraints, world):
    all_secondaries = [s.pk for s in world["secondaries"].values()]
    body = client.get(reverse("public-api:figures")).json()
    for row in body["stepping_stones"]["cohorts"]:
        facts.add(all_secondaries, row["places_filled"], "open figures JSON")
    response = client.get(reverse("public-api:figures-csv", kwargs={"dataset": "stepping-stones-places"}))
    for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))):
        facts.add(all_secondaries, row["places_filled"] or None, "open figures CSV")
    page = client.get(reverse("public:figures")).content.decode()
    cell = re.search(r'data-figure="places_filled">([^<]+)<', page).group(1).strip()
    facts.add(all_secondaries, cell, "open figures page")


def _collect_signed_in(user, facts: Constraints, world):
    api = APIClient()
    api.force_authenticate(user)
    by_borough = {code: [school.pk] for code, school in world["secondaries"].items()}
    bcus = [None, *(b.slug for b in insight_selectors.dashboard_bcus(user))]
    phases = ["", *PHASE_GROUPS]
    for bcu in bcus:
        for phase in phases:
            params = {k: v for k, v in {"bcu": bcu, "phase": phase}.items() if v}
            board = api.get(reverse("insights-api:dashboard"), params)
            assert board.status_code == 200, board.content
            board = board.json()
            shown = []
            for row in board["boroughs"]:
                units = by_borough.get(row["la_code"], [])
                if row["stepping_stones_pupils_label"] == "Not shown":
                    continue
                facts.add(units, row["stepping_stones_pupils"], f"dashboard {params} {row['la_name']}")
                facts.add(units, row["stepping_stones_pupils_label"], f"dashboard label {params} {row['la_name']}")
                shown.extend(units)
            facts.add(shown, board["totals"]["stepping_stones_pupils"], f"dashboard total {params}")
            facts.add(shown, board["totals"]["stepping_stones_pupils_label"], f"dashboard total label {params}")
            tiles = api.get(reverse("insights-api:map"), {**params, "measure": "stepping_stones_enrolled"}).json()
            for row in tiles["boroughs"]:
                if row["in_scope"]:
                    facts.add(by_borough.get(row["la_code"], []), row["value"], f"map {params} {row['la_name']}")
    for code, school in world["secondaries"].items():
        response = api.get(reverse("insights-api:school-profile", kwargs={"urn": school.pk}))
        if response.status_code != 200:
            continue  # out of this person's scope
        profile = response.json()
        ss = profile["stepping_stones"]
        facts.add([school.pk], ss["pupils_in_programme"], f"profile {school.pk}")
        facts.add([school.pk], ss["pupils_in_programme_label"], f"profile label {school.pk}")
        places = insight_ss.school_places(school=school, suppress=True)  # what the profile page shows
        if places.places_left_display != "not shown":
            left = places.places_left_display
            facts.add([school.pk], left, f"places left {school.pk}", offset=PLACES[code], negate=True)
        for item in profile["activity"]:
            if "place" in item["label"]:
                facts.add([school.pk], item["display"], f"activity {school.pk}")


@pytest.mark.parametrize("who", ["programme_admin", "allocator"])
def test_no_count_of_one_to_four_pupils_can_be_worked_out(client, world, who):
    user = with_two_factor(programme_admin()) if who == "programme_admin" else allocator("central-east")
    facts = Constraints()
    _collect_public(client, facts, world)
    _collect_signed_in(user, facts, world)
    assert len(facts.rows) > 10  # the outputs were reached
    truth = {school.pk: PLACED[code] for code, school in world["secondaries"].items()}
    # Every constraint holds for the truth (the outputs agree with each other and with the data)...
    for members, lo, hi, where in facts.rows:
        assert lo <= sum(truth[u] for u in members) <= hi, where
    # ...no published number is an exact count of 1 to 4...
    for where, published in facts.published:
        if isinstance(published, int):
            assert not 0 < published < suppression.THRESHOLD, where
    # ...and no combination of them pins a hidden count.
    bounds = facts.solve(truth)
    for unit, (lo, hi) in bounds.items():
        if 0 < truth[unit] < suppression.THRESHOLD:
            assert lo < hi, f"school {unit}: {truth[unit]} pupils recovered exactly"


def test_the_probes_numbers_no_longer_subtract(client, world):
    """24 - 13 - 7 = 4 was the finding: the published numbers now say 25, 15 and 5."""
    admin = with_two_factor(programme_admin())
    api = APIClient()
    api.force_authenticate(admin)
    cohort_row = client.get(reverse("public-api:figures")).json()["stepping_stones"]["cohorts"][0]
    rows = {r["la_code"]: r for r in api.get(reverse("insights-api:dashboard")).json()["boroughs"]}
    assert cohort_row["places_filled"] == 25
    assert (rows[204]["stepping_stones_pupils"], rows[202]["stepping_stones_pupils"]) == (15, 5)
    assert rows[210]["stepping_stones_pupils"] is None and rows[210]["stepping_stones_pupils_label"] == "fewer than 5"
    assert cohort_row["places_filled"] - 15 - 5 != PLACED[210]


def test_coordinators_keep_exact_figures(client, world):
    from tests.stepping_stones.factories import coordinator

    api = APIClient()
    api.force_authenticate(with_two_factor(coordinator()))
    body = api.get(reverse("insights-api:dashboard")).json()
    rows = {r["la_code"]: r for r in body["boroughs"]}
    assert [rows[code]["stepping_stones_pupils"] for code in PLACED] == list(PLACED.values())
    assert body["totals"]["stepping_stones_pupils"] == sum(PLACED.values())


@pytest.mark.parametrize(
    ("count", "label", "value"),
    [(0, "0", 0), (1, "fewer than 5", None), (4, "fewer than 5", None), (5, "5", 5), (7, "5", 5), (8, "10", 10),
     (12, "10", 10), (13, "15", 15), (24, "25", 25), (1234, "1,235", 1235)],
)  # fmt: skip
def test_the_rule(count, label, value):
    assert suppression.pupil_count_label(count) == label
    assert suppression.pupil_count(count) == value
    assert suppression.pupil_count(count, exact=True) == count


def test_referrals_are_real(world):
    """The world is made through the real statuses, so the activity counts match the places counters."""
    assert Referral.objects.filter(status=Referral.Status.ACCEPTED).count() == sum(PLACED.values())


def test_places_left_never_gives_the_exact_number_of_pupils(client, world):
    """A full school of 3 places: "3 places, 0 left" would say 3 pupils exactly."""
    secondary = world["secondaries"][210]
    ParticipatingSchool.objects.filter(school=secondary).update(places=4, places_taken=4)
    client.force_login(with_two_factor(programme_admin()))
    page = client.get(reverse("insights:school_profile", kwargs={"urn": secondary.pk})).content.decode()
    assert "Places left</dt>" not in page and "fewer than 5" in page
    places = insight_ss.school_places(school=secondary, suppress=True)
    assert places.places_left_display == "not shown"
