"""Accessible charts: the geometry of a bar or line chart is computed here, rendered as SVG by `{% chart %}`.

No JavaScript. Every chart carries a text summary (the SVG's title and desc) and the same data as a GOV.UK table, so
nobody needs to see the picture to get the numbers. Pass ints, floats or Decimals; `value_format` gets a float.
"""

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

from django.utils.text import slugify

WIDTH = 640
# A line chart is drawn a second time this wide for narrow screens (below 480 CSS pixels, charts.css): drawn at about
# 290 CSS pixels on a 320-pixel phone, its 16-unit text stays at 14 CSS pixels (the 640-unit one would be 7).
NARROW_WIDTH = 320
FONT_SIZE = 16
# A generous average advance for 16px Arial (bold digits included), so estimated labels never overlap.
CHAR_WIDTH = 9.0
GAP = 8
MAX_TICKS = 6
MAX_BAR_THICKNESS = 40


def format_number(value: float) -> str:
    """42 -> "42", 1234 -> "1,234", 2.5 -> "2.5", 0.125 -> "0.13"."""
    if float(value).is_integer():
        return f"{int(value):,}"
    rounded = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{rounded:,.2f}".rstrip("0").rstrip(".")


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text} {unit}" if unit[0].isalnum() else f"{text}{unit}"


def _text_width(text: str) -> float:
    return len(text) * CHAR_WIDTH


