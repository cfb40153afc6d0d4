"""The tile grid of London: 33 boroughs, one square each, in their places; colours readable and legends honest."""

import pytest

from insights.tilemap import (
    BLACK,
    NO_DATA_FILL,
    OUT_OF_SCOPE_FILL,
    PALETTE,
    SUPPRESSED_FILL,
    TileValue,
    contrast_ratio,
    label_colour,
    tile_map,
    tile_positions,
    value_bins,
)
from schools.models import LocalAuthority


def test_the_grid_has_every_london_borough_once_in_its_own_square():
    positions = tile_positions()
    assert len(positions) == 33
    london = set(LocalAuthority.objects.exclude(area="outside").values_list("code", flat=True))
    assert {p.la_code for p in positions} == london
    assert len({(p.col, p.row) for p in positions}) == 33
    assert len({p.abbreviation for p in positions}) == 33


def test_the_grid_is_laid_out_like_london():
    by_code = {p.la_code: p for p in tile_positions()}
    enfield, croydon, city, westminster = by_code[308], by_code[306], by_code[201], by_code[213]
    havering, hillingdon, sutton = by_code[311], by_code[312], by_code[319]
    assert enfield.row == 0  # the northernmost
    assert sutton.row == max(p.row for p in tile_positions())  # the southernmost
    assert hillingdon.col == 0 and havering.col == max(p.col for p in tile_positions())
    assert westminster.col < city.col and westminster.row == city.row
    assert croydon.row > city.row


@pytest.mark.parametrize("fill", [*PALETTE, NO_DATA_FILL, SUPPRESSED_FILL, OUT_OF_SCOPE_FILL])
def test_every_tile_label_contrasts_at_least_4_5_to_1(fill):
    assert contrast_ratio(fill, label_colour(fill)) >= 4.5


def test_the_palette_is_sequential_from_light_to_dark():
    from insights.tilemap import relative_luminance

    luminance = [relative_luminance(colour) for colour in PALETTE]
    assert luminance == sorted(luminance, reverse=True)
    assert contrast_ratio(PALETTE[-1], BLACK) < contrast_ratio(PALETTE[0], BLACK)


def test_percent_bins_cover_0_to_100():
    bins = value_bins([5, 50, 100], percent=True)
    assert [b.label for b in bins] == [
        "0% to under 20%",
        "20% to under 40%",
        "40% to under 60%",
        "60% to under 80%",
        "80% to 100%",
    ]


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([0, 0], ["0"]),
        ([0, 3], ["0", "1", "2", "3"]),
        ([7, 12, 48], ["0 to 9", "10 to 19", "20 to 29", "30 to 39", "40 to 49"]),
        ([120], ["0 to 49", "50 to 99", "100 to 149"]),
    ],
)
def test_count_bins_are_round_and_cover_the_largest_value(values, labels):
    bins = value_bins(values, percent=False)
    assert [b.label for b in bins] == labels
    top = max(values)
    # The largest values always get the darkest colour; nothing but zeros gets the lightest.
    assert bins[-1].fill == (PALETTE[-1] if top else PALETTE[0])
    assert any(b.contains(top, last=i == len(bins) - 1) for i, b in enumerate(bins))


def test_tiles_are_coloured_by_bin_and_explain_what_is_not_coloured():
    values = {
        308: TileValue(308, "Enfield", 90, "90"),
        306: TileValue(306, "Croydon", 10, "10"),
        201: TileValue(201, "City of London", None, "Not applicable", reason="City of London Police"),
        204: TileValue(204, "Hackney", None, "fewer than 5", suppressed=True),
        302: TileValue(302, "Barnet", None, "Not shown", in_scope=False),
    }
    result = tile_map(map_id="m", title="T", measure_label="M", values=values, percent=False)
    tiles = {tile.la_code: tile for tile in result.tiles}
    assert len(tiles) == 33
    assert tiles[308].fill == PALETTE[-1] and tiles[306].fill != tiles[308].fill
    assert tiles[201].fill == NO_DATA_FILL and tiles[201].title == "City of London: City of London Police"
    assert tiles[204].fill == SUPPRESSED_FILL and tiles[204].value_label == "<5"
    assert tiles[302].fill == OUT_OF_SCOPE_FILL
    legend = [item["label"] for item in result.legend_items]
    assert "Fewer than 5 (not shown, to protect pupils)" in legend
    assert "No figure for this borough (the table says why)" in legend
    assert "Outside the area you are looking at" in legend
