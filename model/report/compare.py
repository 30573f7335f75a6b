"""Compare lever mixes: run what is missing, judge every target, tabulate, draw, write a report.

``compare(["scenarios/baseline.yaml", "scenarios/combined.yaml"], out="results/compare")``
validates every scenario file first, runs each (or reuses ``out/runs/<name>/`` when its stamp
matches the scenario hash, data and code version), then writes ``report.html`` (figures
embedded, no external files), ``report.md`` with ``figures/*.png`` beside it, and the tables as
CSV. ``store=`` adds runs found in a folder: a batch store (``zonesim batch``; every seed of
every mix, so the report shows the spread over seeds) or folders of single runs.

What a target "met" means here, for each zone in the final simulated year:

* energy intensity: the change against 2020 at or below the zone's target (the gap, change minus
  target in percentage points, is negative when there is headroom, and is never clipped);
* coal: where the scenario caps coal (``coal_reduction``), coal use at or below the cap in force;
* the planner's targets (intensity milestone, energy total, coal, CO2, whichever the scenario
  enforces): no slack in the final year. Slack is the planner's admission that a target could
  not be reached; its price is the penalty, so a dual in a city-year with slack is never shown
  as a marginal cost.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from zonesim import plot
from zonesim.results import Results, code_version, slug
from zonesim.scenario import Scenario, load_scenario

SLACK_TOL = plot.SLACK_TOL
"""Slack (tce or tCO2 per city-year) below which it is solver noise, not a shortfall."""
DUAL_TOL = 1e-6
"""Dual value (CNY per unit) below which a target does not bind."""
TARGET_UNITS = {"co2": "CNY/tCO2", "co2_intensity": "CNY/tCO2"}
"""Units of a target's marginal cost; the energy targets (intensity, total, coal) are CNY/tce."""


# --------------------------------------------------------------------------- running
def load_or_run(scenario: Scenario, run_dir: Path, base: Any = None, log=print) -> Results:
    """Results of ``scenario`` in ``run_dir``: read if the stored stamp matches, else run and write."""
    from zonesim.data import load
    from zonesim.runner import run

    base = base if base is not None else load()
    stamp_file = run_dir / "stamp.json"
    if stamp_file.exists():
        stamp = json.loads(stamp_file.read_text())
        same = (
            stamp.get("scenario_hash") == scenario.hash()
            and stamp.get("data_version") == base.version
            and stamp.get("code_version") == code_version()
        )
        if same:
            log(f"reusing {run_dir} (scenario '{scenario.name}', hash {scenario.hash()})")
            return Results.read(run_dir)
    log(f"running scenario '{scenario.name}' -> {run_dir}")
    return run(scenario, out=run_dir, base=base)


@dataclass
class Case:
    """One scenario (lever mix) of the comparison: its settings and its runs by seed."""

    name: str
    scenario: Scenario | None
    runs: dict[int, Results]


def is_batch_store(path: str | Path) -> bool:
    """A ``zonesim batch`` results store (it has a manifest and an experiment)."""
    p = Path(path)
    return (p / "manifest.jsonl").exists() or (p / "manifest.parquet").exists()


def read_batch_store(store: str | Path) -> dict[str, Case]:
    """Every finished run of a batch store, grouped by lever mix (and grid cell), keyed by seed.

    Needs the ``pathways`` and ``plans`` tables (``outputs.tables`` of the experiment).
    """
    from zonesim.batch.analysis import load
    from zonesim.scenario import _merge

    data = load(store, tables=None)
    missing = [t for t in ("pathways", "plans") if t not in data.tables]
    if missing:
        raise ValueError(
            f"{store}: the batch kept no {', '.join(missing)} table(s); the report needs pathways and "
            "plans (set outputs.tables in the experiment)"
        )
    exp = data.experiment
    mixes = dict(exp.mix_items())
    cells = data.pathways.groupby("mix")["cell"].nunique()
    cases: dict[str, Case] = {}
    inv = data.tables.get("investments", pd.DataFrame())
    drop = ["run_id", "mix", "cell", "point", "replication", "seed", *data.inputs]
    for (mix, cell, point, seed), p in data.pathways.groupby(["mix", "cell", "point", "seed"], sort=False):
        name = mix if cells.get(mix, 1) == 1 else f"{mix}[{cell}]"
        if data.pathways["point"].nunique() > 1:
            name += f"@{point}"
        run_id = p["run_id"].iloc[0]
        plans = data.plans[data.plans["run_id"] == run_id]
        invs = inv[inv["run_id"] == run_id] if len(inv) else inv
        row = data.manifest.set_index("run_id").loc[run_id]
        stamp = {
            "scenario": name,
            "scenario_hash": row.get("scenario_hash", ""),
            "seed": int(seed),
            "data_version": row.get("data_version", ""),
            "code_version": row.get("code_version", ""),
        }
        res = Results(
            pathways=p.drop(columns=[c for c in drop if c in p]).reset_index(drop=True),
            investments=invs.drop(columns=[c for c in drop if c in invs]).reset_index(drop=True),
            plans=plans.drop(columns=[c for c in drop if c in plans]).reset_index(drop=True),
            stamp=stamp,
        )
        if name not in cases:
            mix_def = mixes[mix]
            try:
                sc = load_scenario(exp.path_of(mix_def.scenario), **_merge(exp.settings, mix_def.overrides))
            except (OSError, ValueError):
                sc = None  # the scenario file moved since the batch ran: levers unknown
            cases[name] = Case(name=name, scenario=sc, runs={})
        cases[name].runs[int(seed)] = res
    if not cases:
        raise ValueError(f"{store}: the batch store has no finished runs")
    return cases