def _shorten(text: str, room: float) -> str:
    """Cut a label to fit `room` pixels; the full label is in the table."""
    fits = max(int(room // CHAR_WIDTH), 1)
    if len(text) <= fits:
        return text
    return text[: max(fits - 1, 1)].rstrip() + "…"


def _r(value: float) -> float:
    return round(value, 1)


def _nice_steps(start: float, *, integers: bool):
    """Round step sizes (1, 2, 2.5, 5 times a power of ten) from the first one at or above `start`, upwards."""
    exponent = math.floor(math.log10(start))
    while True:
        for multiple in (1, 2, 2.5, 5):
            step = multiple * 10.0**exponent
            if integers and not step.is_integer():
                continue
            if step >= start * (1 - 1e-9):
                yield step
        exponent += 1


def nice_ticks(low: float, high: float, *, integers: bool = False, max_ticks: int = MAX_TICKS) -> list[float]:
    """At most `max_ticks` evenly spaced round values covering [low, high], always including 0."""
    low, high = min(low, 0.0), max(high, 0.0)
    if low == high:
        high = low + 1
    smallest = (high - low) / (max_ticks - 1)
    if integers:
        smallest = max(smallest, 1.0)
    for step in _nice_steps(smallest, integers=integers):
        first = math.floor(low / step + 1e-9) * step
        last = math.ceil(high / step - 1e-9) * step
        count = round((last - first) / step) + 1
        if count <= max_ticks:
            break
    exponent = math.floor(math.log10(step))
    decimals = max(0, -exponent + (1 if round(step / 10**exponent, 1) == 2.5 else 0))
    return [round(first + index * step, decimals) + 0.0 for index in range(count)]


@dataclass(frozen=True)
class Tick:
    value: float
    label: str
    position: float  # y on a vertical scale, x on a horizontal one
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Bar:
    label: str
    short_label: str
    value: float | None
    value_label: str
    suppressed: bool
    x: float
    y: float
    width: float
    height: float
    label_x: float
    label_y: float
    value_x: float
    value_y: float
    # On a narrow screen the bars are HTML rows (label and value as text): where the bar starts and how long it is,
    # in whole percent of the value axis (charts.css has a class for each).
    narrow_left: int = 0
    narrow_width: int = 0


@dataclass(frozen=True)
class Point:
    label: str
    value: float | None
    value_label: str
    x: float
    y: float | None


@dataclass(frozen=True)
class AxisLabel:
    text: str
    x: float
    y: float


@dataclass(frozen=True)
class Chart:
    kind: str
    chart_id: str
    title: str
    description: str
    label_heading: str
    value_heading: str
    width: int
    height: int
    plot_left: float
    plot_top: float
    plot_right: float
    plot_bottom: float
    zero: float  # where the value axis crosses 0
    ticks: tuple[Tick, ...]

    @property
    def empty(self) -> bool:
        return not self.rows

    @property
    def rows(self) -> tuple:
        raise NotImplementedError


@dataclass(frozen=True)
class BarChart(Chart):
    bars: tuple[Bar, ...]
    horizontal: bool
    narrow_zero: int = 0  # where 0 is on the narrow rows' value axis, in percent (shown when values go below 0)

    @property
    def has_negative(self) -> bool:
        return any(bar.value is not None and bar.value < 0 for bar in self.bars)

    @property
    def rows(self) -> tuple[Bar, ...]:
        return self.bars


@dataclass(frozen=True)
class LineChart(Chart):
    points: tuple[Point, ...]
    paths: tuple[str, ...]
    x_labels: tuple[AxisLabel, ...]
    narrow: "LineChart | None" = None  # the same chart drawn NARROW_WIDTH wide, for narrow screens

    @property
    def rows(self) -> tuple[Point, ...]:
        return self.points

    @property
    def drawn_points(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.y is not None)


def _vertical_ticks(values, labels, scale, plot_left) -> tuple[Tick, ...]:
    return tuple(
        Tick(
            value=value,
            label=label,
            position=_r(scale(value)),
            label_x=_r(plot_left - GAP),
            label_y=_r(scale(value) + FONT_SIZE * 0.35),
        )
        for value, label in zip(values, labels, strict=True)
    )


def _chart_id(title: str, data: Sequence) -> str:
    digest = hashlib.sha1(repr((title, list(data))).encode(), usedforsecurity=False).hexdigest()[:6]
    return f"chart-{slugify(title)[:40] or 'data'}-{digest}"


def _tied(items: Sequence[tuple[str, float]], value: float) -> str:
    """The labels with `value`, in order: "Hackney", "Hackney and Lambeth", "Hackney, Lambeth and 3 others"."""
    labels = [label for label, v in items if v == value]
    if len(labels) == 1:
        return str(labels[0])
    if len(labels) <= 3:
        return f"{', '.join(map(str, labels[:-1]))} and {labels[-1]}"
    return f"{labels[0]}, {labels[1]} and {len(labels) - 2} others"


def _extremes(items: Sequence[tuple[str, float]], value_text: Callable[[float], str]) -> str:
    """Highest and lowest, every label that shares them named (a chart's description said "Highest: Hackney, 3" when
    Lambeth and Redbridge had 3 too)."""
    high = max(value for _, value in items)
    low = min(value for _, value in items)
    return f"Highest: {_tied(items, high)}, {value_text(high)}. Lowest: {_tied(items, low)}, {value_text(low)}."


def _as_float(value) -> float | None:
    """Counts, averages and sums (ints, floats, Decimals from the database) as floats; None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or not math.isfinite(value):
        raise ValueError(f"Chart values must be finite numbers, not {value!r}.")
    return float(value)


def bar_chart(
    *,
    title: str,
    series: Sequence[tuple[str, float]],
    unit: str = "",
    value_format: Callable[[float], str] = format_number,
    label_heading: str = "Category",
    value_heading: str = "Value",
    orientation: Literal["auto", "vertical", "horizontal"] = "auto",
    suppress_below: int | None = None,
    chart_id: str = "",
) -> BarChart:
    """A bar per (label, value). Values under `suppress_below` are shown as "fewer than N" and not drawn."""
    series = [(str(label), _as_float(value)) for label, value in series]
    if any(value is None for _, value in series):
        raise ValueError("Bar chart values must be numbers; leave out a bar with no data, or pass 0.")

    def value_text(value: float) -> str:
        return _with_unit(value_format(value), unit)

    def is_suppressed(value: float) -> bool:
        return suppress_below is not None and value < suppress_below

    shown = [(label, value) for label, value in series if not is_suppressed(value)]
    values = [value for _, value in shown] + ([suppress_below] if suppress_below and len(shown) < len(series) else [])
    integers = all(float(value).is_integer() for value in values)
    tick_values = nice_ticks(min(values, default=0), max(values, default=0), integers=integers)
    low, high = tick_values[0], tick_values[-1]
    tick_labels = [_with_unit(value_format(tick), unit if not unit[:1].isalnum() else "") for tick in tick_values]
    value_labels = [
        f"fewer than {suppress_below}" if is_suppressed(value) else value_text(value) for _, value in series
    ]

    description = _bar_description(series, shown, value_text, suppress_below)
    chart_id = chart_id or _chart_id(title, series)
    common = {
        "kind": "bar",
        "chart_id": chart_id,
        "title": title,
        "description": description,
        "label_heading": label_heading,
        "value_heading": value_heading,
    }
    count = len(series)
    longest_label = max((_text_width(label) for label, _ in series), default=0)
    longest_tick = max(_text_width(label) for label in tick_labels)
    longest_value = max((_text_width(label) for label in value_labels), default=0)

    if orientation == "auto":
        band = (WIDTH - longest_tick - GAP) / max(count, 1)
        widest = max(longest_label, longest_value)
        orientation = "vertical" if count <= 12 and widest <= band - GAP else "horizontal"

    if orientation == "vertical":
        plot_left, plot_top = longest_tick + GAP * 2, FONT_SIZE * 2
        plot_right, plot_bottom = WIDTH - GAP, plot_top + 240
        height = plot_bottom + FONT_SIZE * 2 + GAP

        def scale(value: float) -> float:
            return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

        zero = scale(0)
        band = (plot_right - plot_left) / max(count, 1)
        bar_width = min(band * 0.7, MAX_BAR_THICKNESS * 2)
        bars = []
        for index, ((label, value), value_label) in enumerate(zip(series, value_labels, strict=True)):
            suppressed = is_suppressed(value)
            top = zero if suppressed else scale(max(value, 0))
            bottom = zero if suppressed else scale(min(value, 0))
            centre = plot_left + band * (index + 0.5)
            below = not suppressed and value < 0
            bars.append(
                Bar(
                    label=label,
                    short_label=_shorten(label, band - GAP),
                    value=None if suppressed else value,
                    value_label=value_label,
                    suppressed=suppressed,
                    x=_r(centre - bar_width / 2),
                    y=_r(top),
                    width=0 if suppressed else _r(bar_width),
                    height=_r(bottom - top),
                    label_x=_r(centre),
                    label_y=_r(plot_bottom + FONT_SIZE + GAP),
                    value_x=_r(centre),
                    value_y=_r(bottom + FONT_SIZE + 2 if below else top - GAP / 2),
                )
            )
        ticks = _vertical_ticks(tick_values, tick_labels, scale, plot_left)
        return BarChart(
            **common,
            width=WIDTH,
            height=round(height),
            plot_left=_r(plot_left),
            plot_top=_r(plot_top),
            plot_right=_r(plot_right),
            plot_bottom=_r(plot_bottom),
            zero=_r(zero),
            ticks=ticks,
            bars=_narrow_bars(bars, low, high),
            horizontal=False,
            narrow_zero=_axis_percent(0, low, high),
        )

    # Horizontal: labels on the left (up to 40% of the width), value at the end of each bar.
    row = FONT_SIZE * 2
    plot_left = min(longest_label, WIDTH * 0.4) + GAP * 2
    plot_right = WIDTH - max(longest_value, longest_tick / 2) - GAP * 2
    plot_top, plot_bottom = GAP, GAP + row * count
    height = plot_bottom + FONT_SIZE * 2 + GAP

    def scale(value: float) -> float:
        return plot_left + (value - low) / (high - low) * (plot_right - plot_left)

    zero = scale(0)
    bars = []
    for index, ((label, value), value_label) in enumerate(zip(series, value_labels, strict=True)):
        suppressed = is_suppressed(value)
        left = zero if suppressed else scale(min(value, 0))
        right = zero if suppressed else scale(max(value, 0))
        middle = plot_top + row * (index + 0.5)
        bars.append(
            Bar(
                label=label,
                short_label=_shorten(label, plot_left - GAP * 2),
                value=None if suppressed else value,
                value_label=value_label,
                suppressed=suppressed,
                x=_r(left),
                y=_r(middle - row * 0.35),
                width=_r(right - left),
                height=_r(row * 0.7),
                label_x=_r(plot_left - GAP),
                label_y=_r(middle + FONT_SIZE * 0.35),
                value_x=_r(right + GAP / 2),
                value_y=_r(middle + FONT_SIZE * 0.35),
            )
        )
    ticks = tuple(
        Tick(
            value=value,
            label=label,
            position=_r(scale(value)),
            label_x=_r(scale(value)),
            label_y=_r(plot_bottom + FONT_SIZE + GAP),
        )
        for value, label in zip(tick_values, tick_labels, strict=True)
    )
    return BarChart(
        **common,
        width=WIDTH,
        height=round(height),
        plot_left=_r(plot_left),
        plot_top=_r(plot_top),
        plot_right=_r(plot_right),
        plot_bottom=_r(plot_bottom),
        zero=_r(zero),
        ticks=ticks,
        bars=_narrow_bars(bars, low, high),
        horizontal=True,
        narrow_zero=_axis_percent(0, low, high),
    )


def _axis_percent(value: float, low: float, high: float) -> int:
    return max(0, min(100, round((value - low) / (high - low) * 100)))


def _narrow_bars(bars: list[Bar], low: float, high: float) -> tuple[Bar, ...]:
    """Each bar's start and length on the narrow rows' axis, in whole percent; a bar that is not zero is at least 1%
    long so that it shows."""
    result = []
    for bar in bars:
        if bar.value is None or bar.value == 0:
            result.append(replace(bar, narrow_left=_axis_percent(0, low, high), narrow_width=0))
            continue
        start = _axis_percent(min(bar.value, 0), low, high)
        end = _axis_percent(max(bar.value, 0), low, high)
        width = max(1, end - start)
        result.append(replace(bar, narrow_left=min(start, 100 - width), narrow_width=width))
    return tuple(result)


def _bar_description(series, shown, value_text, suppress_below) -> str:
    if not series:
        return "No data yet."
    parts = [f"Bar chart of {len(series)} {'value' if len(series) == 1 else 'values'}."]
    suppressed = len(series) - len(shown)
    if shown and all(value == 0 for _, value in shown) and not suppressed:
        parts.append(f"All values are {value_text(0)}.")
    elif len(shown) == 1:
        parts.append(f"{shown[0][0]}: {value_text(shown[0][1])}.")
    elif shown:
        parts.append(_extremes(shown, value_text))
    if suppressed:
        parts.append(f"{suppressed} shown as fewer than {suppress_below}.")
    elif len(shown) > 1:
        # No total when some values are suppressed: it would give them away.
        parts.append(f"Total: {value_text(sum(value for _, value in shown))}.")
    return " ".join(parts)


def line_chart(
    *,
    title: str,
    points: Sequence[tuple[str, float | None]],
    unit: str = "",
    value_format: Callable[[float], str] = format_number,
    label_heading: str = "Period",
    value_heading: str = "Value",
    chart_id: str = "",
) -> LineChart:
    """A line through (label, value) points in order; a None value is a gap in the line ("no data"). It carries the
    same chart drawn NARROW_WIDTH wide (`narrow`), which narrow screens show so its labels stay readable."""
    points = [(str(label), _as_float(value)) for label, value in points]
    options = {
        "title": title,
        "points": points,
        "unit": unit,
        "value_format": value_format,
        "label_heading": label_heading,
        "value_heading": value_heading,
        "chart_id": chart_id or _chart_id(title, points),
    }
    wide = _line_chart(**options, width=WIDTH)
    return replace(wide, narrow=_line_chart(**options, width=NARROW_WIDTH))


def _line_chart(
    *,
    title: str,
    points: list[tuple[str, float | None]],
    unit: str,
    value_format: Callable[[float], str],
    label_heading: str,
    value_heading: str,
    chart_id: str,
    width: int,
) -> LineChart:

    def value_text(value: float) -> str:
        return _with_unit(value_format(value), unit)

    known = [(label, value) for label, value in points if value is not None]
    values = [value for _, value in known]
    integers = all(float(value).is_integer() for value in values)
    tick_values = nice_ticks(min(values, default=0), max(values, default=0), integers=integers)
    low, high = tick_values[0], tick_values[-1]
    tick_labels = [_with_unit(value_format(tick), unit if not unit[:1].isalnum() else "") for tick in tick_values]
    longest_tick = max(_text_width(label) for label in tick_labels)
    count = len(points)

    first_label = points[0][0] if points else ""
    last_label = points[-1][0] if points else ""
    plot_left = max(longest_tick + GAP * 2, _text_width(first_label) / 2 + GAP)
    plot_right = width - max(GAP * 2, _text_width(last_label) / 2 + GAP)
    if plot_right - plot_left < width * 0.4:  # very long first and last labels on a narrow drawing: keep a plot
        plot_left = min(plot_left, max(longest_tick + GAP * 2, width * 0.3))
        plot_right = max(plot_right, width * 0.7)
    plot_top, plot_bottom = FONT_SIZE, FONT_SIZE + 240
    height = plot_bottom + FONT_SIZE * 2 + GAP

    def scale_y(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

    step = (plot_right - plot_left) / (count - 1) if count > 1 else 0
    chart_points = []
    for index, (label, value) in enumerate(points):
        x = plot_left + step * index if count > 1 else (plot_left + plot_right) / 2
        chart_points.append(
            Point(
                label=label,
                value=value,
                value_label="No data" if value is None else value_text(value),
                x=_r(x),
                y=None if value is None else _r(scale_y(value)),
            )
        )

    paths, segment = [], []
    for point in [*chart_points, None]:
        if point is not None and point.y is not None:
            segment.append(f"{point.x:.1f} {point.y:.1f}")
            continue
        if len(segment) > 1:
            paths.append("M " + " L ".join(segment))
        segment = []

    # Label every k-th point so that labels never overlap; the last point is labelled when there is room.
    widest = max((_text_width(label) for label, _ in points), default=0) + GAP * 2
    every = max(1, math.ceil(widest / step)) if step else 1
    shown = [index for index in range(count) if index % every == 0]
    if count > 1 and shown[-1] != count - 1 and (count - 1 - shown[-1]) * step >= widest:
        shown.append(count - 1)
    x_labels = tuple(
        AxisLabel(text=chart_points[index].label, x=chart_points[index].x, y=_r(plot_bottom + FONT_SIZE + GAP))
        for index in shown
    )

    return LineChart(
        kind="line",
        chart_id=chart_id,
        title=title,
        description=_line_description(points, known, value_text),
        label_heading=label_heading,
        value_heading=value_heading,
        width=width,
        height=round(height),
        plot_left=_r(plot_left),
        plot_top=_r(plot_top),
        plot_right=_r(plot_right),
        plot_bottom=_r(plot_bottom),
        zero=_r(scale_y(0)),
        ticks=_vertical_ticks(tick_values, tick_labels, scale_y, plot_left),
        points=tuple(chart_points),
        paths=tuple(paths),
        x_labels=x_labels,
    )


def _line_description(points, known, value_text) -> str:
    if not points:
        return "No data yet."
    parts = [f"Line chart of {len(points)} {'point' if len(points) == 1 else 'points'}"]
    parts[0] += f" from {points[0][0]} to {points[-1][0]}." if len(points) > 1 else f": {points[0][0]}."
    if not known:
        parts.append("No values yet.")
    elif all(value == 0 for _, value in known):
        parts.append(f"All values are {value_text(0)}.")
    elif len(known) == 1:
        parts.append(f"{known[0][0]}: {value_text(known[0][1])}.")
    else:
        parts.append(f"It starts at {value_text(known[0][1])} and ends at {value_text(known[-1][1])}.")
        parts.append(_extremes(known, value_text))
    if len(known) < len(points):
        parts.append(f"{len(points) - len(known)} with no data.")
    return " ".join(parts)
