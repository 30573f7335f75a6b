"""Batch throughput against the HiGHS floor, and the time of a 1,000-run Sobol study.

    .venv/bin/python benchmarks/bench_batch.py [--samples 1] [--horizons 2025 2030] [--n-days 8]
                                               [--workers 1 2] [--runs R] [--profile]
    .venv/bin/python benchmarks/bench_batch.py --screen 4 [--runs 4]

Runs a slice of ``experiments/sensitivity.yaml`` (the baseline at its default settings: 29
cities, 8 representative days, 3000 firms; 7 sampled inputs incl. technology costs and the
carbon price) — Sobol base N = ``--samples`` gives N*(7+2) runs — for each horizon
(2020->2025, 2020->2030):

1. in this process, one run after another as a batch worker does: per run the wall time,
   HiGHS's own run time (summed over the run's LP solves) and their ratio. The first run of
   the process builds the LP templates and clusters the days (reported apart as the
   worker's start-up); the ratio is over the runs after it.
2. through the local process pool into a fresh store with 1 and 2 workers: runs/min,
   worker start-up (imports, data, templates) included.

The 1,000-run estimate at 2 workers is ``1000 / (runs/min at 2 workers)``, i.e. with the
start-up of each worker counted once per slice (pessimistic for a long batch, where it is
paid once), and ``1000 * (mean run wall in the pool) / 2 + start-up`` (the long-batch view).
``--screen D`` runs the first runs of the 2025 slice at the default and at D representative
days and reports how far the batch's outputs move (the screening setting's check).
Figures are recorded in RESULTS-batch.md; measure ratios in one run (the machine is shared).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import cProfile
import io
import multiprocessing as mp
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def experiment(samples: int, end_year: int, n_days: int | None):
    from zonesim.batch import load_experiment
    from zonesim.batch.experiment import Design

    exp = load_experiment(ROOT / "experiments/sensitivity.yaml")
    settings = dict(exp.settings)
    settings["horizon"] = {"start_year": 2020, "end_year": end_year}
    if n_days is not None:
        settings["planner"] = {**settings.get("planner", {}), "n_days": n_days}
    return exp.model_copy(
        update={"design": Design(method="sobol", samples=samples, seed=1), "settings": settings}
    )


class HighsClock:
    """Sums HiGHS's own run time and the planner's solve calls of this process."""

    def __init__(self) -> None:
        from zonesim.planner import solve

        self.highs = 0.0
        self.solves = 0
        self.overhead = 0.0  # planner overhead: loading LPs, writing Params, reading results
        original = solve.Planner.solve

        def timed(planner):
            res = original(planner)
            t = planner.timings
            self.highs += t.highs
            self.overhead += t.extract + (t.solve - t.highs)
            self.solves += 1
            return res

        solve.Planner.solve = timed
        try:
            from zonesim.planner import standard
        except ImportError:  # code before the templates
            return
        load = standard.Template.load

        def timed_load(template, slots):
            t0 = time.perf_counter()
            out = load(template, slots)
            self.overhead += time.perf_counter() - t0
            return out

        standard.Template.load = timed_load


def in_process(exp, runs: int | None = None) -> dict:
    """Runs of the slice one after another in this process: wall and HiGHS time per run."""
    from zonesim.batch.design import expand
    from zonesim.batch.execute import run_one

    clock = HighsClock()
    rows = []
    for spec in expand(exp)[:runs]:
        h0, n0, o0 = clock.highs, clock.solves, clock.overhead
        t0 = time.perf_counter()
        out = run_one(spec)
        wall = time.perf_counter() - t0
        assert out.status == "done", out.error
        rows.append((wall, clock.highs - h0, clock.solves - n0, clock.overhead - o0))
    later = rows[1:] or rows
    walls = [w for w, _, _, _ in later]
    highs = [h for _, h, _, _ in later]
    return {
        "first_wall": rows[0][0],
        "first_highs": rows[0][1],
        "runs": len(rows),
        "wall": statistics.mean(walls),
        "highs": statistics.mean(highs),
        "ratio": statistics.mean(w / h for w, h in zip(walls, highs, strict=True)),
        "solves": later[0][2],
        "overhead": statistics.mean(o for _, _, _, o in later),
    }


def pool(exp, workers: int) -> tuple[int, float, float]:
    """Runs, wall seconds and mean run wall of the slice on the local pool (fresh store)."""
    from zonesim.batch import run
    from zonesim.batch.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        summary = run(exp, Path(tmp) / "store", workers=workers, progress=False)
        wall = time.perf_counter() - t0
        mean_run = float(Store(Path(tmp) / "store").manifest()["wall_s"].mean())
    assert summary.failed == 0, summary
    return summary.done, wall, mean_run


def screening(samples: int, runs: int, n_days: int) -> str:
    """The first ``runs`` runs of the 2020->2025 slice at the default D and at ``n_days``, in
    this process: wall per run and how far the batch's outputs (metrics) move."""
    import numpy as np
    import pandas as pd
    from zonesim.batch.design import expand
    from zonesim.batch.execute import run_one

    tables, walls = {}, {}
    for d in (None, n_days):
        rows, times = [], []
        for i, spec in enumerate(expand(experiment(samples, 2025, d))[:runs]):
            t0 = time.perf_counter()
            out = run_one(spec)
            times.append(time.perf_counter() - t0)
            rows.append(out.tables["metrics"].assign(run=i))
        tables[d], walls[d] = pd.concat(rows), times
    m = tables[None].merge(tables[n_days], on=["run", "level", "region"], suffixes=("_def", "_d"))
    lines = [
        f"screening D={n_days} against the default, {runs} runs: wall per run (after the first) "
        f"{statistics.mean(walls[None][1:]):.1f} s -> {statistics.mean(walls[n_days][1:]):.1f} s",
        "| level | output | max abs diff | median rel diff | max rel diff |",
        "|---|---|---:|---:|---:|",
    ]
    for col in ("gap_pp", "intensity_change_pct", "co2_cum_t", "cost_cum_bn", "capex_cum_bn", "met"):
        for level in ("all", "zone", "city"):
            x = m[m["level"] == level]
            diff = (x[f"{col}_d"] - x[f"{col}_def"]).abs()
            rel = diff / x[f"{col}_def"].abs().replace(0, np.nan)
            lines.append(f"| {level} | {col} | {diff.max():.4g} | {rel.median():.2%} | {rel.max():.2%} |")
    return "\n".join(lines)


