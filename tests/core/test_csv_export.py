"""CSV exports: formulas neutralised, numbers kept, streamed with flat memory, safe file names."""

import csv
import datetime
import inspect
import io
import itertools
import tracemalloc
import zoneinfo
from decimal import Decimal

import pytest
from django.http import StreamingHttpResponse

from core.csv_export import csv_lines, csv_safe, csv_streaming_response, safe_filename


@pytest.mark.parametrize(
    "dangerous",
    [
        '=HYPERLINK("http://evil.example","click")',
        "+44 20 7946 0000",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
        "  =1+1",
        "＝1+1",
    ],
)
def test_every_formula_prefix_is_neutralised(dangerous):
    assert csv_safe(dangerous) == "'" + dangerous


@pytest.mark.parametrize("harmless", ["Westminster Academy", "St Mary's", "100", "a=b", "", "e-mail"])
def test_ordinary_text_is_unchanged(harmless):
    assert csv_safe(harmless) == harmless


@pytest.mark.parametrize("number", [0, 42, -7, 3.5, -0.25, Decimal("-12.50"), Decimal("1E+3")])
def test_numbers_stay_numbers(number):
    assert csv_safe(number) is number


def test_none_dates_and_booleans():
    london = zoneinfo.ZoneInfo("Europe/London")
    assert csv_safe(None) == ""
    assert csv_safe(True) == "Yes"
    assert csv_safe(False) == "No"
    assert csv_safe(datetime.date(2026, 11, 25)) == "2026-11-25"
    assert csv_safe(datetime.time(9, 30)) == "09:30:00"
    # Aware times are shown in London time, the way people read them.
    assert csv_safe(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=datetime.UTC)) == "2026-07-01 13:00:00"
    assert csv_safe(datetime.datetime(2026, 7, 1, 12, 0, tzinfo=london)) == "2026-07-01 12:00:00"


def test_other_objects_are_text_and_neutralised():
    class Label:
        def __str__(self):
            return "=cmd|' /C calc'!A0"

    assert csv_safe(Label()) == "'=cmd|' /C calc'!A0"


def read_csv(response) -> tuple[str, list[list[str]]]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return text, list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_response_is_a_streaming_csv_attachment_with_bom():
    response = csv_streaming_response(
        filename="wand-requests.csv",
        header=["URN", "School", "Quantity", "Note"],
        rows=[(100001, "=Evil School", -3, None), (100002, 'Quote "this", please', 4, "line\nbreak")],
    )
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="wand-requests.csv"'
    assert "no-store" in response["Cache-Control"]
    text, rows = read_csv(response)
    assert text.startswith("\ufeffURN,School,Quantity,Note\r\n")
    assert rows == [
        ["URN", "School", "Quantity", "Note"],
        ["100001", "'=Evil School", "-3", ""],
        ["100002", 'Quote "this", please', "4", "line\nbreak"],
    ]


def test_header_cells_are_neutralised_too():
    _, rows = read_csv(csv_streaming_response(filename="x", header=["=1+1", "Name"], rows=[]))
    assert rows == [["'=1+1", "Name"]]


def test_rows_are_pulled_lazily_as_the_response_is_read():
    pulled = 0

    def endless_rows():
        nonlocal pulled
        for number in itertools.count():
            pulled += 1
            yield (number, f"School {number}")

    response = csv_streaming_response(filename="big.csv", header=["n", "name"], rows=endless_rows())
    chunks = iter(response.streaming_content)
    next(chunks)  # header
    next(chunks)  # first chunk of rows
    assert 0 < pulled <= 1000
    assert inspect.isgenerator(csv_lines(header=["n"], rows=[]))


def test_100k_rows_stream_with_flat_memory():
    rows = ((number, f"School number {number}", Decimal("-1.5"), None) for number in range(100_000))
    response = csv_streaming_response(filename="big.csv", header=["n", "name", "delta", "note"], rows=rows)
    tracemalloc.start()
    try:
        total_bytes = 0
        line_count = 0
        for chunk in response.streaming_content:
            total_bytes += len(chunk)
            line_count += chunk.count(b"\r\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert line_count == 100_001
    assert total_bytes > 3_000_000
    # The whole file is over 3 MB; streaming keeps the peak to a few chunks.
    assert peak < 1_000_000, f"peak {peak} bytes: rows are being materialised"


@pytest.mark.parametrize(
    ("asked", "sent"),
    [
        ("wand-requests.csv", "wand-requests.csv"),
        ("wand requests 2026", "wand-requests-2026.csv"),
        ('evil".csv\r\nSet-Cookie: a=b', "evil-.csv-Set-Cookie-a-b.csv"),
        ("../../etc/passwd", "etc-passwd.csv"),
        ("Écoles à Londres.CSV", "Ecoles-a-Londres.csv"),
        ("", "export.csv"),
        ("///", "export.csv"),
        ("x" * 300, "x" * 100 + ".csv"),
    ],
)
def test_filename_is_sanitised(asked, sent):
    assert safe_filename(asked) == sent
    response = csv_streaming_response(filename=asked, header=["a"], rows=[])
    assert response["Content-Disposition"] == f'attachment; filename="{sent}"'


@pytest.mark.django_db
def test_a_queryset_iterator_streams(django_assert_max_num_queries):
    from django.contrib.contenttypes.models import ContentType

    rows = ContentType.objects.order_by("pk").values_list("app_label", "model").iterator(chunk_size=10)
    response = csv_streaming_response(filename="types", header=["app", "model"], rows=rows)
    with django_assert_max_num_queries(2):
        _, parsed = read_csv(response)
    assert ["contenttypes", "contenttype"] in parsed
    assert len(parsed) == ContentType.objects.count() + 1
