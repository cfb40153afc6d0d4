#!/usr/bin/env bash
# The benchmarks' sanity check for CI (not a measurement): a tiny generated database in a temporary folder, then
# bench_api, bench_html and bench_memory with a handful of iterations must run and print their ratios
# (tests/bench/test_bench_scripts.py), and the fast API lists must give exactly their serializers' output
# (tests/bench/test_api_rows.py), and every benchmarked HTML page must show what its snapshot shows
# (tests/bench/test_same_rendering.py). The measured numbers are in docs/performance.md (full-scale runs by hand).
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
.venv/bin/pytest tests/bench -q -p no:cacheprovider "$@"
echo "  bench sanity checks: $(( $(date +%s) - t0 ))s"
