"""Counts of pupils, as shown to people who may not see the pupils: the one rule, for every output.

Every page, API, CSV and map that shows a count of pupils (Stepping Stones places filled, pupils referred or holding a
place) to someone not entitled to the pupil records goes through here:

- 0 is shown as 0;
- 1 to 4 are shown as "fewer than 5" (published as null);
- every other count of pupils, and every total that includes pupils, is rounded to the nearest 5.

Rounding every published figure (the parts and the totals alike) is what stops the differencing attack: a published
total minus the published parts is no longer an exact count, so "24 − 13 − 7 = 4" cannot recover a hidden cell. Each
output computes its figures from exact counts and rounds only at the end; nothing adds up published (rounded) figures.

People who may see the records (Stepping Stones coordinators, a school's own lead for its own school) get `exact=True`
and see the counts as they are. Counts of schools, wands, places and downloads are not personal and are not suppressed.
"""

THRESHOLD = 5
ROUND_TO = 5
FEWER_THAN = f"fewer than {THRESHOLD}"


def is_withheld(count: int | None, *, exact: bool = False) -> bool:
    """True when the count is not published at all (1 to 4, for someone who may not see the pupils)."""
    return not exact and count is not None and 0 < count < THRESHOLD


def rounded(count: int) -> int:
    """To the nearest 5 (3 and 4 over a multiple of 5 round up: counts are whole numbers, so there is no tie)."""
    return (count + ROUND_TO // 2) // ROUND_TO * ROUND_TO


def pupil_count(count: int | None, *, exact: bool = False) -> int | None:
    """The number to publish: None for 1 to 4, the nearest 5 otherwise; `exact` (a pupil reader) as it is."""
    if count is None or exact:
        return count
    if is_withheld(count):
        return None
    return rounded(count)


def pupil_count_label(count: int | None, *, exact: bool = False) -> str:
    """The words to show: "fewer than 5", "25" (rounded), or the exact count for a pupil reader."""
    if count is None:
        return ""
    if is_withheld(count, exact=exact):
        return FEWER_THAN
    return f"{pupil_count(count, exact=exact):,}"
