"""Benchmark: wall time of a warm baseline run with and without the two overhead cuts of the
sixth session, alternating in one process (machines here are noisy: the ratio is what counts).

*before*: highspy's keyboard-interrupt callbacks on every HiGHS instance (a Python call at
every simplex interrupt check) and no ``gc.freeze`` (every full collection, and the collect at
the end of each run, walks the ~3 million long-lived objects of the data and Pyomo templates);
*after*: the shipped code (no callbacks; the process's long-lived objects frozen after its
first run). The pathways of both must be identical. Figures go to ``RESULTS-memory.md``.
Not a test: run it by hand (about 3 minutes).

    .venv/bin/python benchmarks/bench_run_overhead.py [--pairs 4] [--end 2025]
"""

from __future__ import annotations

import argparse
import gc
import time
import types
import warnings
from pathlib import Path

import pandas.testing as pdt
from zonesim import runner
from zonesim.data import load
from zonesim.planner import solve

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_RUN = solve.Planner._run


def _run_with_callbacks(self, options):  # the code before: HandleKeyboardInterrupt set
    self._highs.HandleKeyboardInterrupt = True
    return SHIPPED_RUN(self, options)


class _NoFreeze(types.SimpleNamespace):
    """``runner.gc`` stand-in that collects but never freezes."""

    collect = staticmethod(gc.collect)

    @staticmethod
    def get_freeze_count() -> int:
        return 1


def one(mode: str, base, seed: int, end: int):
    """One run in ``mode`` ('before' or 'after'); wall seconds and pathways."""
    if mode == "before":
        gc.unfreeze()
        solve.Planner._run = _run_with_callbacks
        runner.gc = _NoFreeze()
    else:
        solve.Planner._run = SHIPPED_RUN
        runner.gc = gc
        if gc.get_freeze_count() == 0:
            gc.freeze()  # as the shipped runner leaves a process after its first run
    t0 = time.perf_counter()
    res = runner.run(ROOT / "scenarios" / "baseline.yaml", base=base, seed=seed, horizon={"end_year": end})
    return time.perf_counter() - t0, res.pathways


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pairs", type=int, default=4)
    ap.add_argument("--end", type=int, default=2025)
    args = ap.parse_args()
    warnings.filterwarnings("ignore")
    base = load()
    one("after", base, 1, args.end)  # warm-up: templates, representative days
    walls: dict[str, list[float]] = {"before": [], "after": []}
    first: dict[str, object] = {}
    for i in range(args.pairs):
        order = ("before", "after") if i % 2 == 0 else ("after", "before")
        for mode in order:
            wall, path = one(mode, base, 7, args.end)
            walls[mode].append(wall)
            first.setdefault(mode, path)
    pdt.assert_frame_equal(first["before"], first["after"])
    print(f"baseline 2020->{args.end}, warm runs, {args.pairs} pairs alternating; pathways identical")
    for mode, w in walls.items():
        print(f"{mode}: " + ", ".join(f"{x:.2f}" for x in w) + f" s; mean {sum(w) / len(w):.2f} s")
    ratio = sum(walls["after"]) / sum(walls["before"])
    print(f"after / before: {ratio:.3f}")


if __name__ == "__main__":
    main()
