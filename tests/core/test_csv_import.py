"""The one CSV reader: every way a file can be unreadable gives CsvRejected with a line, never another exception."""

import codecs

import pytest

from core.csv_import import Column, CsvRejected, read_csv, upload_bytes
from schools.models import School
from wands.models import WandRequest

COLUMNS = [Column("name", max_length=10), Column("count", integer=True, min_value=0, max_value=100)]


def rejected(data: bytes, **kwargs) -> CsvRejected:
    with pytest.raises(CsvRejected) as error:
        read_csv(data, **{"columns": COLUMNS, **kwargs})
    return error.value


def test_reads_rows_with_their_start_lines_and_checked_values():
    table = read_csv(b'\xef\xbb\xbfName , COUNT\nann,3\n\n"bo\nb",\n', columns=COLUMNS)
    assert [(row.line, row["name"], row["count"]) for row in table.rows] == [(2, "ann", 3), (4, "bo\nb", None)]


def test_optional_column_absent_reads_as_blank():
    table = read_csv(b"name\nann\n", columns=[Column("name"), Column("extra", required=False)])
    assert table.rows[0]["extra"] == ""
    assert not table.has("extra")


@pytest.mark.parametrize(
    ("data", "line", "words"),
    [
        (b"", 1, "empty"),
        (b"name,count\n", 2, "no rows"),
        (b"name\nann\n", 1, "count"),
        (b"name,count\nann,1\n\xff\xfe,2\n", 3, "not UTF-8"),
        (codecs.BOM_UTF16_LE + "name,count\n".encode("utf-16-le"), 1, "UTF-16"),
        (b"name,count\nann,1\nb\x00b,2\n", 3, "NUL"),
        (b'name,count\nann,1\n"bob,2\ncat,3\n', 3, "never closed"),
        (b'name,count\nann,"1"x\n', 2, "quote"),
        (b"name,count\n" + b"a" * 140_000 + b",1\n", 2, "longer than 131,072"),
        (b"name,count,name\nann,1,2\n", 1, "more than once"),
    ],
)
def test_unreadable_files_are_refused_at_a_line(data, line, words):
    error = rejected(data)
    assert error.problems[0].line == line
    assert words in error.problems[0].message
    assert error.field == "file"


def test_unclosed_quote_is_reported_where_it_opened_even_past_the_field_limit():
    data = b'name,count\nann,1\nbob,"2\n' + b"x,1\n" * 40_000
    error = rejected(data, max_bytes=1_000_000)
    assert error.problems == [(3, error.problems[0].message)]
    assert "never closed" in error.message


@pytest.mark.parametrize(
    ("cell", "words"),
    [("²", "digits 0 to 9"), ("٣", "digits 0 to 9"), ("1.5", "whole number"), ("101", "100 or less"),
     ("-1", "0 or more"), ("9" * 40, "100 or less")],
)  # fmt: skip
def test_numbers_are_ascii_digits_in_range(cell, words):
    error = rejected(f"name,count\nann,{cell}\n".encode())
    assert error.problems[0].line == 2
    assert words in error.problems[0].message
    assert cell not in error.message  # values are never echoed


def test_every_bad_row_is_listed_in_reject_mode():
    error = rejected(b"name,count\nann,x\nbob,1\n" + b"c" * 11 + b",2\n")
    assert [line for line, _ in error.problems] == [2, 4]
    assert "longer than 10 characters" in error.problems[1].message
    assert error.message == "Nothing was imported: 2 rows need fixing."


def test_skip_mode_keeps_good_rows_and_lists_the_bad():
    table = read_csv(b"name,count\nann,x\nbob,1\n", columns=COLUMNS, bad_rows="skip")
    assert [row["name"] for row in table.rows] == ["bob"]
    assert [(row.line, row.values["name"]) for row in table.skipped] == [(2, "ann")]


def test_a_row_wider_than_the_header_is_bad():
    assert rejected(b"name,count\nann,1,extra\n").problems[0].line == 2
    read_csv(b"name,count\nann,1,\n", columns=COLUMNS)  # an empty trailing cell, as spreadsheets write, is fine


def test_exact_width_also_refuses_short_rows():
    error = rejected(b"name,count\nann\n", exact_width=True)
    assert "1 fields but the header has 2" in error.problems[0].message


def test_cp1252_refuses_utf8_and_undefined_bytes():
    assert "UTF-8 text" in rejected("name,count\nRené,1\n".encode(), encoding="cp1252").message
    assert "0x81" in rejected(b"name,count\nRen\x81,1\n", encoding="cp1252").message
    assert "byte-order mark" in rejected(codecs.BOM_UTF8 + b"name,count\n", encoding="cp1252").message
    assert read_csv("name,count\nRené,1\n".encode("cp1252"), columns=COLUMNS, encoding="cp1252").rows[0]["name"] == (
        "René"
    )


def test_size_limit_and_row_limit():
    assert "larger than 1 KB" in rejected(b"name,count\n" + b"a,1\n" * 500, max_bytes=1000).message
    assert rejected(b"name,count\na,1\nb,2\nc,3\n", max_rows=2).problems[0].line == 4


def test_columns_from_model_fields():
    courier = Column.for_field(WandRequest, "courier")
    assert courier.max_length == WandRequest._meta.get_field("courier").max_length
    quantity = Column.for_field(WandRequest, "quantity")
    assert quantity.integer and quantity.min_value >= 0 and quantity.max_value <= 2_147_483_647
    urn = Column.for_field(WandRequest, "school", name="urn")
    assert urn.integer and urn.name == "urn"
    assert Column.for_field(School, "name").max_length == 255


def test_upload_bytes_refuses_by_recorded_size():
    class Upload:
        size = 3_000_000

        def read(self, *_):
            raise AssertionError("read before the size was checked")

    with pytest.raises(CsvRejected, match="larger than 2 MB"):
        upload_bytes(Upload())
