"""bench/bench_signed_in.py still runs (a sanity check, not a measurement): on a tiny generated database it prints a
ratio for each benchmark user and the queries of the signed-in bare page, none once the person's facts are cached."""

import re

from tests.bench.test_bench_scripts import database, ratios, run  # noqa: F401 - `database` is a fixture

ROW = re.compile(r"^\| (?P<name>[^|]+) \|.*\| (?P<anonymous>\d+) \| (?P<signed_in>\d+) \|$", re.MULTILINE)


def test_signed_in_bench_prints_a_ratio_and_the_queries_per_user(database):  # noqa: F811
    out = run("bench/bench_signed_in.py", "--database-url", database, "--iterations", "3")
    from bench.bench_signed_in import USERS

    assert len(ratios(out)) == len(USERS), out
    rows = ROW.findall(out)
    assert len(rows) == len(USERS), out
    assert all(anonymous == "0" and signed_in == "0" for _, anonymous, signed_in in rows), out
    assert "Target:" in out