def read_store(store: str | Path) -> dict[str, Results]:
    """Single runs below a folder: every folder holding a ``stamp.json`` and tables.

    When several runs share a scenario name (replications) they are named ``<scenario>#<seed>``
    after the first. For a batch store use :func:`read_batch_store`.
    """
    found: dict[str, Results] = {}
    for stamp in sorted(Path(store).rglob("stamp.json")):
        if not (stamp.parent / "pathways.parquet").exists():
            continue
        res = Results.read(stamp.parent)
        name = str(res.stamp.get("scenario", stamp.parent.name))
        if name in found:
            name = f"{name}#{res.stamp.get('seed', stamp.parent.name)}"
        found[name] = res
    if not found:
        raise ValueError(
            f"{store}: no runs found (a zonesim batch store, or folders with stamp.json and pathways.parquet)"
        )
    return found


# ---------------------------------------------------------------------------- judging
def _cap_change_pct(scenario: Scenario | None, year: int) -> tuple[float | None, float | None]:
    """(coal cap, total-energy cap) in force in ``year`` as % change against 2020, or None."""
    if scenario is None or not scenario.levers.active():
        return None, None
    from zonesim.levers import apply_levers
    from zonesim.levers.rules import LeverContext

    h = scenario.horizon
    rules = apply_levers(scenario.levers.active(), LeverContext(year, h.start_year, h.end_year))
    coal = None if rules.coal_cap_fraction is None else 100 * (rules.coal_cap_fraction - 1)
    total = None
    if rules.enforce_targets and rules.total_growth_pct_per_year is not None:
        total = 100 * ((1 + rules.total_growth_pct_per_year / 100) ** (year - h.start_year) - 1)
    return coal, total


def zone_outcomes(res: Results, scenario: Scenario | None = None, name: str | None = None) -> pd.DataFrame:
    """Per zone of one run, final year: every target judged, headroom kept, totals over the horizon.

    Columns: scenario, seed, zone_id, year; intensity change, target, gap (pp, negative =
    headroom), met; coal change vs 2020, cap (if any), gap, met; total energy counted change,
    cap (if any); slack city-years, slack in the final year and the targets slacked; met_all;
    cumulative cost, capex, CO2 and coal over the simulated years, final-year CO2 and coal.
    """
    z = res.zones()
    first, last = int(z["year"].min()), int(z["year"].max())
    start = z[z["year"] == first].set_index("zone_id")
    end = z[z["year"] == last].set_index("zone_id")
    # energy intensity is judged in the last year with an energy-intensity target (2025: the
    # energy dual-control period); later years are carbon dual control (periods section)
    judged = z.loc[z["intensity_target_pct"].notna(), "year"]
    energy_end = z[z["year"] == (int(judged.max()) if len(judged) else last)].set_index("zone_id")
    later = z[z["year"] > first].groupby("zone_id")
    cum = later[["cost_bn", "capex_bn", "co2_t", "coal_tce"]].sum()
    coal_cap, total_cap = _cap_change_pct(scenario, last)
    plans = res.plans
    slack_cols = [c for c in plans.columns if c.startswith("slack_")] if len(plans) else []
    zone_of = res.pathways.drop_duplicates("city_id").set_index("city_id")["zone_id"]
    if slack_cols:
        s = plans[["city_id", "year", *slack_cols]].copy()
        s["zone_id"] = s["city_id"].map(zone_of)
        short = s[slack_cols].fillna(0.0) > SLACK_TOL
        s["any"] = short.any(axis=1)
        slack_years = s.groupby("zone_id")["any"].sum()
        final = s[s["year"] == s["year"].max()]
        final_short = short.loc[final.index]
        slack_now = final_short.groupby(final["zone_id"]).any()
    else:
        slack_years, slack_now = pd.Series(dtype=float), pd.DataFrame()
    rows = []
    for zone, r in end.iterrows():
        e = energy_end.loc[zone]
        gap = float(e["intensity_change_pct"] - e["intensity_target_pct"])
        coal_change = 100 * (r["coal_tce"] / start.loc[zone, "coal_tce"] - 1)
        total_change = 100 * (r["energy_counted_total_tce"] / start.loc[zone, "energy_counted_total_tce"] - 1)
        coal_gap = coal_change - coal_cap if coal_cap is not None else np.nan
        slacked = (
            [c.removeprefix("slack_") for c in slack_now.columns if bool(slack_now.loc[zone, c])]
            if zone in slack_now.index
            else []
        )
        intensity_met = gap <= 0
        coal_met = bool(coal_gap <= 0) if coal_cap is not None else None
        rows.append(
            {
                "scenario": name or res.stamp.get("scenario", ""),
                "seed": res.stamp.get("seed"),
                "zone_id": zone,
                "year": last,
                "intensity_change_pct": float(e["intensity_change_pct"]),
                "intensity_target_pct": float(e["intensity_target_pct"]),
                "gap_pp": gap,
                "met": bool(intensity_met),
                "coal_change_pct": float(coal_change),
                "coal_cap_pct": coal_cap if coal_cap is not None else np.nan,
                "coal_gap_pp": float(coal_gap),
                "coal_met": coal_met,
                "energy_total_change_pct": float(total_change),
                "energy_total_cap_pct": total_cap if total_cap is not None else np.nan,
                "slack_city_years": int(slack_years.get(zone, 0)),
                "slack_final_year": ", ".join(slacked),
                "met_all": bool(intensity_met and coal_met is not False and not slacked),
                "co2_mt": float(r["co2_t"]) / 1e6,
                "co2_cum_mt": float(cum.loc[zone, "co2_t"]) / 1e6,
                "coal_mtce": float(r["coal_tce"]) / 1e6,
                "coal_cum_mtce": float(cum.loc[zone, "coal_tce"]) / 1e6,
                "energy_counted_mtce": float(r["energy_counted_total_tce"]) / 1e6,
                "coal_share": float(r["coal_share"]),
                "nonfossil_share": float(r["nonfossil_share"]),
                "cost_bn": float(cum.loc[zone, "cost_bn"]),
                "capex_bn": float(cum.loc[zone, "capex_bn"]),
            }
        )
    return pd.DataFrame(rows)


