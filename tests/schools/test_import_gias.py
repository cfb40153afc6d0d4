"""The GIAS import: through the service and through `manage.py import_gias`, on files the tests write."""

import datetime
import io
import math
import random
import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core.models import AuditEvent
from schools.gias import GiasFileRefused
from schools.models import GiasImport, LocalAuthority, School
from schools.services import gias_import_run

from .gias_fixtures import GIAS_HEADERS, REQUIRED_ONLY, gias_bytes, gias_row, write_gias

pytestmark = pytest.mark.django_db


@pytest.fixture
def gias_file(tmp_path):
    def make(rows, name="edubasealldata20250101.csv", **options):
        return write_gias(tmp_path / name, rows, **options)

    return make


def run_import(path, **options) -> GiasImport:
    return gias_import_run(path=path, **options)


def metres_between(lat1, lon1, lat2, lon2) -> float:
    """Distance on a sphere: plenty for checking positions to a few metres."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(a))


# --- importing -------------------------------------------------------------------------------------------------


def test_imports_a_london_school_with_every_field(gias_file):
    path = gias_file(
        [
            gias_row(
                100001,
                name="St Mary\u2019s Church of England Primary School",
                type="Voluntary aided school",
                phase="Primary",
                status="Open, but proposed to close",
                low_age="4",
                high_age="11",
                pupils="236",
                open_date="01-09-1972",
                close_date="31-08-2026",
                postcode="e8  1hr",
            )
        ]
    )
    assert b"St Mary\x92s" in path.read_bytes()  # the cp1252 right single quote, as GIAS writes it

    report = run_import(path)

    assert (report.created, report.updated, report.unchanged, report.closed, report.skipped) == (1, 0, 0, 0, 0)
    school = School.objects.select_related("local_authority__bcu").get(urn=100001)
    assert school.name == "St Mary\u2019s Church of England Primary School"
    assert school.local_authority.code == 204
    assert school.bcu.name == "Central East"
    assert school.type_name == "Voluntary aided school"
    assert school.type_group_name == "Local authority maintained schools"
    assert school.phase == School.Phase.PRIMARY
    assert school.status == School.Status.OPEN_PROPOSED_TO_CLOSE
    assert (school.statutory_low_age, school.statutory_high_age, school.number_of_pupils) == (4, 11, 236)
    assert school.open_date == datetime.date(1972, 9, 1)
    assert school.close_date == datetime.date(2026, 8, 31)
    assert school.postcode == "E8 1HR"
    assert school.website == "http://www.oakfield.hackney.sch.uk/"
    assert school.telephone == "02072541234"
    assert (school.easting, school.northing) == (534500, 184500)
    assert school.latitude == pytest.approx(51.545, abs=0.01)


@pytest.mark.parametrize(
    ("gias_phase", "phase"),
    [
        ("Not applicable", School.Phase.NOT_APPLICABLE),
        ("Nursery", School.Phase.NURSERY),
        ("Primary", School.Phase.PRIMARY),
        ("Middle deemed primary", School.Phase.MIDDLE_PRIMARY),
        ("Secondary", School.Phase.SECONDARY),
        ("Middle deemed secondary", School.Phase.MIDDLE_SECONDARY),
        ("16 plus", School.Phase.SIXTEEN_PLUS),
        ("All-through", School.Phase.ALL_THROUGH),
        ("All Through", School.Phase.ALL_THROUGH),
    ],
)
def test_maps_every_gias_phase(gias_file, gias_phase, phase):
    run_import(gias_file([gias_row(100001, phase=gias_phase)]))
    assert School.objects.get(urn=100001).phase == phase


@pytest.mark.parametrize(
    ("gias_status", "status"),
    [
        ("Open", School.Status.OPEN),
        ("Open, but proposed to close", School.Status.OPEN_PROPOSED_TO_CLOSE),
        ("Proposed to open", School.Status.PROPOSED_TO_OPEN),
        ("Closed", School.Status.CLOSED),
    ],
)
def test_maps_every_gias_status(gias_file, gias_status, status):
    run_import(gias_file([gias_row(100001, status=gias_status)]))
    assert School.objects.get(urn=100001).status == status


@pytest.mark.parametrize(
    ("easting", "northing", "latitude", "longitude"),
    [
        # Worked out independently with Ordnance Survey's transverse Mercator and Helmert formulas
        # ("A guide to coordinate systems in Great Britain"): near Charing Cross, and the guide's own example point.
        (530000, 180000, 51.503991, -0.128354),
        (651410, 313177, 52.657980, 1.716053),
    ],
)
def test_converts_national_grid_to_latitude_longitude_within_ten_metres(
    gias_file, easting, northing, latitude, longitude
):
    run_import(gias_file([gias_row(100001, easting=str(easting), northing=str(northing))]))
    school = School.objects.get(urn=100001)
    assert metres_between(school.latitude, school.longitude, latitude, longitude) < 10


def test_a_school_without_a_position_has_no_latitude(gias_file):
    run_import(gias_file([gias_row(100001, easting="", northing=""), gias_row(100002, easting="0", northing="0")]))
    assert set(School.objects.values_list("easting", "latitude", "longitude")) == {(None, None, None)}


# --- re-importing ------------------------------------------------------------------------------------------------


def test_importing_the_same_file_twice_writes_nothing_the_second_time(gias_file):
    path = gias_file([gias_row(100000 + n) for n in range(1, 21)])
    run_import(path)
    written = dict(School.objects.values_list("urn", "updated_at"))

    report = run_import(path)

    assert (report.created, report.updated, report.unchanged, report.closed, report.skipped) == (0, 0, 20, 0, 0)
    assert dict(School.objects.values_list("urn", "updated_at")) == written


def test_a_changed_row_updates_only_that_school(gias_file):
    run_import(gias_file([gias_row(100001), gias_row(100002)]))
    before = School.objects.get(urn=100002).updated_at

    report = run_import(gias_file([gias_row(100001, pupils="500", name="Oakfield Primary Academy"), gias_row(100002)]))

    assert (report.created, report.updated, report.unchanged) == (0, 1, 1)
    school = School.objects.get(urn=100001)
    assert (school.number_of_pupils, school.name) == (500, "Oakfield Primary Academy")
    assert School.objects.get(urn=100002).updated_at == before


def test_columns_in_another_order_give_the_same_schools(gias_file):
    rows = [gias_row(100001), gias_row(100002, name="Beechwood School", phase="Secondary")]
    run_import(gias_file(rows))
    reordered = GIAS_HEADERS.copy()
    random.Random(4).shuffle(reordered)
    assert reordered[:3] != GIAS_HEADERS[:3]

    report = run_import(gias_file(rows, name="reordered.csv", headers=reordered))

    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)


def test_extra_columns_are_ignored(gias_file):
    extra = ["TypeOfEstablishment (code)", "Trusts (name)", "OfstedRating (name)", "Unheard Of Column"]
    headers = [*GIAS_HEADERS[:5], *extra[:2], *GIAS_HEADERS[5:], *extra[2:]]
    rows = [{**gias_row(100001), "TypeOfEstablishment (code)": "1", "Unheard Of Column": "9,9"}]

    report = run_import(gias_file(rows, headers=headers))

    assert report.created == 1
    assert School.objects.get(urn=100001).type_name == "Community school"


def test_a_file_with_only_the_required_columns_imports(gias_file):
    report = run_import(gias_file([gias_row(100001)], headers=REQUIRED_ONLY))

    assert report.created == 1
    school = School.objects.get(urn=100001)
    assert (school.postcode, school.number_of_pupils, school.latitude) == ("", None, None)


def test_an_optional_column_missing_from_a_later_file_leaves_its_values_alone(gias_file):
    run_import(gias_file([gias_row(100001, pupils="333")]))
    headers = [name for name in GIAS_HEADERS if name not in ("NumberOfPupils", "Easting", "Northing")]

    report = run_import(gias_file([gias_row(100001, pupils="")], name="fewer-columns.csv", headers=headers))

    assert (report.updated, report.unchanged) == (0, 1)
    school = School.objects.get(urn=100001)
    assert school.number_of_pupils == 333
    assert school.latitude is not None


# --- closed and missing schools ----------------------------------------------------------------------------------


def test_a_school_closed_in_the_file_is_marked_closed_not_deleted(gias_file):
    run_import(gias_file([gias_row(100001), gias_row(100002)]))

    report = run_import(gias_file([gias_row(100001, status="Closed", close_date="31-08-2025"), gias_row(100002)]))

    assert (report.closed, report.updated, report.unchanged) == (1, 0, 1)
    school = School.objects.get(urn=100001)
    assert school.status == School.Status.CLOSED
    assert school.close_date == datetime.date(2025, 8, 31)
    assert School.objects.count() == 2


def test_schools_missing_from_the_file_are_listed_and_left_alone(gias_file):
    run_import(gias_file([gias_row(100001), gias_row(100002), gias_row(100003, status="Closed")]))

    report = run_import(gias_file([gias_row(100001)]))

    assert report.missing == 1  # the closed one is not missing anything
    assert report.missing_urns == [100002]
    assert School.objects.get(urn=100002).status == School.Status.OPEN


def test_a_full_extract_marks_missing_schools_closed(gias_file):
    run_import(gias_file([gias_row(100001), gias_row(100002), gias_row(100003)]))

    report = run_import(gias_file([gias_row(100001)]), full_extract=True)

    assert (report.missing, report.closed, report.unchanged) == (2, 2, 1)
    assert dict(School.objects.values_list("urn", "status")) == {
        100001: School.Status.OPEN,
        100002: School.Status.CLOSED,
        100003: School.Status.CLOSED,
    }


def test_a_london_only_full_extract_leaves_schools_outside_london_alone(gias_file):
    run_import(
        gias_file([gias_row(100001), gias_row(100002, la_code="873", la_name="Cambridgeshire")]), all_regions=True
    )

    report = run_import(gias_file([gias_row(100001)]), full_extract=True)

    assert report.missing == 0
    assert School.objects.get(urn=100002).status == School.Status.OPEN


def test_a_full_extract_with_nothing_to_import_is_refused(gias_file):
    run_import(gias_file([gias_row(100001)]))

    with pytest.raises(GiasFileRefused, match="every school closed"):
        run_import(gias_file([gias_row(100002, la_code="873", la_name="Cambridgeshire")]), full_extract=True)

    assert School.objects.get(urn=100001).status == School.Status.OPEN


# --- regions -----------------------------------------------------------------------------------------------------


def test_rows_outside_london_are_ignored_unless_all_regions(gias_file):
    path = gias_file([gias_row(100001), gias_row(100002, la_code="873", la_name="Cambridgeshire")])

    london = run_import(path)

    assert (london.created, london.outside_scope, london.skipped) == (1, 1, 0)
    assert not LocalAuthority.objects.filter(code=873).exists()

    england = run_import(path, all_regions=True)

    assert (england.created, england.unchanged, england.authorities_created) == (1, 1, 1)
    authority = LocalAuthority.objects.get(code=873)
    assert (authority.name, authority.area, authority.bcu) == ("Cambridgeshire", LocalAuthority.Area.OUTSIDE, None)
    assert School.objects.get(urn=100002).local_authority == authority


# --- malformed rows ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        ({"urn": "12345"}, "URN '12345' is not a six-digit number"),
        ({"urn": "A00002"}, "URN 'A00002' is not a six-digit number"),
        ({"urn": ""}, "URN is empty"),
        ({"la_code": "XYZ"}, "unknown LA code 'XYZ'"),
        ({"la_code": ""}, "LA (code) is empty"),
        ({"low_age": "eleven"}, "StatutoryLowAge 'eleven' is not a whole number"),
        ({"pupils": "12.5"}, "NumberOfPupils '12.5' is not a whole number"),
        ({"pupils": "-3"}, "NumberOfPupils '-3' is not a whole number"),
        ({"easting": "53x000"}, "Easting '53x000' is not a whole number"),
        ({"low_age": "12", "high_age": "11"}, "StatutoryLowAge 12 is above StatutoryHighAge 11"),
        ({"open_date": "31-02-2020"}, "OpenDate '31-02-2020' is not a date"),
        ({"close_date": "2020-08-31"}, "CloseDate '2020-08-31' is not a date"),
        ({"phase": "Tertiary"}, "unknown phase of education 'Tertiary'"),
        ({"status": "Sleeping"}, "unknown establishment status 'Sleeping'"),
        ({"name": "  "}, "EstablishmentName is empty"),
        ({"postcode": "E8 1HR E8 1HR"}, "Postcode 'E8 1HR E8 1HR' is longer than 10 characters"),
    ],
)
def test_a_malformed_row_is_skipped_with_its_line_and_reason(gias_file, bad, reason):
    rows = [gias_row(100001), gias_row(100002, **bad), gias_row(100003)]

    report = run_import(gias_file(rows))

    assert (report.created, report.skipped) == (2, 1)
    [problem] = report.problems
    assert problem["line"] == 3
    assert problem["urn"] == bad.get("urn", "100002")
    assert problem["reason"].startswith(reason)
    assert sorted(School.objects.values_list("urn", flat=True)) == [100001, 100003]


@pytest.mark.parametrize("code", ["000", "9999", "42"])
def test_a_number_that_is_no_la_code_is_outside_london_or_unknown_in_all_regions(gias_file, code):
    path = gias_file([gias_row(100001), gias_row(100002, la_code=code, la_name="Does not apply")])

    london = run_import(path, dry_run=True)
    england = run_import(path, all_regions=True)

    assert (london.created, london.outside_scope, london.skipped) == (1, 1, 0)
    assert england.problems == [{"line": 3, "urn": "100002", "reason": f"unknown LA code '{code}'"}]
    assert not LocalAuthority.objects.filter(name="Does not apply").exists()


def test_a_london_code_with_no_authority_is_an_unknown_la_code(gias_file):
    LocalAuthority.objects.filter(code=201).delete()

    report = run_import(gias_file([gias_row(100001, la_code="201", la_name="City of London")]))

    assert report.problems == [{"line": 2, "urn": "100001", "reason": "unknown LA code 201 (no such local authority)"}]


def test_a_urn_listed_twice_keeps_the_first_row(gias_file):
    report = run_import(gias_file([gias_row(100001, pupils="10"), gias_row(100001, pupils="20")]))

    assert report.problems == [{"line": 3, "urn": "100001", "reason": "URN 100001 is listed again (first on line 2)"}]
    assert School.objects.get(urn=100001).number_of_pupils == 10


def test_a_row_with_the_wrong_number_of_fields_is_skipped(gias_file, tmp_path):
    data = gias_bytes([gias_row(100001), gias_row(100002)]).replace(b"\r\n100002,", b"\r\n100002,extra,", 1)
    path = tmp_path / "ragged.csv"
    path.write_bytes(data)

    report = run_import(path)

    assert report.problems[0]["line"] == 3
    assert "fields but the header has" in report.problems[0]["reason"]
    assert report.created == 1


def test_line_numbers_count_lines_inside_quoted_fields(gias_file):
    rows = [gias_row(100001, name="Oakfield\r\nPrimary School"), gias_row(100002, urn="bad")]

    report = run_import(gias_file(rows))

    assert report.problems[0]["line"] == 4


def test_a_row_skipped_for_bad_data_is_not_missing_from_the_file(gias_file):
    run_import(gias_file([gias_row(100001), gias_row(100002)]))

    report = run_import(gias_file([gias_row(100001), gias_row(100002, pupils="many")]), full_extract=True)

    assert (report.skipped, report.missing) == (1, 0)
    assert School.objects.get(urn=100002).status == School.Status.OPEN


# --- files that are not GIAS extracts ----------------------------------------------------------------------------


def _not_gias(tmp_path, data: bytes):
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(data)
    return path


NOT_GIAS = [
    pytest.param(b"", "is empty", id="empty"),
    pytest.param(b"\r\n  \r\n", "is empty", id="blank lines"),
    pytest.param(gias_bytes([]), "has headings but no rows", id="headers only"),
    pytest.param(b"name,email\r\nAnn,ann@example.com\r\n", "missing the columns URN, LA (code)", id="another csv"),
    pytest.param(
        gias_bytes([gias_row()], headers=[h for h in GIAS_HEADERS if h != "PhaseOfEducation (name)"]),
        "missing the column PhaseOfEducation (name)",
        id="a required column missing",
    ),
    pytest.param(b"\xef\xbb\xbf" + gias_bytes([gias_row()]), "UTF-8 byte-order mark", id="utf-8 bom"),
    pytest.param(gias_bytes([gias_row()], encoding="utf-16"), "UTF-16", id="utf-16"),
    pytest.param(
        gias_bytes([gias_row(name="St Mary\u2019s Primary School")], encoding="utf-8"), "is UTF-8 text", id="utf-8"
    ),
    *[
        pytest.param(
            gias_bytes([gias_row(name="Caf_ School")]).replace(b"Caf_", b"Caf" + bytes([byte])),
            f"byte 0x{byte:02X} on line 2 is not a cp1252 character",
            id=f"undecodable 0x{byte:02X}",
        )
        for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
    ],  # fmt: skip
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a text file", id="an image"),
]


@pytest.mark.parametrize(("data", "message"), NOT_GIAS)
def test_a_file_that_is_not_a_gias_extract_is_refused_and_nothing_is_written(tmp_path, data, message):
    with pytest.raises(GiasFileRefused) as refused:
        run_import(_not_gias(tmp_path, data))

    assert message in refused.value.message
    assert not School.objects.exists()
    assert not GiasImport.objects.exists()
    assert not AuditEvent.objects.filter(verb="gias_import").exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(GiasFileRefused, match="Cannot read"):
        run_import(tmp_path / "nowhere.csv")


# --- dry run, audit, query counts --------------------------------------------------------------------------------


def test_a_dry_run_reports_but_writes_nothing(gias_file):
    path = gias_file([gias_row(100001), gias_row(100002, la_code="873", la_name="Cambridgeshire")])

    report = run_import(path, dry_run=True, all_regions=True)

    assert (report.created, report.authorities_created, report.pk) == (2, 1, None)
    assert not School.objects.exists()
    assert not LocalAuthority.objects.filter(code=873).exists()
    assert not GiasImport.objects.exists()
    assert not AuditEvent.objects.exists()


def test_each_run_leaves_one_audit_record_with_its_summary(gias_file):
    report = run_import(gias_file([gias_row(100000 + n) for n in range(1, 6)]))

    events = list(AuditEvent.objects.filter(verb="gias_import"))
    assert len(events) == 1
    assert events[0].target_id == str(report.pk)
    assert events[0].actor_label == "system"
    assert events[0].data["summary"] == "created 5 / updated 0 / unchanged 0 / closed 0 / skipped 0"
    stored = GiasImport.objects.get()
    assert (stored.file_name, stored.rows_read, stored.created) == ("edubasealldata20250101.csv", 5, 5)


def _import_queries(gias_file, django_assert_max_num_queries, count: int, limit: int, name: str):
    path = gias_file([gias_row(100000 + n) for n in range(1, count + 1)], name=name)
    with django_assert_max_num_queries(limit) as captured:
        run_import(path)
    return len(captured.captured_queries)


def test_query_count_grows_with_write_batches_not_rows(gias_file, django_assert_max_num_queries):
    # Fixed cost: authorities, existing schools, the run record, its audit entry, savepoints. Then one INSERT per
    # batch (SQLite allows 999 parameters a statement: 33 schools; PostgreSQL takes 2,000 at once).
    small = _import_queries(gias_file, django_assert_max_num_queries, 10, 12, "small.csv")
    large = _import_queries(gias_file, django_assert_max_num_queries, 1000, 12 + 1000 // 33 + 1, "large.csv")
    assert large - small <= 1000 // 33 + 1


def test_re_importing_runs_the_same_queries_for_ten_or_a_thousand_schools(gias_file, django_assert_max_num_queries):
    counts = []
    for size in (10, 1000):
        path = gias_file([gias_row(100000 + n) for n in range(1, size + 1)], name=f"{size}.csv")
        run_import(path)
        with django_assert_max_num_queries(10) as captured:
            run_import(path)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 10


def test_updating_a_thousand_schools_takes_as_few_queries_as_ten(gias_file, django_assert_max_num_queries):
    counts = []
    for size in (10, 1000):
        School.objects.all().delete()
        run_import(gias_file([gias_row(100000 + n) for n in range(1, size + 1)], name=f"{size}.csv"))
        changed = gias_file([gias_row(100000 + n, pupils="99") for n in range(1, size + 1)], name=f"{size}-changed.csv")
        with django_assert_max_num_queries(10) as captured:
            report = run_import(changed)
        assert report.updated == size
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1]
    assert set(School.objects.values_list("number_of_pupils", flat=True)) == {99}


def test_progress_is_reported_while_reading_and_writing(gias_file):
    calls = []
    run_import(gias_file([gias_row(100000 + n) for n in range(1, 1201)]), progress=lambda *a: calls.append(a))

    assert ("Reading schools", 500, 1200) in calls
    assert calls[-1] == ("Writing schools", 1200, 1200)


# --- the command -------------------------------------------------------------------------------------------------


def test_the_command_prints_problems_missing_schools_and_the_summary(gias_file):
    call_command("import_gias", str(gias_file([gias_row(100001), gias_row(100002)])), stdout=io.StringIO())
    path = gias_file([gias_row(100001), gias_row(100003, pupils="lots"), gias_row(100004, la_code="873")], name="b.csv")
    out, err = io.StringIO(), io.StringIO()

    call_command("import_gias", str(path), stdout=out, stderr=err)

    printed = out.getvalue()
    assert "Skipped line 3 (URN 100003): NumberOfPupils 'lots' is not a whole number" in printed
    assert "Outside London: 1 rows ignored" in printed
    assert "Missing from the file: 1 open schools in scope (100002): left as they are." in printed
    assert "b.csv: 3 rows read: created 0 / updated 0 / unchanged 1 / closed 0 / skipped 1" in printed
    assert err.getvalue() == ""  # no progress bar when stderr is not a terminal


def test_the_command_refuses_a_non_gias_file_with_a_non_zero_exit(tmp_path):
    path = _not_gias(tmp_path, b"name,email\r\nAnn,ann@example.com\r\n")

    with pytest.raises(CommandError, match="is not a GIAS extract.*Nothing was imported") as refused:
        call_command("import_gias", str(path), stdout=io.StringIO())

    assert refused.value.returncode == 1
    assert not School.objects.exists()


def test_the_command_options_reach_the_import(gias_file):
    path = gias_file([gias_row(100001), gias_row(100002, la_code="873", la_name="Cambridgeshire")])
    out = io.StringIO()

    call_command("import_gias", str(path), "--all-regions", "--dry-run", stdout=out)

    assert "created 2" in out.getvalue()
    assert "Dry run: nothing was written." in out.getvalue()
    assert not School.objects.exists()

    call_command("import_gias", str(path), "--all-regions", stdout=io.StringIO())
    call_command("import_gias", str(gias_file([gias_row(100001)], name="one.csv")), "--full-extract", "--all-regions",
                 stdout=out)  # fmt: skip
    assert School.objects.get(urn=100002).status == School.Status.CLOSED


# --- two imports at once -----------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_take_turns(gias_file):
    path = gias_file([gias_row(100000 + n) for n in range(1, 301)])
    reports, errors = [], []
    start = threading.Barrier(2)

    def run():
        try:
            start.wait()
            reports.append(run_import(path))
        except Exception as exc:  # noqa: BLE001 - the test reports any failure of either thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert sorted((report.created, report.unchanged) for report in reports) == [(0, 300), (300, 0)]
    assert School.objects.count() == 300
