"""Demo schools: a generated London GIAS extract loaded through the real import, so the demo uses the import path."""

import tempfile
from pathlib import Path

from .demo_generator import LONDON_SCHOOLS, write_gias_file
from .services import gias_import_run

ORDER = 10
DEMO_SEED = 2024


def seed(*, stdout, options) -> None:
    schools = options.get("schools") or LONDON_SCHOOLS
    with tempfile.TemporaryDirectory(prefix="demo-gias-") as folder:
        path = Path(folder) / "edubasealldata_demo.csv"
        write_gias_file(path, schools=schools, seed=DEMO_SEED)
        report = gias_import_run(path=path)
    stdout.write(f"  {report.rows_read:,} demo schools in London: {report.summary}")