def comparison_table(results: Mapping[str, Results], scenarios: Mapping[str, Scenario | None] | None = None):
    """Scenario x zone in the final year (one run per scenario): every target judged, see
    :func:`zone_outcomes`."""
    scenarios = scenarios or {}
    return pd.concat(
        [zone_outcomes(res, scenarios.get(n), n) for n, res in results.items()], ignore_index=True
    )


RUN_TOTALS = ["cost_bn", "capex_bn", "co2_mt", "co2_cum_mt", "coal_mtce", "coal_cum_mtce"]


def run_table(zones: pd.DataFrame, reference: str | None = None) -> pd.DataFrame:
    """One row per scenario and seed: zones meeting each target, totals, and the difference from
    the reference scenario (the first) at the same seed (common random numbers), with the cost
    per tonne of CO2 avoided: cumulative cost difference / cumulative CO2 difference, both over
    the same simulated years."""
    g = zones.groupby(["scenario", "seed"], sort=False, dropna=False)
    out = pd.DataFrame(
        {
            "zones": g.size(),
            "zones_met_all": g["met_all"].sum().astype(int),
            "zones_met_intensity": g["met"].sum().astype(int),
            "zones_met_coal": g["coal_met"].apply(
                lambda s: int(s.dropna().astype(bool).sum()) if s.notna().any() else np.nan
            ),
            "slack_city_years": g["slack_city_years"].sum().astype(int),
            **{c: g[c].sum() for c in RUN_TOTALS},
        }
    ).reset_index()
    reference = reference or str(out["scenario"].iloc[0])
    ref = out[out["scenario"] == reference].set_index("seed")
    ref_mean = ref[RUN_TOTALS].mean()

    def ref_of(seed: Any, col: str) -> float:
        return float(ref.loc[seed, col]) if seed in ref.index else float(ref_mean[col])

    for col, d in (
        ("cost_bn", "d_cost_bn"),
        ("co2_cum_mt", "d_co2_cum_mt"),
        ("coal_cum_mtce", "d_coal_cum_mtce"),
    ):
        out[d] = out[col] - [ref_of(s, col) for s in out["seed"]]
    out["d_co2_cum_pct"] = 100 * out["d_co2_cum_mt"] / [ref_of(s, "co2_cum_mt") for s in out["seed"]]
    abated_t = -out["d_co2_cum_mt"] * 1e6
    out["cny_per_t_co2_avoided"] = (out["d_cost_bn"] * 1e9 / abated_t).where(abated_t > 1.0)
    return out


