"""Load, opt-in (`pytest -m load`, weekly or by hand: it takes about ten minutes and a gigabyte for the
sandbox): a Pull Full of 100,000 products and the no-change delta after it, through `benchmarks/pull.py`,
within the benchmark's target — peak memory of the app ≤ 300 MB — with every product in the store and the
delta writing nothing. `LOAD_PRODUCTS` runs it on another size (e.g. 2000 to try the test itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

PRODUCTS = int(os.environ.get("LOAD_PRODUCTS", "100000"))
PEAK_RSS_TARGET_MB = 300  # benchmarks/README.md, "Against the targets": peak RSS ≤ 300 MB at 100,000
BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "pull.py"


@pytest.mark.load
@pytest.mark.timeout(3 * 3600)
def test_a_100000_product_pull_and_delta_within_the_memory_target():
    done = subprocess.run([sys.executable, str(BENCHMARK), "--products", str(PRODUCTS), "--latency-ms", "0",
                           "--json"], capture_output=True, text=True, timeout=3 * 3600)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(json.dumps(figures))  # the run's figures, for the record (pytest -s)
    assert figures["status"] == {"full": "done", "delta": "done"}
    assert figures["products"] == figures["expected"]["products"] == figures["store_products"]
    assert figures["variants"] == figures["expected"]["variants"] == figures["store_variations"]
    assert figures["delta_writes"] == 0
    assert figures["peak_rss_mb"] <= PEAK_RSS_TARGET_MB
