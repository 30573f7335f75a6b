"""Per-run outputs for analysis: one row per city, zone and all zones together.

Columns (final year = last simulated year; cumulative = sum over simulated years after 2020):

=====================  ======================  ==============================================
metric                 unit                    meaning
=====================  ======================  ==============================================
intensity_change_pct   %                       energy-intensity change, final year vs 2020
intensity_target_pct   %                       target (GDP-weighted for zones and all)
gap_pp                 percentage points       max(0, change - target): how far the target is missed
met                    1                       1 if the target is met (gap 0), else 0
cost_cum_bn            bn CNY2020              cumulative system cost
capex_cum_bn           bn CNY2020              cumulative investment
co2_cum_t              tCO2                    cumulative CO2
co2_end_t              tCO2                    CO2 in the final year
coal_cum_tce           tce                     cumulative coal use
coal_end_tce           tce                     coal use in the final year
energy_end_tce         tce                     total energy use in the final year
nonfossil_share_end    1                       non-fossil share in the final year
marginal_<target>      planner units           yearly mean of the target's dual (zone/all: mean of cities)
slack_<target>         planner units           yearly mean of the target's slack (zone/all: sum)
=====================  ======================  ==============================================
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _block(df: pd.DataFrame, key: str | None) -> pd.DataFrame:
    """Metrics of the pathways ``df`` grouped by ``key`` (None = everything together)."""
    start = df["year"].min()
    end = df["year"].max()
    sim = df[df["year"] > start]
    keys = [key] if key else []
    g_end = df[df["year"] == end]
    g_start = df[df["year"] == start]

    def agg(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
        if keys:
            return frame.groupby(keys)[cols].sum()
        return frame[cols].sum().to_frame().T

    cum = agg(sim, ["cost_bn", "capex_bn", "co2_t", "coal_tce"])
    endv = agg(
        g_end,
        [
            "co2_t",
            "coal_tce",
            "energy_total_tce",
            "nonfossil_primary_tce",
            "gdp_bn",
            "energy_counted_intensity_tce",
        ],
    )
    startv = agg(g_start, ["gdp_bn", "energy_counted_intensity_tce"])
    tgt = g_end.assign(_w=g_end["intensity_target_pct"] * g_end["gdp_bn"])
    tgt = agg(tgt, ["_w", "gdp_bn"])
    # intensity of the group: counted energy / GDP, end vs start (what Results.zones() does)
    i_end = endv["energy_counted_intensity_tce"] / endv["gdp_bn"]
    i_start = startv["energy_counted_intensity_tce"] / startv["gdp_bn"]
    change = 100 * (i_end / i_start - 1)
    target = tgt["_w"] / tgt["gdp_bn"]
    out = pd.DataFrame(
        {
            "intensity_change_pct": change,
            "intensity_target_pct": target,
            "gap_pp": (change - target).clip(lower=0),
            "cost_cum_bn": cum["cost_bn"],
            "capex_cum_bn": cum["capex_bn"],
            "co2_cum_t": cum["co2_t"],
            "co2_end_t": endv["co2_t"],
            "coal_cum_tce": cum["coal_tce"],
            "coal_end_tce": endv["coal_tce"],
            "energy_end_tce": endv["energy_total_tce"],
            "nonfossil_share_end": endv["nonfossil_primary_tce"] / endv["energy_total_tce"],
        }
    )
    out["met"] = (out["gap_pp"] <= 0).astype(float)
    return out


def run_metrics(pathways: pd.DataFrame, plans: pd.DataFrame) -> pd.DataFrame:
    """Tidy metrics of one run: columns level (city/zone/all), region, then the metrics."""
    p = pathways.copy()
    p["zone_id"] = p["zone_id"].fillna("(associated)")
    city = _block(p, "city_id").reset_index(names="region").assign(level="city")
    zone = _block(p, "zone_id").reset_index(names="region").assign(level="zone")
    every = _block(p, None).assign(level="all", region="all")
    zone_of = p.groupby("city_id")["zone_id"].first()
    city["zone_id"] = city["region"].map(zone_of)
    zone["zone_id"] = zone["region"]
    every["zone_id"] = "all"
    out = pd.concat([city, zone, every], ignore_index=True)
    dual = [c for c in plans.columns if c.startswith(("marginal_", "slack_"))] if len(plans) else []
    if dual:
        per_city = plans.groupby("city_id")[dual].mean()
        out = out.merge(per_city, left_on="region", right_index=True, how="left")
        for col in dual:
            series = out.loc[out["level"] == "city"].groupby("zone_id")[col]
            zval = series.sum() if col.startswith("slack_") else series.mean()
            allv = per_city[col].sum() if col.startswith("slack_") else per_city[col].mean()
            is_zone = out["level"] == "zone"
            out.loc[is_zone, col] = out.loc[is_zone, "region"].map(zval)
            out.loc[out["level"] == "all", col] = allv
    first = ["level", "region", "zone_id"]
    out = out[first + [c for c in out.columns if c not in first]]
    num = out.columns.difference(first)
    out[num] = out[num].astype(np.float64)
    return out.reset_index(drop=True)
