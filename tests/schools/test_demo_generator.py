"""The made-up GIAS extract: deterministic, in the GIAS format, plausible, and loaded through the real import."""

import csv
import io
import re
from collections import Counter

import pytest
from django.core.management import call_command

from schools import demo
from schools.demo_generator import HEADERS, london_authorities, write_gias_file
from schools.gias import LONDON_LA_CODES, REQUIRED_HEADERS
from schools.models import GiasImport, LocalAuthority, School
from schools.reference_data import read_csv
from schools.services import gias_import_run

from .gias_fixtures import GIAS_HEADERS

# The 27 columns of the real 2017 London sample, in its order.
SAMPLE_COLUMNS = [
    "URN", "LA (code)", "LA (name)", "EstablishmentNumber", "EstablishmentName", "TypeOfEstablishment (name)",
    "EstablishmentStatus (name)", "PhaseOfEducation (name)", "StatutoryLowAge", "StatutoryHighAge", "Gender (name)",
    "ReligiousCharacter (name)", "NumberOfPupils", "UKPRN", "Street", "Locality", "Address3", "Town", "County (name)",
    "Postcode", "SchoolWebsite", "TelephoneNum", "HeadFirstName", "HeadLastName", "GOR (name)", "Easting", "Northing",
]  # fmt: skip


@pytest.fixture(scope="module")
def london_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("gias") / "london.csv"
    write_gias_file(path, schools=1000, seed=7)
    return path


@pytest.fixture(scope="module")
def london_rows(london_file):
    with london_file.open(encoding="cp1252", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_same_seed_writes_the_same_file_and_another_seed_another(tmp_path, london_file):
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    write_gias_file(again, schools=1000, seed=7)
    write_gias_file(other, schools=1000, seed=8)

    assert again.read_bytes() == london_file.read_bytes()
    assert other.read_bytes() != london_file.read_bytes()


def test_the_file_is_in_the_gias_format(london_file):
    data = london_file.read_bytes()
    header = data.split(b"\r\n", 1)[0].decode("cp1252").split(",")

    assert data.count(b"\r\n") == 1001 and b"\n" not in data.replace(b"\r\n", b"")
    assert not data.startswith(b"\xef\xbb\xbf")
    assert header == HEADERS
    assert [name for name in header if name in SAMPLE_COLUMNS] == SAMPLE_COLUMNS
    assert set(GIAS_HEADERS) <= set(header)
    assert set(REQUIRED_HEADERS) <= set(header)
    assert len(header) > len(set(GIAS_HEADERS)) + 10  # columns the importer must ignore


def test_names_include_the_cp1252_right_quote_and_accents(london_file, london_rows):
    data = london_file.read_bytes()
    names = [row["EstablishmentName"] for row in london_rows]

    assert b"\x92" in data
    assert any("\u2019" in name for name in names)
    assert any("é" in name for name in names)
    assert any(re.fullmatch(r"St \w+('|\u2019)s? Church of England Primary School", name) for name in names)
    assert any(name.endswith(" Academy") and name.split()[0] in {a.name.split()[0] for a in london_authorities()}
               for name in names)  # fmt: skip


def test_about_a_thousand_schools_across_the_33_boroughs_in_proportion(london_rows):
    per_borough = Counter(int(row["LA (code)"]) for row in london_rows)
    sample = {int(row["la_code"]): int(row["sample_schools"]) for row in read_csv("borough_geography.csv")}

    assert len(london_rows) == 1000
    assert set(per_borough) == LONDON_LA_CODES
    for code, count in per_borough.items():
        assert abs(count - 1000 * sample[code] / sum(sample.values())) <= 1


def test_urns_are_unique_six_digit_numbers_in_order(london_rows):
    urns = [int(row["URN"]) for row in london_rows]

    assert len(set(urns)) == len(urns) == 1000
    assert urns == sorted(urns)
    assert all(100000 <= urn <= 999999 for urn in urns)


def test_a_realistic_mix_of_phases_types_and_statuses(london_rows):
    phases = Counter(row["PhaseOfEducation (name)"] for row in london_rows)
    types = Counter(row["TypeOfEstablishment (name)"] for row in london_rows)
    statuses = Counter(row["EstablishmentStatus (name)"] for row in london_rows)

    assert 500 <= phases["Primary"] <= 600
    assert 170 <= phases["Secondary"] <= 230
    assert all(phases[phase] >= 10 for phase in ("Nursery", "All-through", "16 plus", "Not applicable"))
    assert types["Pupil referral unit"] >= 5
    assert sum(n for name, n in types.items() if "special" in name) >= 30
    assert sum(n for name, n in types.items() if "independent" in name) >= 70
    assert statuses["Open"] >= 900
    assert 10 <= statuses["Open, but proposed to close"] <= 60
    assert 10 <= statuses["Closed"] <= 60


def test_ages_and_pupil_numbers_fit_the_phase(london_rows):
    for row in london_rows:
        low, high = int(row["StatutoryLowAge"]), int(row["StatutoryHighAge"])
        assert low < high
        phase = row["PhaseOfEducation (name)"]
        if phase == "Primary":
            assert low >= 3 and high <= 11
        elif phase == "Secondary":
            assert low == 11 and high >= 16
        elif phase == "16 plus":
            assert low == 16
        if row["EstablishmentStatus (name)"] == "Closed":
            assert row["NumberOfPupils"] == "" and row["CloseDate"]
        elif row["NumberOfPupils"]:
            pupils = int(row["NumberOfPupils"])
            assert pupils >= (150 if phase == "Primary" else 550 if phase == "Secondary" else 10)


def test_postcodes_and_positions_are_in_the_borough(london_rows):
    geography = {int(row["la_code"]): row for row in read_csv("borough_geography.csv")}
    for row in london_rows:
        borough = geography[int(row["LA (code)"])]
        district, inward = row["Postcode"].split(" ")
        assert district in borough["postcode_districts"].split()
        assert re.fullmatch(r"\d[A-Z]{2}", inward)
        assert int(borough["min_easting"]) <= int(row["Easting"]) <= int(borough["max_easting"])
        assert int(borough["min_northing"]) <= int(row["Northing"]) <= int(borough["max_northing"])
        assert re.fullmatch(r"020[78]\d{7}", row["TelephoneNum"])


@pytest.mark.django_db
def test_the_file_loads_through_the_real_import_without_a_skipped_row(london_file):
    first = gias_import_run(path=london_file)
    again = gias_import_run(path=london_file)

    assert (first.created, first.skipped, first.outside_scope) == (1000, 0, 0)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1000)
    assert School.objects.filter(name__contains="\u2019").exists()
    assert School.objects.filter(latitude__gt=51.28, latitude__lt=51.70).count() == 1000


