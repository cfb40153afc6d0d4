"""Issue 17, finding 4: every CSV import, fed generated hostile files, answers a clear error with a line number, writes
nothing and never a 500: through its service, its page and its API. Every import reads with core.csv_import.

The hostile files are made from a seeded generator (the same files every run): random bytes, a field over 128 KB, NUL
bytes, the wrong encoding, unbalanced and misplaced quotes, values longer than their column, numbers too big for their
column, numbers written with Unicode digits ("²", "٣", "１"), rows wider than the header, and empty files. It runs on
SQLite and on PostgreSQL (not marked postgres-only), in well under a minute.
"""

import csv
import io
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.csv_import import CsvRejected
from schools.models import School
from tests.accounts.factories import SchoolFactory, programme_admin, with_two_factor
from tests.officers.factories import allocator
from tests.schools.gias_fixtures import GIAS_HEADERS, gias_bytes, gias_row
from tests.stepping_stones.factories import CohortFactory, coordinator
from tests.wands.factories import fulfilment_staff

from .probes import changed_tables, database_snapshot

pytestmark = pytest.mark.django_db

SEED = 20261206


@dataclass
class Import:
    name: str
    header: list[str]
    row: dict[str, str]  # a plausible row: hostile rows are this row with cells replaced
    numbers: list[str]  # columns holding whole numbers
    user: Callable
    service: Callable  # (actor, bytes) -> anything; raises CsvRejected for a bad file
    page: str = ""
    api: str = ""
    url_kwargs: dict = field(default_factory=dict)
    encoding: str = "utf-8"


def _wands_dispatch(actor, data):
    from wands import services

    return services.dispatch_csv_apply(data=data, actor=actor)


def _wands_existing(actor, data):
    from wands import services

    return services.existing_deliveries_import(data=data, actor=actor)


def _officers(actor, data):
    from officers import services

    return services.officers_import_csv(actor=actor, data=data)


def _cohort(actor, data):
    from stepping_stones import services
    from stepping_stones.models import Cohort

    return services.cohort_import_csv(actor=actor, cohort=Cohort.objects.get(transition_year=2026), file=data)


def _invitations(actor, data):
    from accounts import services

    return services.headteacher_invitations_check_csv(data=data)


def _stepping_stones_row():
    from stepping_stones import services

    return dict.fromkeys(services.IMPORT_COLUMNS, "x") | {
        "date_of_birth": "2014-03-15",
        "upn": "A801200001001",
        "referring_school_urn": "100001",
        "receiving_school_urn": "100002",
        "consent_given_on": "2026-01-10",
        "priority": "high",
    }


def _stepping_stones_header():
    from stepping_stones import services

    return list(services.IMPORT_COLUMNS)


def _officers_header():
    from officers import services

    return list(services.CSV_COLUMNS)


IMPORTS = [
    Import(
        "wands dispatch",
        ["reference", "courier", "tracking", "serials"],
        {"reference": "KW-000001", "courier": "DPD", "tracking": "T1", "serials": "A1;A2"},
        [],
        lambda: with_two_factor(fulfilment_staff()),
        _wands_dispatch,
        page="wands:dispatch_upload",
        api="wands-api:dispatch-csv",
    ),
    Import(
        "wands earlier deliveries",
        ["urn", "quantity", "date", "serials"],
        {"urn": "100001", "quantity": "2", "date": "2024-03-01", "serials": ""},
        ["urn", "quantity"],
        lambda: with_two_factor(programme_admin()),
        _wands_existing,
        page="wands:existing_import",
        api="wands-api:existing-deliveries",
    ),
    Import(
        "officers",
        None,  # filled in below (the app's own column list)
        {
            "shoulder_number": "1CE",
            "name": "Sam",
            "bcu": "central-east",
            "base_name": "Base",
            "base_postcode": "N1",
            "base_latitude": "51.5",
            "base_longitude": "-0.1",
            "capacity": "100",
            "school_urns": "100001",
        },  # fmt: skip
        ["capacity", "school_urns"],
        allocator,
        _officers,
        page="officers:officer_import",
        api="officers-api:officer-import",
    ),
    Import(
        "stepping stones cohort",
        None,
        None,
        ["referring_school_urn", "receiving_school_urn"],
        lambda: with_two_factor(coordinator()),
        _cohort,
        page="stepping_stones:cohort_import",
        api="stepping_stones-api:cohort-import",
        url_kwargs={"year": 2026},
    ),
    Import(
        "headteacher invitations",
        ["urn", "email"],
        {"urn": "100001", "email": "head@example.org"},
        ["urn"],
        lambda: with_two_factor(programme_admin()),
        _invitations,
        page="accounts:invite_headteacher_csv",
    ),
]


