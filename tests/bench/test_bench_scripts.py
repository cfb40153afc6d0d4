"""The benchmark scripts still run (CI's sanity check, not a measurement): a tiny generated database, then each script
with a handful of iterations must finish and print its ratios. The numbers themselves are in docs/performance.md."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RATIO = re.compile(r"\*\*(\d+\.\d\d)x\*\*")


def run(*args: str, timeout: int = 120) -> str:
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('bench') / 'bench.sqlite3'}"
    out = run("bench/generate_national.py", "--database-url", url, "--scale", "0.002")
    for table in ("schools", "wand requests", "stock movements", "toolkit downloads", "Stepping Stones referrals"):
        assert re.search(rf"{table}\s+[\d,]+ rows", out), (table, out)
    return url


def ratios(out: str) -> list[float]:
    values = [float(v) for v in RATIO.findall(out)]
    assert values and all(v > 0 for v in values), out
    return values


def test_api_bench_prints_every_ratio(database):
    out = run("bench/bench_api.py", "--database-url", database, "--iterations", "3")
    # 8 lists x (p50, throughput) + 2 cursor depths
    assert len(ratios(out)) == 18, out
    assert "Targets:" in out


def test_html_bench_prints_a_ratio_per_page(database):
    out = run("bench/bench_html.py", "--database-url", database, "--iterations", "2")
    from bench.bench_html import PAGES

    assert len(PAGES) == 12
    assert len(ratios(out)) == len(PAGES), out


def test_memory_bench_prints_three_ratios(database):
    out = run("bench/bench_memory.py", "--database-url", database, "--zip-mb", "3", "--downloads", "2000")
    assert len(ratios(out)) == 3, out
    assert "Targets:" in out


def test_signup_timing_bench_prints_two_ratios(database):
    out = run("bench/bench_signup_timing.py", "--database-url", database, "--iterations", "2")
    assert len(ratios(out)) == 2, out
    assert "Hasher: argon2" in out and "Target:" in out
