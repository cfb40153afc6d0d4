"""London as a tile grid: one square per borough, laid out like the map of London (insights/data/london_tiles.csv).

The geometry and colours are computed here and drawn by `insights/includes/tile_map.html` as inline SVG, with a
legend and the same values as a table. No map tiles from the internet, no JavaScript.

Colours are a colour-blind-safe sequential palette (ColorBrewer "Blues", five classes) over bands chosen from the values
shown (`value_bins`: quantiles, rounded), so boroughs are told apart whatever the spread of the data; each tile's label
is black or white, whichever contrasts more with its fill (at least 4.5:1, tested on every colour), and every tile has a
dark outline so even the palest tile stands out from the page.
"""

import csv
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

TILES_CSV = Path(__file__).resolve().parent / "data" / "london_tiles.csv"

TILE = 64
GAP = 6
PADDING = 2

PALETTE = ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c")
NO_DATA_FILL = "#ffffff"
SUPPRESSED_FILL = "#dee0e2"  # counts below 5: not coloured by value, so the map cannot reveal them
OUT_OF_SCOPE_FILL = "#b1b4b6"
BLACK = "#0b0c0c"
WHITE = "#ffffff"


@dataclass(frozen=True)
class TilePosition:
    la_code: int
    col: int
    row: int
    abbreviation: str


@cache
def tile_positions() -> tuple[TilePosition, ...]:
    """The 33 London boroughs' places on the grid, from the shipped CSV."""
    with TILES_CSV.open(encoding="utf-8", newline="") as handle:
        return tuple(
            TilePosition(int(row["la_code"]), int(row["col"]), int(row["row"]), row["abbreviation"])
            for row in csv.DictReader(handle)
        )


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    light, dark = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def label_colour(fill: str) -> str:
    """Black or white text, whichever contrasts more with the fill."""
    return BLACK if contrast_ratio(fill, BLACK) >= contrast_ratio(fill, WHITE) else WHITE


@dataclass(frozen=True)
class Bin:
    low: float
    high: float  # exclusive, except for the last bin
    label: str
    fill: str

    @property
    def text_colour(self) -> str:
        return label_colour(self.fill)

    def contains(self, value: float, *, last: bool) -> bool:
        return self.low <= value < self.high or (last and value == self.high)


def _fmt(value: float, unit: str) -> str:
    text = f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{text}{unit}" if unit == "%" else text


