"""Benchmark: firm decisions per firm-year at 10^3, 10^4, 10^5 firms, against bare numpy.

For each population size the model's ``FirmBehaviour.decide`` (growth, efficiency, backward
retirement, exit under a carbon price, private retrofits, circular parks, entry) is timed
over several years, and so is the same arithmetic written as one vectorised numpy pass with
no per-city or per-sector loops (the floor). Peak memory is measured with tracemalloc.
Figures are recorded in ``RESULTS-firms.md``. Not a test: run it by hand.

    .venv/bin/python benchmarks/bench_firms.py
"""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import numpy as np
from zonesim.agents.firms import FOSSIL, INTENSIVE_MASK
from zonesim.data import load
from zonesim.model import TransitionModel
from zonesim.scenario import load_scenario
from zonesim.year.setting import rules_for

ROOT = Path(__file__).resolve().parents[1]
YEARS = 5


def numpy_floor(m: TransitionModel, rules, years: int) -> float:
    """The same per-firm arithmetic as FirmBehaviour.decide in one vectorised pass per year."""
    f = m.firms
    output, intensity, alive = f.output.copy(), f.intensity.copy(), f.alive.copy()
    growth = m.setting.trend_growth[f.city] * np.where(
        INTENSIVE_MASK[f.sector], m.params.growth_intensive_factor, 1.0
    )
    price = np.stack([m.prices[x][f.city] for x in ("coal", "oil", "gas", "heat")], axis=1)
    ef = np.array([m.factors[x] for x in ("coal", "oil", "gas", "heat")])
    t0 = time.perf_counter()
    for _ in range(years):
        output *= np.where(alive, 1 + growth, 1.0)
        intensity *= 1 - m.params.aeei_pct / 100
        fossil = intensity[:, FOSSIL] * output[:, None]
        co2 = fossil @ ef
        alive &= co2 * rules.carbon_price * 1e-9 <= m.profit_share * output
        tot = intensity[:, FOSSIL].sum(axis=1)
        w = intensity[:, FOSSIL] / np.maximum(tot, 1e-12)[:, None]
        value = (w * (price + rules.carbon_price * ef)).sum(axis=1)
        take = alive & (value * f.finance_access >= 500.0 * f.hurdle / 0.08)
        intensity[np.ix_(take, FOSSIL)] *= 0.9
    return time.perf_counter() - t0


def bench(n_firms: int, base) -> dict:
    """Time and memory per firm-year of FirmBehaviour.decide and of the numpy floor."""
    scenario = load_scenario(
        ROOT / "scenarios" / "combined.yaml",
        firms={"n_firms": n_firms},
        planner={"n_days": 2, "mode": "rolling"},
    )
    m = TransitionModel(scenario, base=base)
    n = len(m.firms)
    rules = rules_for(m.scenario, m.year)
    floor = numpy_floor(m, rules, YEARS)
    tracemalloc.start()
    t0 = time.perf_counter()
    for _ in range(YEARS):
        m.year += 1
        m.behaviour.decide(m.year, rules_for(m.scenario, m.year), m.cities)
    model_s = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {
        "firms": n,
        "model_us_per_firm_year": 1e6 * model_s / (n * YEARS),
        "numpy_us_per_firm_year": 1e6 * floor / (n * YEARS),
        "ratio": model_s / floor,
        "peak_mib": peak / 2**20,
    }


def main() -> None:
    base = load()
    print("| firms | model µs/firm-year | numpy µs/firm-year | ratio | peak MiB |")
    print("|---:|---:|---:|---:|---:|")
    for n in (1_000, 10_000, 100_000):
        r = bench(n, base)
        print(
            f"| {r['firms']:,} | {r['model_us_per_firm_year']:.3f} | {r['numpy_us_per_firm_year']:.3f} "
            f"| {r['ratio']:.1f} | {r['peak_mib']:.0f} |"
        )


if __name__ == "__main__":
    main()