def scenario_table(runs: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario: mean over seeds, and where there are several seeds their standard
    deviation (``_sd``) and 5th/95th percentiles (``_p05``/``_p95``)."""
    cols = [
        "zones_met_all",
        "zones_met_intensity",
        "zones_met_coal",
        "slack_city_years",
        *RUN_TOTALS,
        "d_cost_bn",
        "d_co2_cum_mt",
        "d_co2_cum_pct",
        "d_coal_cum_mtce",
        "cny_per_t_co2_avoided",
    ]
    g = runs.groupby("scenario", sort=False)
    out = pd.DataFrame({"seeds": g.size(), "zones": g["zones"].first()})
    for c in cols:
        out[c] = g[c].mean()
    if (out["seeds"] > 1).any():
        for c in ("zones_met_all", "co2_cum_mt", "d_co2_cum_mt", "d_cost_bn", "cny_per_t_co2_avoided"):
            out[f"{c}_sd"] = g[c].std(ddof=1)
            out[f"{c}_p05"] = g[c].quantile(0.05)
            out[f"{c}_p95"] = g[c].quantile(0.95)
    return out.reset_index()


def zone_table(zones: pd.DataFrame) -> pd.DataFrame:
    """Scenario x zone over seeds: mean values; ``*_share`` = share of seeds meeting the target."""
    num = [c for c in zones.columns if zones[c].dtype.kind in "fi" and c not in ("seed", "slack_city_years")]
    g = zones.groupby(["scenario", "zone_id"], sort=False)
    out = g[num].mean()
    out["met_share"] = g["met"].mean()
    out["coal_met_share"] = g["coal_met"].apply(
        lambda s: s.astype(float).mean() if s.notna().any() else np.nan
    )
    out["met_all_share"] = g["met_all"].mean()
    out["slack_city_years"] = g["slack_city_years"].mean()
    out["slack_final_year"] = g["slack_final_year"].agg(
        lambda s: ", ".join(sorted({x for v in s for x in v.split(", ") if x}))
    )
    out["seeds"] = g.size()
    return out.reset_index()


def verdict(row: pd.Series) -> str:
    """A zone's result under one scenario in words: what is met, by how much, what is missed."""
    share = row.get("met_all_share", float(row.get("met_all", 0)))
    parts = []
    gap = row["gap_pp"]
    parts.append(f"intensity {'headroom' if gap <= 0 else 'MISS'} {abs(gap):.1f} pp")
    if not pd.isna(row.get("coal_cap_pct", np.nan)):
        cg = row["coal_gap_pp"]
        parts.append(f"coal {'headroom' if cg <= 0 else 'OVER CAP'} {abs(cg):.2f} pp")
    if row.get("slack_final_year"):
        parts.append(f"slack: {row['slack_final_year']}")
    head = "met" if share >= 1 else "missed" if share <= 0 else f"met in {share:.0%} of seeds"
    return f"{head} ({'; '.join(parts)})"


def levers_table(scenarios: Mapping[str, Scenario | None]) -> pd.DataFrame:
    """One row per scenario and lever in force, with its settings."""
    rows = []
    for name, sc in scenarios.items():
        if sc is None:
            rows.append({"scenario": name, "lever": "(unknown: from store)", "settings": ""})
            continue
        active = sc.levers.active()
        if not active:
            rows.append({"scenario": name, "lever": "none (baseline)", "settings": ""})
        for lever, value in active.items():
            settings = ", ".join(f"{k}={v}" for k, v in value.model_dump().items())
            rows.append({"scenario": name, "lever": lever, "settings": settings})
    return pd.DataFrame(rows, columns=["scenario", "lever", "settings"])


def marginal_table(plans: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Marginal cost of each target per scenario, over the city-years where it binds and is met.

    A city-year with slack on the target, or whose dual reaches the slack penalty, did not meet
    it: its dual is the penalty, not a price, so it is counted in ``unmet_city_years`` and left
    out of the mean and maximum (:func:`zonesim.plot.priced`).
    """
    rows = []
    for name, p in plans.items():
        for col in [c for c in p.columns if c.startswith("marginal_")]:
            target = col.removeprefix("marginal_")
            v = p[col].astype(float)
            slack = p.get(f"slack_{target}", pd.Series(0.0, index=p.index)).astype(float).fillna(0.0)
            unmet = ~plot.priced(p, target)
            binding = (v.abs() > DUAL_TOL) & ~unmet
            priced = v[binding]
            rows.append(
                {
                    "scenario": name,
                    "target": target,
                    "unit": TARGET_UNITS.get(target, "CNY/tce"),
                    "city_years": int(len(v)),
                    "binding_share": float(binding.mean()) if len(v) else 0.0,
                    "mean_cny_per_unit": float(priced.mean()) if len(priced) else 0.0,
                    "max_cny_per_unit": float(priced.max()) if len(priced) else 0.0,
                    "unmet_city_years": int(unmet.sum()),
                    "slack_total": float(slack.sum()),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "target",
            "unit",
            "city_years",
            "binding_share",
            "mean_cny_per_unit",
            "max_cny_per_unit",
            "unmet_city_years",
            "slack_total",
        ],
    )


def gap_built_table(results: Mapping[str, Results]) -> pd.DataFrame:
    """Plan-vs-built: planned and built MW over the horizon by scenario and technology, and the gap."""
    rows = []
    for name, res in results.items():
        inv = res.investments
        if inv.empty:
            continue
        s = inv.groupby("tech")[["planned_mw", "built_mw"]].sum().abs()
        for tech, r in s.iterrows():
            rows.append({"scenario": name, "tech": tech, "planned_mw": r.planned_mw, "built_mw": r.built_mw})
    df = pd.DataFrame(rows, columns=["scenario", "tech", "planned_mw", "built_mw"])
    df["gap_mw"] = df["planned_mw"] - df["built_mw"]
    df["gap_pct"] = (100 * df["gap_mw"] / df["planned_mw"]).where(df["planned_mw"] > 0)
    return df


# --------------------------------------------------------------------------- summary
def _spread(row: pd.Series, col: str, fmt: str = "{:,.1f}") -> str:
    value = row[col]
    if pd.isna(value):
        return "n/a"
    text = fmt.format(value)
    if f"{col}_p05" in row and row.get("seeds", 1) > 1 and not pd.isna(row[f"{col}_p05"]):
        text += f" ({fmt.format(row[f'{col}_p05'])} to {fmt.format(row[f'{col}_p95'])})"
    return text


def executive_table(scen: pd.DataFrame) -> pd.DataFrame:
    """The levers ranked: zones meeting every target, CO2 and coal saved, cost, cost per tonne.

    Rank 1 meets most targets; ties go to the larger CO2 cut. With several seeds each figure is
    the mean, with the 5th-95th percentile range in brackets.
    """
    df = scen.copy()
    df["_co2"] = df["d_co2_cum_mt"]
    df = df.sort_values(["zones_met_all", "_co2"], ascending=[False, True], kind="stable")
    rows = []
    for rank, (_, r) in enumerate(df.iterrows(), start=1):
        rows.append(
            {
                "rank": rank,
                "scenario": r["scenario"],
                "zones meeting every target": _spread(r, "zones_met_all", "{:.1f}")
                + f" of {int(r['zones'])}",
                "CO2 vs reference, Mt (cumulative)": _spread(r, "d_co2_cum_mt"),
                "CO2 vs reference, %": f"{r['d_co2_cum_pct']:+.1f}",
                "coal vs reference, Mtce (cumulative)": f"{r['d_coal_cum_mtce']:+,.1f}",
                "cost vs reference, bn CNY2020": _spread(r, "d_cost_bn"),
                "CNY per tCO2 avoided": _spread(r, "cny_per_t_co2_avoided", "{:,.0f}"),
                "seeds": int(r["seeds"]),
            }
        )
    return pd.DataFrame(rows)


def targets_matrix(zones: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """Zones x scenarios, each cell the zone's verdict (see :func:`verdict`)."""
    cells = zones.assign(verdict=zones.apply(verdict, axis=1))
    m = cells.pivot_table(index="zone_id", columns="scenario", values="verdict", aggfunc="first")
    m = m[list(dict.fromkeys(zones["scenario"]))]
    m.insert(0, "zone", [names.get(z, z) for z in m.index])
    m.columns.name = None
    return m.reset_index(drop=True)


def summary_text(scen: pd.DataFrame, zones: pd.DataFrame, last_year: int) -> list[str]:
    """The first lines of the report: which lever meets which target where, at what cost, how sure."""
    ref = str(scen["scenario"].iloc[0])
    n_zones = int(scen["zones"].iloc[0])
    seeds = int(scen["seeds"].max())
    lines = [
        f"{len(scen)} scenarios over {n_zones} zones to {last_year}; differences are against "
        f"'{ref}' at the same seed; {seeds} seed{'s' if seeds > 1 else ''} per scenario"
        + (
            " (ranges: 5th-95th percentile over seeds)."
            if seeds > 1
            else " (no spread over seeds: one run each)."
        )
    ]
    top = scen["zones_met_all"].max()
    leaders = scen[scen["zones_met_all"] == top]["scenario"].tolist()
    if len(leaders) == len(scen):
        lines.append(
            f"Every scenario meets every target in {top:.1f} of {n_zones} zones: the levers tie on targets."
        )
    else:
        lines.append(f"Most zones meeting every target ({top:.1f} of {n_zones}): {', '.join(leaders)}.")
    others = scen[scen["scenario"] != ref]
    if len(others):
        best = others.sort_values("d_co2_cum_mt").iloc[0]
        lines.append(
            f"Largest CO2 cut: '{best['scenario']}', {-best['d_co2_cum_mt']:,.1f} Mt over the horizon "
            f"({best['d_co2_cum_pct']:+.1f} %), at {best['d_cost_bn']:+,.1f} bn CNY2020"
            + (
                f", {best['cny_per_t_co2_avoided']:,.0f} CNY per tonne avoided."
                if not pd.isna(best["cny_per_t_co2_avoided"])
                else "."
            )
        )
        cheap = others.dropna(subset=["cny_per_t_co2_avoided"])
        if len(cheap):
            c = cheap.sort_values("cny_per_t_co2_avoided").iloc[0]
            lines.append(
                f"Cheapest per tonne: '{c['scenario']}', {c['cny_per_t_co2_avoided']:,.0f} CNY/tCO2 "
                f"({-c['d_co2_cum_mt']:,.1f} Mt avoided"
                + ("; below zero: it saves money)." if c["cny_per_t_co2_avoided"] < 0 else ").")
            )
    missing = zones[zones["met_all_share"] < 1]
    if len(missing):
        worst = (
            missing.groupby("scenario", sort=False)["zone_id"].apply(lambda s: ", ".join(sorted(s))).to_dict()
        )
        lines.append(
            "Zones missing a target: "
            + "; ".join(f"{k}: {v}" for k, v in worst.items())
            + " (see 'Who meets which target')."
        )
    if last_year < 2025:
        lines.append(f"The horizon ends in {last_year}, before the 2025 target year: gaps are interim.")
    return lines


# ---------------------------------------------------------------------------- report
@dataclass
class Report:
    """What :func:`compare` produced."""

    out: Path
    results: dict[str, Results]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Path] = field(default_factory=dict)

    @property
    def html(self) -> Path:
        return self.out / "report.html"

    @property
    def markdown(self) -> Path:
        return self.out / "report.md"


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype.kind == "f":
            df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}")
    return df