def value_bins(values: Iterable[float], *, percent: bool) -> list[Bin]:
    """Colour bands chosen from the values shown, so the map separates the boroughs.

    Five or fewer different values: one band each. More: breaks at the quintiles of the values, rounded to a round
    step (1, 2 or 5 × 10ⁿ, a tenth of the range or finer; for counts no coarser than the break's own first digit, so
    skewed counts still separate), from the lowest value to the highest; a band no borough falls in is merged into
    the next. The highest band always gets the darkest colour."""
    values = sorted(v for v in values if v is not None)
    if not values:
        return [Bin(0, 0, _fmt(0, "%" if percent else ""), PALETTE[0])]
    unit = "%" if percent else ""
    distinct = sorted(set(values))
    if len(distinct) == 1 and distinct[0] == 0:
        return [Bin(0, 0, _fmt(0, unit), PALETTE[0])]
    if len(distinct) <= len(PALETTE):
        edges = [*distinct, distinct[-1]]
        return _bins(edges, unit=unit, exact=True)
    # Boroughs with none at all get their own band when others have some: many zeros must not swallow the quantiles.
    zero_band = values[0] == 0 and len(distinct) > len(PALETTE)
    ranked = [v for v in values if v > 0] if zero_band else values
    bands = len(PALETTE) - 1 if zero_band else len(PALETTE)
    low, high = ranked[0], ranked[-1]
    step = _round_step((high - low) / 10, whole=not percent)
    start = math.floor(low / step) * step
    if zero_band:
        start = low  # the zero band holds the zeros only
    breaks = []
    for k in range(1, bands):
        quantile = ranked[min(len(ranked) - 1, (k * len(ranked)) // bands)]
        # As round as the range allows, and no coarser than the quantile's own first digit (skewed counts).
        own = 10 ** math.floor(math.log10(quantile)) if quantile >= 1 else step
        edge_step = min(step, own) if not percent else step
        edge = round(quantile / edge_step) * edge_step
        if start < edge < high and edge not in breaks:
            breaks.append(edge)
    edges = [*([0] if zero_band else []), start, *sorted(breaks), high]
    # Merge away any band no value falls in.
    changed = True
    while changed and len(edges) > 2:
        changed = False
        for i in range(1, len(edges) - 1):
            if not any(edges[i - 1] <= v < edges[i] for v in values):
                del edges[i]
                changed = True
                break
    return _bins(edges, unit=unit, exact=False, zero_band=zero_band)


def _bins(edges: list[float], *, unit: str, exact: bool, zero_band: bool = False) -> list[Bin]:
    count = len(edges) - 1
    bins = []
    for i, (low, high) in enumerate(zip(edges, edges[1:], strict=False)):
        last = i == count - 1
        if exact or (zero_band and i == 0):
            label = _fmt(low, unit)
        elif last:
            label = _fmt(low, unit) if low == high else f"{_fmt(low, unit)} to {_fmt(high, unit)}"
        elif not unit and float(low).is_integer() and float(high).is_integer():
            label = _fmt(low, unit) if high - 1 == low else f"{_fmt(low, unit)} to {_fmt(high - 1, unit)}"
        else:
            label = f"{_fmt(low, unit)} to under {_fmt(high, unit)}"
        bins.append(Bin(low, high, label, PALETTE[_palette_index(i, count)]))
    return bins


def _round_step(target: float, *, whole: bool) -> float:
    """The largest 1/2/5 × 10ⁿ step not above `target` (at least 1 for counts of whole things)."""
    if target <= 0:
        return 1
    exponent = math.floor(math.log10(target))
    step = 10**exponent
    for multiple in (5, 2, 1):
        if multiple * 10**exponent <= target:
            step = multiple * 10**exponent
            break
    if whole:
        return max(1, int(step))
    return step


def _palette_index(i: int, count: int) -> int:
    """Spread fewer than five bins across the palette so the darkest bin is always the darkest colour."""
    if count == 1:
        return len(PALETTE) - 1
    return round(i * (len(PALETTE) - 1) / (count - 1))


@dataclass(frozen=True)
class Tile:
    la_code: int
    name: str
    abbreviation: str
    x: int
    y: int
    size: int
    fill: str
    text_colour: str
    value_label: str
    title: str
    in_scope: bool
    dashed: bool

    @property
    def text_x(self) -> float:
        return self.x + self.size / 2

    @property
    def abbreviation_y(self) -> float:
        return self.y + self.size / 2 - 4

    @property
    def value_y(self) -> float:
        return self.y + self.size / 2 + 16


@dataclass(frozen=True)
class TileMap:
    map_id: str
    title: str
    description: str
    measure_label: str
    tiles: tuple[Tile, ...]
    bins: tuple[Bin, ...]
    width: int
    height: int
    notes: tuple[tuple[str, str], ...]  # (fill, explanation) for tiles not coloured by value

    @property
    def legend_items(self) -> list[dict]:
        return [{"fill": b.fill, "label": b.label, "dashed": False} for b in self.bins] + [
            {"fill": fill, "label": text, "dashed": fill == NO_DATA_FILL} for fill, text in self.notes
        ]


@dataclass(frozen=True)
class TileValue:
    """What one borough shows on the map: `value` None means "not applicable" with `reason`."""

    la_code: int
    name: str
    value: float | None
    display: str
    in_scope: bool = True
    suppressed: bool = False
    reason: str = ""


def tile_map(
    *,
    map_id: str,
    title: str,
    measure_label: str,
    values: dict[int, TileValue],
    percent: bool,
    short: Callable[[float], str] = str,
    description: str = "",
) -> TileMap:
    """Place every borough on the grid and colour it by its value's bin. `short` writes the value on the tile (its
    title and the table give it in full)."""
    positions = tile_positions()
    shown = [v for v in values.values() if v.in_scope and v.value is not None and not v.suppressed]
    bins = value_bins((v.value for v in shown), percent=percent)
    tiles = []
    used_notes: dict[str, str] = {}
    for position in positions:
        entry = values.get(position.la_code)
        x = PADDING + position.col * (TILE + GAP)
        y = PADDING + position.row * (TILE + GAP)
        name = entry.name if entry else str(position.la_code)
        dashed = False
        if entry is None or not entry.in_scope:
            fill, value_label = OUT_OF_SCOPE_FILL, "–"
            reason = (entry.reason if entry else "") or "Not in the area you are looking at"
            used_notes[OUT_OF_SCOPE_FILL] = "Outside the area you are looking at"
        elif entry.suppressed:
            fill, value_label, reason = SUPPRESSED_FILL, "<5", entry.display
            used_notes[SUPPRESSED_FILL] = "Fewer than 5 (not shown, to protect pupils)"
        elif entry.value is None:
            fill, value_label, reason, dashed = NO_DATA_FILL, "n/a", entry.reason or "Not applicable", True
            used_notes[NO_DATA_FILL] = "No figure for this borough (the table says why)"
        else:
            last = len(bins) - 1
            chosen = next((b for i, b in enumerate(bins) if b.contains(entry.value, last=i == last)), bins[-1])
            fill, value_label, reason = chosen.fill, short(entry.value), entry.display
        tiles.append(
            Tile(
                la_code=position.la_code,
                name=name,
                abbreviation=position.abbreviation,
                x=x,
                y=y,
                size=TILE,
                fill=fill,
                text_colour=label_colour(fill),
                value_label=value_label,
                title=f"{name}: {reason}",
                in_scope=bool(entry and entry.in_scope),
                dashed=dashed,
            )
        )
    cols = max(p.col for p in positions) + 1
    rows = max(p.row for p in positions) + 1
    order = [OUT_OF_SCOPE_FILL, SUPPRESSED_FILL, NO_DATA_FILL]
    return TileMap(
        map_id=map_id,
        title=title,
        description=description,
        measure_label=measure_label,
        tiles=tuple(tiles),
        bins=tuple(bins),
        width=2 * PADDING + cols * TILE + (cols - 1) * GAP,
        height=2 * PADDING + rows * TILE + (rows - 1) * GAP,
        notes=tuple((fill, used_notes[fill]) for fill in order if fill in used_notes),
    )


def percent_label(value) -> str:
    """A tile's percentage as the table shows it (one decimal place, none when whole): rounding it again to a whole
    number put "4%" on a tile coloured in the "4.5% to under 6.5%" band."""
    return f"{round(float(value), 1):g}%"
