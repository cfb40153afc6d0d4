"""Demo data step: build the summary rows of the figures once every programme's demo data is in (insights.summaries),
so the dashboard shows the demo at once, with or without a worker running."""

from . import summaries

ORDER = 1000


def seed(*, stdout, options) -> None:
    rows = summaries.refresh_now(days=True)
    stdout.write(f"  figure summaries: {rows:,} rows")