def _md_table(df: pd.DataFrame) -> str:
    df = _fmt(df)
    head = "| " + " | ".join(map(str, df.columns)) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |\n" for row in df.to_numpy())
    return head + body


def compare(
    scenarios: Iterable[str | Path] = (),
    out: str | Path = "results/compare",
    store: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    lang: str = "en",
    log=print,
) -> Report:
    """Run (or reuse) each scenario, then write the comparison report to ``out``.

    Every scenario file is read and validated before anything runs, so a typo in the last file
    is reported at once. ``overrides`` are deep-merged into every scenario (e.g. a zone
    selection and a short horizon for a quick look); runs are cached in ``out/runs/<name>/``.
    ``store``: a batch store (every seed of every mix; the report shows the spread over seeds)
    or a folder of single runs.
    """
    from zonesim.data import load

    out = Path(out)
    figdir = out / "figures"
    base = load()
    scens: dict[str, Scenario | None] = {}
    for path in scenarios:  # validate all first
        sc = load_scenario(path, **dict(overrides or {}))
        if sc.name in scens:
            raise ValueError(f"two scenarios are named '{sc.name}'; names must differ to be compared")
        scens[sc.name] = sc
    cases: dict[str, Case] = {}
    if store is not None and is_batch_store(store):
        cases.update(read_batch_store(store))
        scens = {**{n: c.scenario for n, c in cases.items()}, **scens}
    elif store is not None:
        for name, res in read_store(store).items():
            cases[name] = Case(name, None, {int(res.stamp.get("seed", 0) or 0): res})
            scens.setdefault(name, None)
    if not scens and not cases:
        raise ValueError("nothing to compare: give scenario files or a store directory")
    figdir.mkdir(parents=True, exist_ok=True)
    for name, sc in scens.items():
        if sc is not None and name not in cases:
            res = load_or_run(sc, out / "runs" / slug(name), base=base, log=log)
            cases[name] = Case(name, sc, {sc.seed: res})
    cases = {n: cases[n] for n in scens}  # report order: files first, then the store's
    results = {n: next(iter(c.runs.values())) for n, c in cases.items()}  # first seed of each

    zone_runs = pd.concat(
        [zone_outcomes(res, c.scenario, n) for n, c in cases.items() for res in c.runs.values()],
        ignore_index=True,
    )
    runs = run_table(zone_runs)
    scen = scenario_table(runs)
    zones = zone_table(zone_runs)
    names = plot.zone_names(lang if lang != "both" else "both")
    zones.insert(2, "zone", zones["zone_id"].map(lambda z: names.get(z, z).replace("\n", " ")))
    plans = {}
    for n, c in cases.items():
        p = pd.concat([r.plans for r in c.runs.values()], ignore_index=True)
        p["scenario"] = n
        plans[n] = p
    tables = {
        "summary": executive_table(scen),
        "targets": targets_matrix(zones, {z: names.get(z, z).replace("\n", " ") for z in zones["zone_id"]}),
        "levers": levers_table(scens),
        "scenarios": scen,
        "runs": runs,
        "zones": zones,
        "marginal": marginal_table(plans),
        "plan_vs_built": gap_built_table(results),
        "periods": periods_table(results),
    }
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False)

    stamp = {
        "code_version": next(iter(results.values())).stamp.get("code_version", ""),
        "data_version": base.version,
    }
    figs = _figures(cases, results, zones, zone_runs, scen, plans, lang, stamp)
    import matplotlib.pyplot as plt

    images: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for key, (_, fig) in figs.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        data = buf.getvalue()
        path = figdir / f"{key}.png"
        path.write_bytes(data)
        paths[key] = path
        images[key] = base64.b64encode(data).decode()

    last_year = int(zones["year"].max())
    sections = _sections(results, tables, summary_text(scen, zones, last_year))
    _write_markdown(out / "report.md", sections, figs, results, stamp)
    _write_html(out / "report.html", sections, figs, images, results, stamp)
    log(f"report written to {out / 'report.html'} and {out / 'report.md'}")
    return Report(out=out, results=results, tables=tables, figures=paths)


