"""Planner benchmark (not a timed test): build, solve and extraction times, re-solve,
all cities, the rolling baseline, and the study that picks the default number of days.

Run from the repository root::

    .venv/bin/python benchmarks/bench_planner.py            # sections A-C
    .venv/bin/python benchmarks/bench_planner.py --d-study  # section D (minutes)

Figures are printed as Markdown tables; the recorded ones are in RESULTS-planner.md.
HiGHS's own run time (``highs``) is the floor every other figure is compared with.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace

import numpy as np
import zonesim.data as zd
from zonesim.planner.adapter import baseline_outlook, default_policy, param, planner_input
from zonesim.planner.solve import Planner, advance

YEARS = tuple(range(2021, 2026))
REF_CITY = "tangshan"


def city_input(base, city, years=YEARS, n_days=8, **policy):
    out = baseline_outlook(base, city, years)
    pol = default_policy(base, city, years, **policy)
    return planner_input(base, city, years, out, pol, n_days)


def cities(base):
    c = base.cities
    return list(c.loc[c["included_by_default"], "city_id"])


def section_one_city(base):
    print("\n## A. One city (tangshan), perfect foresight 2021-2025\n")
    print(
        "| D | vars | rows | adapter s | build s | load s | HiGHS s | extract s | "
        "(build+load+extract)/HiGHS | re-solve s | re-solve/fresh | iters fresh/warm |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for d in (4, 8, 12):
        city_input(base, REF_CITY, n_days=d)  # warm the days cache (tsam)
        t0 = time.perf_counter()
        inp = city_input(base, REF_CITY, n_days=d)
        t_adapt = time.perf_counter() - t0
        t0 = time.perf_counter()
        p = Planner(inp)
        r = p.solve()
        fresh = time.perf_counter() - t0
        tm = r.timings
        over = (tm["build"] + tm["load"] + tm["extract"]) / tm["highs"]
        # re-solve after a parameter change: carbon price 100 CNY/t, caps 3 % tighter
        pol = inp.policy
        changed = replace(
            inp,
            policy=replace(
                pol,
                carbon_price=(100.0,) * len(YEARS),
                intensity_cap=tuple(v * 0.97 for v in pol.intensity_cap),
            ),
        )
        t0 = time.perf_counter()
        p.update(changed)
        r2 = p.solve()
        resolve = time.perf_counter() - t0
        assert r.ok and r2.ok
        print(
            f"| {d} | {p.highs.getNumCol()} | {p.highs.getNumRow()} | {t_adapt:.3f} | "
            f"{tm['build']:.3f} | {tm['load']:.3f} | {tm['highs']:.3f} | {tm['extract']:.3f} | "
            f"{over:.2f} | {resolve:.3f} | {resolve / fresh:.3f} | "
            f"{tm['iterations']}/{r2.timings['iterations']} |"
        )


def _rolling_city(args):
    """One city, 2021-2025, rolling myopic (one-year LPs), one persistent model."""
    city, n_days = args
    base = zd.load()
    full = city_input(base, city, n_days=n_days)
    t0 = time.perf_counter()
    planner = None
    current = full
    highs = 0.0
    statuses = []
    for _ in YEARS:
        step = current.window(0, 1)
        if planner is None:
            planner = Planner(step)
        else:
            planner.update(step)
        res = planner.solve()
        highs += res.timings["highs"]
        statuses.append(res.status)
        if not res.ok or current.n_years == 1:
            break
        current = advance(current, res)
    return city, time.perf_counter() - t0, highs, statuses


def section_all_cities(base, n_days):
    names = cities(base)
    print(f"\n## B. All {len(names)} cities, first year (2021), D = {n_days}, fresh build\n")
    tot = {"adapter": 0.0, "build": 0.0, "load": 0.0, "highs": 0.0, "extract": 0.0}
    t_all = time.perf_counter()
    for c in names:
        t0 = time.perf_counter()
        inp = city_input(base, c, years=(2021,), n_days=n_days)
        tot["adapter"] += time.perf_counter() - t0
        r = Planner(inp).solve()
        for k in ("build", "load", "highs", "extract"):
            tot[k] += r.timings[k]
    wall = time.perf_counter() - t_all
    print("| cities | wall s | adapter s | build s | load s | HiGHS s | extract s |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {len(names)} | {wall:.2f} | {tot['adapter']:.2f} | {tot['build']:.2f} | "
        f"{tot['load']:.2f} | {tot['highs']:.2f} | {tot['extract']:.2f} |"
    )

    print(f"\n## C. Baseline rolling plan: {len(names)} cities x {len(YEARS)} years, D = {n_days}\n")
    print("| workers | wall s | sum of HiGHS s | non-optimal |")
    print("|---|---|---|---|")
    for workers in (1, 2):
        t0 = time.perf_counter()
        jobs = [(c, n_days) for c in names]
        if workers == 1:
            out = [_rolling_city(j) for j in jobs]
        else:
            with ProcessPoolExecutor(workers) as ex:
                out = list(ex.map(_rolling_city, jobs))
        wall = time.perf_counter() - t0
        bad = sum(s != "optimal" for _, _, _, st in out for s in st)
        print(f"| {workers} | {wall:.2f} | {sum(o[2] for o in out):.2f} | {bad} |")


def section_d_study(base, study_cities=("tangshan", "ordos", "baotou")):
    print("\n## D. Representative days: objective and investment vs D = 24 (perfect foresight 2021-2025)\n")
    print(
        "| city | case | D | HiGHS s | objective bn | d obj % | new GW by tech (2021-25) | "
        "max |d mix| GW | sum |d mix| / sum new % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for city in study_cities:
        # "tight": a total-energy cap 2 % below what the D = 8 default plan counts each year
        free = Planner(city_input(base, city, n_days=8)).solve()
        tight_cap = tuple(0.98 * free.energy["counted_total_mtce"].to_numpy())
        for case in ("default", "tight"):
            rows = {}
            for d in (4, 6, 8, 12, 16, 24):
                inp = city_input(base, city, n_days=d)
                if case == "tight":
                    inp = replace(inp, policy=replace(inp.policy, energy_cap_mtce=tight_cap))
                r = Planner(inp).solve()
                mix = r.capacity.groupby("tech")["new_gw"].sum()
                slack = float(r.targets["slack"].sum()) if len(r.targets) else 0.0
                rows[d] = (r.timings["highs"], r.objective, mix.reindex(mix.index), slack)
            ref_obj, ref_mix = rows[24][1], rows[24][2]
            for d, (h, obj, mix, slack) in rows.items():
                diff = (mix - ref_mix).abs()
                share = 100 * diff.sum() / max(ref_mix.sum(), mix.sum(), 0.1)
                mix_s = ", ".join(f"{k} {v:.2f}" for k, v in mix.items() if v > 1e-3)
                print(
                    f"| {city} | {case} | {d} | {h:.2f} | {obj:.2f} | {slack:.3f} | "
                    f"{100 * (obj - ref_obj) / ref_obj:+.2f} | {mix_s} | {diff.max():.2f} | "
                    f"{share:.1f} |"
                )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--d-study", action="store_true")
    ap.add_argument("--skip-abc", action="store_true")
    a = ap.parse_args()
    base = zd.load()
    n_days = int(param(base, "default_n_days"))
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    if not a.skip_abc:
        section_one_city(base)
        section_all_cities(base, n_days)
    if a.d_study:
        section_d_study(base)


if __name__ == "__main__":
    main()
