"""Batch throughput: runs per minute with 1 and 2 local workers, and a 1,000-run Sobol estimate.

    .venv/bin/python benchmarks/bench_batch.py [--samples 1] [--profile]

Runs a slice of ``experiments/sensitivity.yaml`` (the baseline at its default settings: 29
cities, 2021-2025, 8 representative days, 3000 firms) — Sobol base N = ``--samples`` gives
N*(k+2) runs — into a fresh store with 1 worker, then with 2 workers, in the same process,
and extrapolates the full experiment (128*(7+2) = 1152 runs) from the 2-worker rate. Worker
start-up (imports, data load) is inside the measured time. ``--profile`` profiles one run
in-process and prints where the time goes. Figures are recorded in RESULTS-batch.md.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def measure(samples: int, workers: int) -> tuple[int, float, float]:
    from zonesim.batch import load_experiment, run
    from zonesim.batch.experiment import Design

    exp = load_experiment(ROOT / "experiments/sensitivity.yaml")
    exp = exp.model_copy(update={"design": Design(method="sobol", samples=samples, seed=1)})
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run(exp, Path(tmp) / "store", workers=workers, progress=False)
        wall = time.perf_counter() - t0
        from zonesim.batch.store import Store

        mean_run = float(Store(Path(tmp) / "store").manifest()["wall_s"].mean())
    assert summary.failed == 0, summary
    return summary.done, wall, mean_run


def profile_one() -> str:
    from zonesim.batch import load_experiment
    from zonesim.batch.design import expand
    from zonesim.batch.execute import run_one

    spec = expand(load_experiment(ROOT / "experiments/sensitivity.yaml"))[0]
    run_one(spec)  # warm: imports, data, caches
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    run_one(spec)
    prof.disable()
    wall = time.perf_counter() - t0
    s = io.StringIO()
    stats = pstats.Stats(prof, stream=s)
    stats.sort_stats("cumulative").print_stats(35)
    return f"one warm run: {wall:.1f} s\n" + s.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1, help="Sobol base N of the slice (runs = N*(k+2))")
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    print(f"cores: {os.cpu_count()}")
    rates = {}
    for w in (1, 2):
        n, wall, mean_run = measure(args.samples, w)
        rates[w] = 60 * n / wall
        print(
            f"workers={w}: {n} runs in {wall:.1f} s -> {rates[w]:.2f} runs/min "
            f"(mean run wall {mean_run:.1f} s)"
        )
    eff = rates[2] / (2 * rates[1])
    print(f"parallel efficiency at 2 workers: {100 * eff:.0f} %")
    for n in (1000, 1152):
        print(f"estimated {n}-run Sobol batch at 2 workers: {n / rates[2]:.0f} min")
    if args.profile:
        print(profile_one())


if __name__ == "__main__":
    main()
