"""London as a tile grid: one square per borough, laid out like the map of London (insights/data/london_tiles.csv).

The geometry and colours are computed here and drawn by `insights/includes/tile_map.html` as inline SVG, with a
legend and the same values as a table. No map tiles from the internet, no JavaScript.

Colours are a colour-blind-safe sequential palette (ColorBrewer "Blues", five classes); each tile's label is black or
white, whichever contrasts more with its fill (at least 4.5:1, tested), and every tile has a dark outline so even the
palest tile stands out from the page.
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
    """Equal, round-numbered ranges from 0: fixed 20-point steps for percentages, a 1/2/5 × 10ⁿ step for counts so
    that at most five bins cover the largest value."""
    values = [v for v in values if v is not None]
    if percent:
        edges = [0, 20, 40, 60, 80, 100]
        return [
            Bin(
                low,
                high,
                f"{low}% to {high}%" if high == 100 else f"{low}% to under {high}%",
                PALETTE[i],
            )
            for i, (low, high) in enumerate(zip(edges, edges[1:], strict=False))
        ]
    top = max(values, default=0)
    if top <= 0:
        return [Bin(0, 0, "0", PALETTE[0])]
    step = _count_step(top)
    count = max(1, math.ceil((top + 1) / step))
    bins = []
    for i in range(count):
        low, high = i * step, (i + 1) * step
        label = f"{low:,}" if step == 1 else f"{low:,} to {high - 1:,}"
        bins.append(Bin(low, high, label, PALETTE[_palette_index(i, count)]))
    return bins


def _count_step(top: float) -> int:
    exponent = 0
    while True:
        for multiple in (1, 2, 5):
            step = multiple * 10**exponent
            if math.ceil((top + 1) / step) <= len(PALETTE):
                return step
        exponent += 1


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
