"""Open figures (issue 16): a London map per percentage (data-driven bands, readable text on every colour, a table
alternative), and the City of London explained by the same note in the chart, the map and the table, never a bare 0%."""

import re

import pytest
from django.urls import reverse

from insights.tilemap import contrast_ratio
from officers.models import Assignment
from public import selectors
from public.views import figures_charts
from tests.accounts.factories import SchoolFactory, london_authority
from tests.officers.factories import OfficerFactory
from tests.wands.factories import WandRequestFactory
from wands.models import WandRequest

pytestmark = pytest.mark.django_db
CITY = 201


@pytest.fixture
def register():
    """The City of London as the register has it: a handful of schools, one independent. Other boroughs spread."""
    SchoolFactory(local_authority=london_authority(CITY), type_name="Voluntary aided school", primary=True)
    SchoolFactory(local_authority=london_authority(CITY), type_name="Academy sponsor led")
    SchoolFactory(local_authority=london_authority(CITY), type_name="Foundation school")
    SchoolFactory(
        local_authority=london_authority(CITY),
        type_name="Other independent school",
        type_group_name="Independent schools",
    )
    officer = OfficerFactory()
    for code, schools, taken in [(204, 8, 6), (202, 10, 2), (210, 6, 5), (206, 5, 1), (208, 7, 0), (209, 9, 9)]:
        made = [SchoolFactory(local_authority=london_authority(code)) for _ in range(schools)]
        for school in made[:taken]:
            WandRequestFactory(school=school, status=WandRequest.Status.DELIVERED, quantity=1)
        for school in made[: schools // 2]:
            Assignment.objects.create(officer=officer, school=school, start_date="2026-01-01", weight=1)


def _row(rows, code):
    return next(row for row in rows if row["la_code"] == code)


def test_the_city_of_london_has_a_note_from_the_register_not_a_bare_zero(register):
    figures = selectors.open_figures_compute()
    city = _row(figures["wands"]["boroughs"], CITY)
    assert city["open_schools"] == 4 and city["percent_taken_up"] == 0.0
    assert city["note"] == (
        "City of London has 4 open schools in the register (3 of them state-funded): so few that one school changes "
        "its percentage a lot"
    )
    assert _row(figures["wands"]["boroughs"], 204)["note"] == ""
    police = _row(figures["police_contacts"]["boroughs"], CITY)
    assert police["percent_with_contact"] is None and "City of London Police" in police["note"]
    # London's police figure counts the Met's boroughs only: the City's schools cannot have a Met officer.
    assert figures["police_contacts"]["london"]["open_schools"] == figures["wands"]["london"]["open_schools"] - 4


def test_notes_for_boroughs_without_schools_or_with_one():
    assert selectors.take_up_note("Nowhere", 0, 0) == "Nowhere has no open schools in the register"
    assert "1 open school in the register (none of them state-funded)" in selectors.take_up_note("One", 1, 1)
    assert "(all state-funded)" in selectors.take_up_note("Two", 2, 0)
    assert selectors.take_up_note("Many", 5, 5) == ""


def test_the_same_note_in_chart_map_and_table(client, register):
    page = client.get(reverse("public:figures")).content.decode()
    note = _row(selectors.open_figures()["wands"]["boroughs"], CITY)["note"]
    # chart: the bar points to the note under it; map: the tile's title and the note under the map; table: the row.
    assert "City of London (see note)" in page
    for notes_id in ("take-up-chart-notes", "take-up-map-notes"):
        block = page.split(f'id="{notes_id}"')[1].split("</div>")[0]
        assert f'<li data-note-for="{CITY}"><strong>City of London:</strong> {note}.</li>' in block
    tile = re.search(rf'id="map-wands-take-up".*?data-la-code="{CITY}"[^>]*>\s*<title>([^<]*)</title>', page, re.S)
    assert note in tile.group(1) and "0 of 4 open schools (0.0%)" in tile.group(1)
    table_row = page.split('id="wands-boroughs"')[1].split(f'data-code="{CITY}">')[1].split("</tr>")[0]
    assert f'<span class="govuk-body-s govuk-!-font-weight-regular" data-note>{note}.</span>' in table_row
    # Police: City is not drawn in the chart, is "n/a" on the map and "Not applicable" in the table, each with why.
    police_note = selectors.NOT_MET_NOTE.replace("'", "&#x27;")
    assert police_note in page.split('id="contacts-chart-notes"')[1].split("</div>")[0]
    assert police_note in page.split('id="contacts-map-notes"')[1].split("</div>")[0]
    police_row = page.split('id="police-boroughs"')[1].split(f'data-code="{CITY}">')[1].split("</tr>")[0]
    assert "Not applicable" in police_row and police_note in police_row
    contacts = figures_charts(selectors.open_figures())["contacts"]
    assert "City of London" not in {bar.label for bar in contacts.bars}


def test_maps_colour_every_borough_by_bands_from_the_data_with_readable_text(client, register):
    charts = figures_charts(selectors.open_figures())
    take_up = charts["take_up_map"]
    assert len(take_up.tiles) == 33
    tiles = {tile.la_code: tile for tile in take_up.tiles}
    # Bands from the values shown: 100% (Lewisham) and 20% (Camden) fall in different bands, darkest for the highest.
    assert tiles[209].fill != tiles[202].fill and tiles[209].fill == take_up.bins[-1].fill
    assert tiles[209].value_label == "100%"
    for tile in (*take_up.tiles, *charts["contacts_map"].tiles):
        assert contrast_ratio(tile.fill, tile.text_colour) >= 4.5
    contacts = {tile.la_code: tile for tile in charts["contacts_map"].tiles}
    assert contacts[CITY].value_label == "n/a" and "City of London Police" in contacts[CITY].title
    page = client.get(reverse("public:figures")).content.decode()
    for map_id in ("map-wands-take-up", "map-police-contacts"):
        assert page.count(f'id="{map_id}"') == 1
        # In a region of its own (scrolls sideways on a phone), with a key, and the table after it.
        assert f'<figure class="portal-chart-figure" id="{map_id}">' in page
        assert f'id="{map_id}-legend">Key:' in page
    assert page.index('id="map-wands-take-up"') < page.index('id="wands-boroughs"')
    assert page.index('id="map-police-contacts"') < page.index('id="police-boroughs"')


def test_the_csv_carries_the_notes(client, register):
    import csv
    import io

    response = client.get(reverse("public-api:figures-csv", kwargs={"dataset": "police-contacts"}))
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    city = next(row for row in rows if row["la_code"] == str(CITY))
    assert city["percent_with_contact"] == "" and "City of London Police" in city["note"]