def _complete(spec: Import) -> Import:
    if spec.name == "officers":
        spec.header = _officers_header()
    if spec.name == "stepping stones cohort":
        spec.header, spec.row = _stepping_stones_header(), _stepping_stones_row()
    return spec


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def hostile_files(spec: Import, *, hostile_line: int = 3) -> list[tuple[str, bytes, int]]:
    """(what, bytes, the line the error must name) for one import. Line 2 is a plausible row; the hostile row (or
    cell) is on `hostile_line`, with one more plausible row after it."""
    rng = random.Random(f"{SEED}-{spec.name}")
    header, good = spec.header, [spec.row[column] for column in spec.header]
    text_columns = [index for index, column in enumerate(header) if column not in spec.numbers]
    number_columns = [index for index, column in enumerate(header) if column in spec.numbers] or text_columns[:1]
    before = [header, good][: hostile_line - 1]

    def with_row(row: list[str]) -> str:
        return _csv([*before, row, good])

    def replaced(indexes, value) -> list[str]:
        return [value if index in indexes else cell for index, cell in enumerate(good)]

    encode = (lambda text: text.encode("cp1252")) if spec.encoding == "cp1252" else (lambda text: text.encode())
    other_encoding = "utf-8" if spec.encoding == "cp1252" else "cp1252"
    cell = rng.choice(text_columns)
    files = [
        ("random bytes", rng.randbytes(3000) + b"\x00", None),
        ("huge field", encode(with_row(replaced({cell}, "x" * 140_000))), hostile_line),
        ("huge quoted field with line breaks", encode(with_row(replaced({cell}, "a\r\n" * 50_000))), hostile_line),
        ("NUL byte", encode(with_row(replaced({cell}, "ab\x00cd"))), hostile_line),
        (
            "wrong encoding",
            with_row(replaced({cell}, "Café Zoë")).encode(other_encoding),
            1 if spec.encoding == "cp1252" else hostile_line,
        ),
        ("UTF-16", with_row(good).encode("utf-16"), 1),
        ("unclosed quote", encode(_csv(before)) + b'"never closed,' + encode(_csv([good] * 3)), hostile_line),
        ("quote inside a field", encode(_csv(before)) + b'ab"c"d,"x"y\r\n', hostile_line),
        ("overlong values", encode(with_row(replaced(set(text_columns), "y" * 5000))), hostile_line),
        ("huge integers", encode(with_row(replaced(set(number_columns), "9" * 60))), hostile_line),
        ("superscript digits", encode(with_row(replaced(set(number_columns), "\u00b2"))), hostile_line),
        ("Arabic-Indic digits", with_row(replaced(set(number_columns), "\u0663\u0663")).encode(), hostile_line),
        ("fullwidth digits", with_row(replaced(set(number_columns), "\uff11\uff12")).encode(), hostile_line),
        ("row wider than the header", encode(with_row([*good, "extra", "more"])), hostile_line),
        ("empty", b"", 1),
        ("headers only", encode(_csv([header])), 2),
    ]
    if spec.encoding == "cp1252":  # superscript two is a cp1252 character; the others are not, so they are encodings
        files = [f for f in files if f[0] not in {"Arabic-Indic digits", "fullwidth digits"}]
    return files


def _lines_named(error: CsvRejected) -> set[int]:
    return {line for line, _ in error.problems}


def _assert_line(what, lines: set[int], message: str, expected: int | None):
    assert lines or re.search(r"[Ll]ine \d+", message), f"{what}: no line number in {message!r}"
    if expected is not None:
        assert expected in lines or f"ine {expected}" in message, f"{what}: line {expected} not named: {message!r}"


@pytest.fixture
def register():
    """The schools the plausible rows name, and the cohort the Stepping Stones import fills."""
    SchoolFactory(urn=100001)
    SchoolFactory(urn=100002, phase="secondary")
    CohortFactory(transition_year=2026)


@pytest.mark.parametrize("spec", IMPORTS, ids=lambda spec: spec.name)
def test_hostile_files_through_the_service(spec, register):
    spec = _complete(spec)
    actor = spec.user()
    before = database_snapshot()
    for what, data, line in hostile_files(spec):
        with pytest.raises(CsvRejected) as error:
            spec.service(actor, data)
        assert error.value.field == "file"
        _assert_line(f"{spec.name}, {what}", _lines_named(error.value), error.value.message, line)
    assert not changed_tables(before, database_snapshot())


