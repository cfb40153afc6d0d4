"""The dashboard's London map: one measure's values per borough placed on the tile grid (insights.tilemap)."""

from .selectors import Dashboard, Measure, measure_values
from .tilemap import TileMap, TileValue, percent_label, tile_map


def _short(measure: Measure, value) -> str:
    if measure.percent:
        return percent_label(value)
    return f"{value:,}"


def borough_map(board: Dashboard, measure: Measure) -> TileMap:
    rows = measure_values(board, measure)
    values = {
        row["la_code"]: TileValue(
            la_code=row["la_code"],
            name=row["name"],
            value=row["value"],
            display=row["display"],
            in_scope=row["in_scope"],
            suppressed=row["suppressed"],
            reason=row["reason"],
        )
        for row in rows
    }
    shown = [row for row in rows if row["in_scope"] and row["value"] is not None]
    highest = max(shown, key=lambda row: row["value"], default=None)
    description = f"{measure.label} in each of the {len(shown)} boroughs shown, by colour."
    if highest is not None:
        description += f" Highest: {highest['name']} ({highest['display']})."
    description += " The table after the map gives every value."
    return tile_map(
        map_id=f"map-{measure.key}",
        title=f"London boroughs: {measure.label}",
        measure_label=measure.label,
        values=values,
        percent=measure.percent,
        short=lambda value: _short(measure, value),
        description=description,
    )
