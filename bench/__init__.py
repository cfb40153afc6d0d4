"""Benchmarks (not shipped): national-scale data, API/HTML/export/load measurements. See docs/performance.md."""