@pytest.mark.django_db
def test_the_england_file_has_other_authorities_and_loads_with_all_regions(tmp_path):
    path = tmp_path / "england.csv"
    write_gias_file(path, schools=3000, all_regions=True, seed=3)

    report = gias_import_run(path=path, all_regions=True)

    assert (report.created, report.skipped) == (3000, 0)
    assert report.authorities_created == 120
    outside = LocalAuthority.objects.filter(area=LocalAuthority.Area.OUTSIDE)
    assert all(330 <= code <= 938 for code in outside.values_list("code", flat=True))
    london = School.objects.filter(local_authority__code__in=LONDON_LA_CODES).count()
    assert 300 <= london <= 500
    assert School.objects.filter(status=School.Status.CLOSED).count() > 600  # the national extract keeps closed ones


@pytest.mark.django_db
def test_the_demo_step_loads_schools_and_a_second_run_changes_nothing():
    first, second = io.StringIO(), io.StringIO()

    demo.seed(stdout=first, options={"schools": 200})
    demo.seed(stdout=second, options={"schools": 200})

    assert demo.ORDER == 10
    academies = School.objects.filter(urn__gte=demo.FIRST_NEW_URN).count()  # opened by the demo's nightly refresh
    assert academies >= 1
    assert School.objects.count() == 200 + academies
    assert "created 200" in first.getvalue()
    assert "created 0 / updated 0 / unchanged 200" in second.getvalue()
    assert "created 0 / updated 0 /" in second.getvalue().split("nightly refresh:")[1]
    assert "0 conversions waiting" in second.getvalue()
    assert GiasImport.objects.count() == 4  # each run: the import and the refresh


def test_the_generate_gias_command_writes_the_file(tmp_path):
    out = io.StringIO()
    call_command("generate_gias", str(tmp_path / "demo.csv"), "--schools", "50", "--seed", "3", stdout=out)

    assert "Wrote 50 schools" in out.getvalue()
    assert (tmp_path / "demo.csv").read_bytes().count(b"\r\n") == 51