DETAIL_MAX = 4
"""Per-scenario detail figures (pathways, capacity, investments) are drawn for up to this many
scenarios; beyond it the report keeps to the comparison figures."""


def _figures(cases, results, zones, zone_runs, scen, plans, lang, stamp) -> dict[str, tuple[str, Any]]:
    figs: dict[str, tuple[str, Any]] = {}
    figs["gap_heatmap"] = (
        "2025 target gap by zone and lever mix",
        plot.gap_heatmap(zones, lang=lang, stamp=stamp),
    )
    figs["cost_co2"] = (
        "Cost and CO2 against the reference",
        plot.cost_co2_figure(scen, stamp=stamp),
    )
    pathways = {n: [r.pathways for r in c.runs.values()] for n, c in cases.items()}
    figs["scenario_pathways"] = (
        "CO2 and coal of all zones, by scenario",
        plot.scenarios_figure(pathways, stamp=stamp),
    )
    all_plans = pd.concat(plans.values(), ignore_index=True)
    if any(c.startswith("marginal_") for c in all_plans.columns):
        figs["marginal_cost"] = (
            "Marginal cost of the targets",
            plot.marginal_cost_figure(all_plans, stamp=stamp),
        )
    for i, (name, res) in enumerate(results.items()):
        zmap = zones[zones["scenario"] == name][["zone_id", "gap_pp"]]
        figs[f"map_{name}"] = (
            f"Zones on the map: 2025 energy-intensity gap, {name}",
            plot.zone_map(zmap, lang=lang, stamp={**stamp, "scenario": name}),
        )
        if len(results) <= DETAIL_MAX or i == 0:
            figs[f"intensity_{name}"] = (
                f"Energy intensity against targets, {name}",
                plot.pathways_figure(res, lang=lang),
            )
            figs[f"indicators_{name}"] = (
                f"Headline indicators, {name}",
                plot.indicators_figure(res, lang=lang),
            )
            figs[f"capacity_{name}"] = (
                f"Capacity mix by zone, {name}",
                plot.mix_figure(res, "capacity", lang=lang),
            )
            if not res.investments.empty:
                figs[f"investments_{name}"] = (f"Planned vs built, {name}", plot.investments_figure(res))
    return figs