def profile_one(exp) -> str:
    from zonesim.batch.design import expand
    from zonesim.batch.execute import run_one

    specs = expand(exp)
    run_one(specs[0])  # warm: imports, data, templates, days
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    run_one(specs[-1])
    prof.disable()
    wall = time.perf_counter() - t0
    s = io.StringIO()
    stats = pstats.Stats(prof, stream=s)
    stats.sort_stats("cumulative").print_stats(40)
    return f"one warm run under the profiler: {wall:.1f} s\n" + s.getvalue()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1, help="Sobol base N of the slice (runs = N*(k+2))")
    ap.add_argument("--horizons", type=int, nargs="+", default=[2025, 2030], help="last simulated years")
    ap.add_argument("--n-days", type=int, default=None, help="representative days (default: the scenario's)")
    ap.add_argument(
        "--workers", type=int, nargs="*", default=[1, 2], help="pool sizes (none: in process only)"
    )
    ap.add_argument("--runs", type=int, default=None, help="in process: the first RUNS runs of the slice")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--screen", type=int, metavar="D", help="only: check D days against the default")
    args = ap.parse_args()
    if args.screen:
        print(screening(args.samples, args.runs or 4, args.screen))
        return
    print(f"cores: {os.cpu_count()}; load average at start: {os.getloadavg()[0]:.1f}")
    for end in args.horizons:
        exp = experiment(args.samples, end, args.n_days)
        print(f"\n2020->{end}, n_days={args.n_days or 'default'}:")
        rates = {}
        for w in args.workers:
            n, wall, mean_run = pool(exp, w)
            rates[w] = (60 * n / wall, mean_run, wall)
            print(
                f"  pool, {w} worker(s): {n} runs in {wall:.1f} s -> {rates[w][0]:.2f} runs/min "
                f"(mean run wall {mean_run:.2f} s)"
            )
        # in a fresh process of its own, as a batch worker (the pools fork this one)
        with cf.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn")) as ex:
            ip = ex.submit(in_process, exp, args.runs).result()
        print(
            f"  in one process, {ip['runs']} runs ({ip['solves']} LP solves a run); first run "
            f"(builds templates, clusters days) {ip['first_wall']:.1f} s wall, "
            f"HiGHS {ip['first_highs']:.1f} s;"
            f" later runs: mean wall {ip['wall']:.2f} s, mean HiGHS {ip['highs']:.2f} s, "
            f"wall/HiGHS {ip['ratio']:.2f}; planner overhead (load LPs, write Params, run "
            f"call, read results) {ip['overhead']:.2f} s = {ip['overhead'] / ip['highs']:.2f} x HiGHS"
        )
        if 1 in rates and 2 in rates:
            print(f"  parallel efficiency at 2 workers: {100 * rates[2][0] / (2 * rates[1][0]):.0f} %")
        if not rates:
            continue
        w = max(rates)
        rate, mean_run, _ = rates[w]
        startup = ip["first_wall"] - ip["wall"]
        print(
            f"  1,000-run Sobol at {w} workers: {1000 / rate:.0f} min at the slice's rate; "
            f"{(1000 * mean_run / w + startup) / 60:.0f} min from the mean run wall "
            f"({mean_run:.2f} s) plus one start-up ({startup:.0f} s)"
        )
        if args.profile:
            print(profile_one(exp))


if __name__ == "__main__":
    main()
