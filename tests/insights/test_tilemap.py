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


def _band_of(bins, value):
    return next(i for i, b in enumerate(bins) if b.contains(value, last=i == len(bins) - 1))


def test_percent_bands_follow_the_data_so_close_values_still_separate():
    """Take-up between 60% and 80% everywhere: fixed 20-point bands drew one colour; quintiles draw five."""
    values = [60 + i * 20 / 32 for i in range(33)]
    bins = value_bins(values, percent=True)
    assert len(bins) == 5 and len({b.fill for b in bins}) == 5
    assert bins[0].label == "60% to under 64%" and bins[-1].label.endswith("to 80%")
    counts = [sum(1 for v in values if _band_of(bins, v) == i) for i in range(len(bins))]
    assert min(counts) >= 5  # every band holds boroughs


@pytest.mark.parametrize(
    ("values", "labels"),
    [
        ([0, 0], ["0"]),
        ([0, 3], ["0", "3"]),  # a few different values: one band each
        ([7, 12, 48], ["7", "12", "48"]),
        ([120], ["120"]),
        ([0] * 20 + [1, 2, 3, 4, 6, 9, 14, 20, 31, 45, 60, 80, 100],
         ["0", "1 to 3", "4 to 14", "15 to 44", "45 to 100"]),
        ([100, 150, 200, 250, 300, 410, 520, 700, 1000, 2000],
         ["100 to 199", "200 to 299", "300 to 499", "500 to 999", "1,000 to 2,000"]),
    ],
)  # fmt: skip
def test_count_bands_are_round_breaks_over_the_values_shown(values, labels):
    bins = value_bins(values, percent=False)
    assert [b.label for b in bins] == labels
    top = max(values)
    # The largest values always get the darkest colour; nothing but zeros gets the lightest.
    assert bins[-1].fill == (PALETTE[-1] if top else PALETTE[0])
    for value in values:
        _band_of(bins, value)  # every value falls in a band
    # Every band holds at least one of the values: no empty colour in the key.
    assert {_band_of(bins, v) for v in values} == set(range(len(bins)))


def test_a_skewed_spread_still_uses_the_whole_palette():
    bins = value_bins([0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144], percent=False)
    assert [b.fill for b in bins] == list(PALETTE)


def test_text_on_every_tile_of_a_drawn_map_meets_4_5_to_1():
    """Every colour a real map draws, the darkest band included, carries its label at WCAG AA contrast."""
    codes = [p.la_code for p in tile_positions()]
    values = {code: TileValue(code, str(code), i * 7, str(i * 7)) for i, code in enumerate(codes)}
    result = tile_map(map_id="m", title="T", measure_label="M", values=values, percent=False)
    fills = {tile.fill for tile in result.tiles}
    assert PALETTE[-1] in fills and len(fills) == len(PALETTE)
    for tile in result.tiles:
        assert contrast_ratio(tile.fill, tile.text_colour) >= 4.5, tile.fill
    for band in result.bins:
        assert contrast_ratio(band.fill, band.text_colour) >= 4.5, band.fill


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