def _sections(
    results: Mapping[str, Results], tables: Mapping[str, pd.DataFrame], summary: list[str]
) -> list[tuple[str, str, Any]]:
    """(heading, text, table or figure-key list) in report order."""
    return [
        ("Summary", " ".join(summary), None),
        (
            "Levers ranked",
            "Rank 1 meets every target in the most zones; ties go to the larger CO2 cut. CO2, coal and "
            "cost are cumulative over the simulated years against the reference scenario at the same "
            "seed; cost per tonne = cost difference / CO2 difference over the same years (carbon "
            "payments included, so a carbon price raises it). Brackets: 5th-95th percentile over seeds.",
            tables["summary"],
        ),
        (
            "Who meets which target",
            "Final year, per zone: energy-intensity change against the zone's 2025 target (headroom or "
            "miss, percentage points), coal use against the cap where a scenario caps coal, and any "
            "target on which the planner had to use slack (could not meet it). 'met in x % of seeds' "
            "where seeds differ.",
            tables["targets"],
        ),
        ("", "", ["gap_heatmap", "cost_co2", "scenario_pathways"] + _keys(results, "map_")),
        ("Levers compared", "Levers in force in each scenario, with their settings.", tables["levers"]),
        (
            "Scenarios at a glance",
            "Means over seeds (with _sd, _p05, _p95 where there are several): zones meeting every "
            "target, the energy-intensity target and the coal cap; planner city-years with slack; "
            "cumulative system cost (annualised capex, O&M, fuel, carbon payments, imports; bn "
            "CNY2020); final-year and cumulative CO2 (Mt) and coal (Mtce); differences (d_) against "
            "the first scenario at the same seed.",
            tables["scenarios"],
        ),
        (
            "Marginal cost of the targets",
            "Dual values of the planner's target constraints (CNY per tce, or per tCO2) over the "
            "city-years where the target binds and is met: mean and maximum, and the share of "
            "city-years binding. City-years where the target was not met (slack used) are counted "
            "apart: their dual is the slack penalty, not a price.",
            tables["marginal"],
        ),
        ("", "", ["marginal_cost"]),
        (
            "Plan vs built",
            "New capacity the planner asked for against what cities built after finance and build-rate "
            "limits (MW over the horizon; first seed of each scenario).",
            tables["plan_vs_built"],
        ),
        ("", "", _keys(results, "investments_")),
        ("Pathways", "Projected pathways against targets and the capacity mix, per scenario.", None),
        ("", "", _keys(results, "intensity_") + _keys(results, "indicators_") + _keys(results, "capacity_")),
        ("Zone detail", "Final-year values per scenario and zone (means over seeds).", tables["zones"]),
    ] + [
        (
            f"{period}: {title}",
            text,
            table,
        )
        for period, title, text in (
            (
                "2021-2025",
                "energy dual control",
                "Each zone's 2021-2025 outcome against its targets (energy and CO2 intensity vs 2020): "
                "gap in percentage points, negative = headroom (first seed of each scenario).",
            ),
            (
                "2026-2030",
                "carbon dual control",
                "Each zone's 2026-2030 outcome: CO2 intensity vs 2025 against the binding target "
                "(national -17 %, 15th Five-Year Plan outline, applied to every city: no provincial "
                "figure published), total CO2 vs 2025 (guiding; assumed not above 2025), the "
                "non-fossil share against the 2030 commitment (about 25 %; a national figure a city "
                "need not match) and the year CO2 peaks (2030 = still rising). The planner's price "
                "of the CO2-intensity target is marginal_co2_intensity in the marginal-cost table "
                "when a scenario enforces it (carbon_dual_control).",
            ),
        )
        if (table := _period_section(tables, period)) is not None
    ]


