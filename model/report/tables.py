"""The comparison's numbers: every target judged per zone and run, then tabulated per run,
scenario and zone, with the report's summary in words.

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

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from zonesim import plot
from zonesim.results import Results
from zonesim.scenario import Scenario

SLACK_TOL = plot.SLACK_TOL
"""Slack (tce or tCO2 per city-year) below which it is solver noise, not a shortfall."""
DUAL_TOL = 1e-6
"""Dual value (CNY per unit) below which a target does not bind."""
TARGET_UNITS = {"co2": "CNY/tCO2", "co2_intensity": "CNY/tCO2"}
"""Units of a target's marginal cost; the energy targets (intensity, total, coal) are CNY/tce."""


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