@pytest.mark.parametrize("spec", [spec for spec in IMPORTS if spec.page], ids=lambda spec: spec.name)
def test_hostile_files_through_the_page(spec, register):
    spec = _complete(spec)
    client = Client()
    client.force_login(spec.user())
    url = reverse(spec.page, kwargs=spec.url_kwargs)
    client.get(url)
    before = database_snapshot()
    for what, data, line in hostile_files(spec):
        response = client.post(url, {"file": SimpleUploadedFile("list.csv", data, "text/csv")})
        body = response.content.decode()
        assert response.status_code in {200, 400}, f"{spec.name}, {what}: {response.status_code}"
        assert "govuk-error-summary" in body, f"{spec.name}, {what}: no error summary"
        if what == "empty":  # refused by the form's file field before it is read: "The file is empty"
            assert "empty" in body, body[:2000]
        elif line is not None:
            assert re.search(rf"(Line {line}\b|>{line}<)", body), f"{spec.name}, {what}: line {line} not shown"
    assert not changed_tables(before, database_snapshot())


@pytest.mark.parametrize("spec", [spec for spec in IMPORTS if spec.api], ids=lambda spec: spec.name)
def test_hostile_files_through_the_api(spec, register):
    spec = _complete(spec)
    api = APIClient()
    api.force_authenticate(spec.user())
    url = reverse(spec.api, kwargs=spec.url_kwargs)
    before = database_snapshot()
    for what, data, line in hostile_files(spec):
        response = api.post(url, {"file": SimpleUploadedFile("list.csv", data, "text/csv")}, format="multipart")
        assert response.status_code == 400, f"{spec.name}, {what}: {response.status_code}"
        body = response.json()
        if what == "empty" and body["code"] == "invalid":  # refused by the serializer's file field before it is read
            assert body["errors"]["file"], body
            continue
        assert body["code"] == "csv_rejected" and body["errors"]["file"], (what, body)
        lines = {row["line"] for row in body["rows"]}
        _assert_line(f"{spec.name}, {what}", lines, body["errors"]["file"][0], line)
    assert not changed_tables(before, database_snapshot())


GIAS = Import(
    "GIAS",
    GIAS_HEADERS,
    gias_row(100009),
    ["NumberOfPupils", "Easting", "Northing", "StatutoryLowAge", "StatutoryHighAge", "URN"],
    lambda: None,
    None,
    encoding="cp1252",
)


def test_hostile_gias_files_are_refused_or_their_rows_skipped_at_their_line(tmp_path, reference_data_loaded):
    """GIAS skips bad rows and reports them (its rows come from DfE, one bad school must not stop the register): a
    hostile row is skipped with its line, or the file refused naming the line; the hostile row is never written."""
    from schools.services import gias_import_run

    spec = GIAS
    spec.row = gias_row(100009)
    for what, data, line in hostile_files(spec, hostile_line=2):
        School.objects.all().delete()
        path = tmp_path / "edubasealldata.csv"
        path.write_bytes(data)
        try:
            report = gias_import_run(path=path, dry_run=True)
        except CsvRejected as error:
            _assert_line(f"GIAS, {what}", _lines_named(error), error.message, line)
            continue
        lines = {problem["line"] for problem in report.problems}
        assert line in lines, f"GIAS, {what}: line {line} not reported, only {sorted(lines)}"


def test_gias_unclosed_quote_names_the_line_it_opened_not_one_row_skipped(tmp_path, reference_data_loaded):
    from schools.gias import GiasFileRefused
    from schools.services import gias_import_run

    rows = [gias_row(100000 + n) for n in range(1, 6)]
    data = gias_bytes(rows)
    lines = data.split(b"\r\n")
    lines[3] = lines[3].replace(b",", b',"', 1)  # line 4: a quote opens a field and never closes
    path = tmp_path / "edubasealldata.csv"
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(GiasFileRefused) as refused:
        gias_import_run(path=path)
    assert refused.value.problems[0].line == 4
    assert "never closed" in refused.value.message
    assert not School.objects.filter(urn__in=[100001, 100002, 100003, 100004, 100005]).exists()


@pytest.fixture
def reference_data_loaded():
    from schools.models import BasicCommandUnit, LocalAuthority
    from schools.reference_data import load_reference_data

    if not LocalAuthority.objects.exists():
        load_reference_data(bcu_model=BasicCommandUnit, authority_model=LocalAuthority)