def periods_table(results: Mapping[str, Results]) -> pd.DataFrame:
    """Per scenario, zone, five-year period and target: target, outcome, gap (pp, negative =
    headroom), met and the CO2 peak year (first seed of each scenario)."""
    frames = []
    for name, res in results.items():
        table = res.periods()
        if not table.empty:
            frames.append(table.assign(scenario=name))
    if not frames:
        return pd.DataFrame(
            columns=["scenario", "zone", "period", "indicator", "target", "outcome", "gap_pp"]
        )
    out = pd.concat(frames, ignore_index=True)
    cols = ["scenario", "zone", "period", "indicator", "kind", "target", "outcome", "gap_pp", "met"]
    return out[cols + ["co2_peak_year", "rating"]]


def _period_section(tables: Mapping[str, pd.DataFrame], period: str) -> pd.DataFrame | None:
    """The period's rows, one line per scenario and zone (binding target first)."""
    df = tables["periods"]
    df = df[df["period"] == period]
    if df.empty:
        return None
    wide = df.pivot_table(
        index=["scenario", "zone"],
        columns="indicator",
        values=["outcome", "target", "gap_pp"],
        aggfunc="first",
    )
    wide.columns = [f"{ind}: {what}" for what, ind in wide.columns]
    wide = wide[
        sorted(
            wide.columns,
            key=lambda c: (c.split(":")[0], ["target", "outcome", "gap_pp"].index(c.split(": ")[1])),
        )
    ]
    binding = df[df["kind"] == "binding"].groupby(["scenario", "zone"])["met"].all().rename("binding met")
    extra = df.drop_duplicates(["scenario", "zone"]).set_index(["scenario", "zone"])
    wide = wide.join(binding)
    if period == "2026-2030":
        wide["CO2 peak year"] = extra["co2_peak_year"].astype("Int64")
    return wide.reset_index()


def _keys(results: Mapping[str, Results], prefix: str) -> list[str]:
    return [f"{prefix}{n}" for n in results]


def _provenance(results: Mapping[str, Results]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                k: r.stamp.get(k, "")
                for k in ("scenario", "scenario_hash", "seed", "data_version", "code_version")
            }
            for r in results.values()
        ]
    )


def _write_markdown(path: Path, sections, figs, results, stamp) -> None:
    parts = ["# zonesim: lever comparison\n"]
    for heading, text, content in sections:
        if heading:
            parts.append(f"## {heading}\n")
        if text:
            parts.append(text + "\n")
        if isinstance(content, pd.DataFrame):
            parts.append(_md_table(content))
        elif isinstance(content, list):
            for key in content:
                if key in figs:
                    parts.append(f"![{figs[key][0]}](figures/{key}.png)\n")
    parts.append("## Provenance\n")
    parts.append(_md_table(_provenance(results)))
    parts.append(f"\n{plot._source(stamp, plot.SOURCE_TARGETS)}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


CSS = """
body{font-family:sans-serif;max-width:1280px;margin:1.5em auto;color:#111;line-height:1.4}
table{border-collapse:collapse;font-size:12px;margin:0.5em 0 1.5em}
th,td{border:1px solid #999;padding:2px 6px;text-align:right}
th{background:#eee} td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #ccc;margin:0.5em 0} figure{margin:1em 0}
figcaption{font-size:12px;color:#444}
p.summary{font-size:15px;background:#f4f4f4;padding:0.6em 0.9em;border-left:4px solid #333}
"""


def _write_html(path: Path, sections, figs, images, results, stamp) -> None:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>zonesim: lever comparison</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>zonesim: lever comparison</h1>",
    ]
    for heading, text, content in sections:
        if heading:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
        if text:
            cls = " class='summary'" if heading == "Summary" else ""
            parts.append(f"<p{cls}>{html.escape(text)}</p>")
        if isinstance(content, pd.DataFrame):
            parts.append(_fmt(content).to_html(index=False, border=0, escape=True))
        elif isinstance(content, list):
            for key in content:
                if key in figs:
                    cap = html.escape(figs[key][0])
                    parts.append(
                        f"<figure id='{key}'><img alt='{cap}' src='data:image/png;base64,{images[key]}'>"
                        f"<figcaption>{cap}</figcaption></figure>"
                    )
    parts.append("<h2>Provenance</h2>")
    parts.append(_provenance(results).to_html(index=False, border=0))
    parts.append(f"<p><small>{html.escape(plot._source(stamp, plot.SOURCE_TARGETS))}</small></p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
