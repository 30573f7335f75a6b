"""Benchmark: resident memory of one process over consecutive runs (a batch worker's life).

A batch worker (`zonesim batch`), the calibration's recent stage and a notebook all run many
scenarios in one process; memory must return to where it was after each run. This runs the
baseline scenario ``RUNS`` times in this process and prints the resident set size after each,
then does the same with Mesa's own agent counter (``mesa.Agent._ids``, which holds every model
ever built) put back on ``CityAgent``, for the ratio in the same run. Figures are recorded in
``RESULTS-memory.md``. Not a test: run it by hand (about 4 minutes).

    .venv/bin/python benchmarks/bench_memory.py [--runs 6] [--end 2025]
"""

from __future__ import annotations

import argparse
import gc
import os
import time
import warnings
from pathlib import Path

import mesa
from zonesim.agents.city import CityAgent
from zonesim.data import load
from zonesim.runner import run

ROOT = Path(__file__).resolve().parents[1]


def rss_mb() -> float:
    """Resident set size of this process, MB (Linux /proc)."""
    with open(f"/proc/{os.getpid()}/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def series(runs: int, end: int, base) -> list[float]:
    """RSS after each of ``runs`` baseline runs to ``end`` (seeds differ, as in a batch)."""
    out = []
    for i in range(runs):
        res = run(ROOT / "scenarios" / "baseline.yaml", base=base, seed=100 + i, horizon={"end_year": end})
        del res
        gc.collect()
        out.append(rss_mb())
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=6)
    ap.add_argument("--end", type=int, default=2025)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    base = load()
    t0 = time.perf_counter()
    start = rss_mb()
    fixed = series(args.runs, args.end, base)
    own = CityAgent.__dict__["_ids"]
    CityAgent._ids = mesa.Agent._ids  # Mesa 3.3's counter: every model stays referenced
    try:
        leaky = series(args.runs, args.end, base)
    finally:
        CityAgent._ids = own
    print(f"baseline 2020->{args.end}, {args.runs} runs per series, {time.perf_counter() - t0:.0f} s")
    print(f"RSS before the first run: {start:.0f} MB")
    print("run | weak counter (shipped) MB | Mesa's counter MB")
    for i, (a, b) in enumerate(zip(fixed, leaky, strict=True), 1):
        print(f"{i} | {a:.0f} | {b:.0f}")
    half = args.runs // 2  # the first runs also fill the process's caches (templates, days)
    per = lambda s: (s[-1] - s[half - 1]) / (len(s) - half)  # noqa: E731
    print(
        f"growth per run over the last {args.runs - half} runs: {per(fixed):.0f} MB (shipped) "
        f"vs {per(leaky):.0f} MB (Mesa's counter)"
    )


if __name__ == "__main__":
    main()
