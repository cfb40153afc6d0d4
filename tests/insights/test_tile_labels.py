"""A tile shows its percentage as the table does: rounding it again put "4%" on a tile of the 4.5%-6.5% band."""

from insights.tilemap import percent_label


def test_a_tile_shows_the_tables_one_decimal_and_no_decimal_when_whole():
    assert percent_label(4.5) == "4.5%"
    assert percent_label(2.6) == "2.6%"
    assert percent_label(10.0) == "10%"
    assert percent_label(0) == "0%"
