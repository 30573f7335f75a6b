"""Lever mixes compared: the gap heatmap, cost against CO2, scenario totals side by side and
the marginal cost of the targets (LP duals, with :func:`priced` telling a price from a
penalty)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from zonesim.plot import base
from zonesim.plot.base import GREYS, LINESTYLES, MARKERS, SOURCE_TARGETS, zone_names
from zonesim.results import Results

SLACK_TOL = 1.0
"""Planner slack (tce or tCO2 per city-year) below which it is solver noise, not a shortfall."""


def _penalty(target: str) -> float:
    """The planner's slack penalty of a target (CNY per tce or tCO2), from planner_parameters.csv."""
    from zonesim.data import load

    t = load().tables["planner_parameters"].set_index("name")["value"]
    return float(t["slack_penalty_co2" if target.startswith("co2") else "slack_penalty_energy"])


def priced(plans: pd.DataFrame, target: str) -> pd.Series:
    """True for the city-years whose dual on ``target`` is a price: the target was met (slack at
    most :data:`SLACK_TOL`) and the dual is below the slack penalty. Elsewhere the dual is the
    penalty of missing the target, not the cost of meeting it."""
    dual = plans[f"marginal_{target}"].astype(float).abs()
    slack = plans.get(f"slack_{target}", pd.Series(0.0, index=plans.index)).astype(float).fillna(0.0)
    return (slack <= SLACK_TOL) & (dual < 0.999 * _penalty(target))


def gap_heatmap(
    table: pd.DataFrame, value: str = "gap_pp", lang: str = "en", stamp: Mapping | None = None
) -> Figure:
    """Zones x scenarios: the final-year gap to the energy-intensity target (percentage points).

    ``table`` has columns ``scenario``, ``zone_id`` and ``value`` (e.g. from
    :func:`zonesim.report.compare.comparison_table`). The gap is change minus target: negative
    is headroom (the target is beaten by that much), positive a miss. Colours diverge around 0
    (blue headroom, orange miss) and every cell carries its signed value, so the figure reads in
    grey scale too.
    """
    from matplotlib.colors import TwoSlopeNorm

    lang = base.use_lang(lang)
    names = zone_names(lang)
    pivot = table.pivot_table(index="zone_id", columns="scenario", values=value, aggfunc="mean")
    scenarios = list(dict.fromkeys(table["scenario"]))
    pivot = pivot[scenarios]
    values = pivot.to_numpy(dtype=float)
    fig, ax = plt.subplots(figsize=(1.3 * len(scenarios) + 4.6, 0.36 * len(pivot) + 2.0))
    top = float(np.nanmax(np.abs(values))) if values.size else 1.0
    top = max(top, 1e-6)
    norm = TwoSlopeNorm(vmin=-top, vcenter=0.0, vmax=top)
    im = ax.imshow(values, cmap="PuOr_r", norm=norm, aspect="auto")
    for (i, j), v in np.ndenumerate(values):
        text = "" if np.isnan(v) else f"{v:+.1f}"
        ax.text(
            j, i, text, ha="center", va="center", fontsize=7, color="white" if abs(v) > 0.6 * top else "black"
        )
    ax.set_xticks(range(len(scenarios)), scenarios, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(pivot)), [names.get(z, z).replace("\n", " ") for z in pivot.index], fontsize=7)
    ax.set_xlabel("scenario (lever mix)")
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label("gap to target, pp (< 0: headroom, > 0: missed)", fontsize=8)
    return base.finish(
        fig,
        "Energy-intensity change minus 2025 target, by zone and lever mix",
        base.source_line(stamp, SOURCE_TARGETS),
    )


def cost_co2_figure(table: pd.DataFrame, stamp: Mapping | None = None) -> Figure:
    """Each lever mix's cost against its CO2, with zero on both axes so that differences keep
    their true size.

    With ``d_cost_bn`` and ``d_co2_cum_mt`` (from :func:`zonesim.report.compare.scenario_table`)
    the figure shows the difference from the reference scenario (cumulative over the horizon),
    with the 5th-95th percentile over seeds as error bars where given; otherwise ``cost_bn``
    (cumulative system cost, bn CNY2020) against ``co2_mt`` (final-year CO2, Mt). Labels give
    the zones meeting their targets (``zones_met_all`` or ``zones_met``, of ``zones``).
    """
    delta = {"d_cost_bn", "d_co2_cum_mt"} <= set(table.columns)
    xcol, ycol = ("d_cost_bn", "d_co2_cum_mt") if delta else ("cost_bn", "co2_mt")
    met = "zones_met_all" if "zones_met_all" in table else "zones_met" if "zones_met" in table else None
    fig, ax = plt.subplots(figsize=(8.0, 5.6))
    for i, r in enumerate(table.to_dict("records")):
        xerr = yerr = None
        if delta and f"{xcol}_p05" in r and not pd.isna(r.get(f"{xcol}_p05")):
            xerr = [[r[xcol] - r[f"{xcol}_p05"]], [r[f"{xcol}_p95"] - r[xcol]]]
            yerr = [[r[ycol] - r[f"{ycol}_p05"]], [r[f"{ycol}_p95"] - r[ycol]]]
            ax.errorbar(r[xcol], r[ycol], xerr=xerr, yerr=yerr, fmt="none", ecolor="0.4", lw=0.8, zorder=2)
        ax.scatter(
            r[xcol],
            r[ycol],
            s=70,
            marker=MARKERS[i % len(MARKERS)],
            color=GREYS[i % 3],
            edgecolor="black",
            zorder=3,
            label=r["scenario"],
        )
        note = str(r["scenario"])
        if met and "zones" in r:
            note += f"\n{r[met]:.0f}/{int(r['zones'])} zones meet"
        ax.annotate(note, (r[xcol], r[ycol]), xytext=(6, 4), textcoords="offset points", fontsize=7)
    # zero on both axes: a 0.5 % difference must look like one
    xs, ys = table[xcol].to_numpy(dtype=float), table[ycol].to_numpy(dtype=float)
    for lim, vals, setter in ((ax.get_xlim(), xs, ax.set_xlim), (ax.get_ylim(), ys, ax.set_ylim)):
        lo, hi = min(lim[0], 0.0, np.nanmin(vals)), max(lim[1], 0.0, np.nanmax(vals))
        pad = 0.08 * (hi - lo or 1.0)
        setter(lo - (pad if lo < 0 else 0), hi + (pad if hi > 0 else 0))
    ax.axhline(0, color="black", lw=0.7)
    ax.axvline(0, color="black", lw=0.7)
    if delta:
        ax.set_xlabel("cost difference from the reference, cumulative, bn CNY2020")
        ax.set_ylabel("CO2 difference from the reference, cumulative, Mt")
        title = "Cost against CO2 by lever mix, difference from the reference"
    else:
        ax.set_xlabel("cumulative system cost over the horizon, bn CNY2020")
        ax.set_ylabel("CO2 emissions in the final year, Mt")
        title = "Cost against CO2 by lever mix"
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return base.finish(
        fig,
        title,
        base.source_line(
            stamp, "cost = annualised capex, O&M, fuel, carbon, imports; bars: 5th-95th pct over seeds"
        ),
    )


def scenarios_figure(
    pathways: Mapping[str, pd.DataFrame | Sequence[pd.DataFrame] | Results],
    variables: Sequence[str] = ("co2_t", "coal_tce", "energy_counted_total_tce"),
    stamp: Mapping | None = None,
) -> Figure:
    """Scenarios side by side: one panel per variable, the total of all simulated cities per year,
    one line per scenario (the mean over its runs, with the min-max band over seeds).

    ``pathways`` maps a scenario name to its Results, its pathways table, or a list of pathways
    tables (one per seed). The y axes start at 0 so that differences keep their true size.
    """
    labels = {
        "co2_t": ("CO2 emissions, Mt", 1e-6),
        "coal_tce": ("coal use, Mtce", 1e-6),
        "energy_counted_total_tce": ("energy counted under the accounting rule, Mtce", 1e-6),
        "energy_total_tce": ("total energy use, Mtce", 1e-6),
        "cost_bn": ("system cost, bn CNY2020/yr", 1.0),
        "gdp_bn": ("GDP, bn CNY2020", 1.0),
    }
    fig, axes = base.panel_grid(len(variables), ncol=len(variables), w=4.6, h=3.6)
    for i, (name, data) in enumerate(pathways.items()):
        runs = (
            [data.pathways]
            if isinstance(data, Results)
            else [data]
            if isinstance(data, pd.DataFrame)
            else list(data)
        )
        for ax, var in zip(axes.flat, variables, strict=False):
            label, scale = labels.get(var, (var, 1.0))
            totals = pd.concat([r.groupby("year")[var].sum() for r in runs], axis=1) * scale
            mean = totals.mean(axis=1)
            if totals.shape[1] > 1:
                ax.fill_between(
                    mean.index, totals.min(axis=1), totals.max(axis=1), color=GREYS[i % 4], alpha=0.25, lw=0
                )
            ax.plot(
                mean.index,
                mean.to_numpy(),
                color=GREYS[i % 4] if i < 4 else plt.get_cmap("cividis")((i - 4) / 8),
                ls=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)],
                ms=3,
                lw=1.2,
                label=name,
            )
            ax.set_title(label, fontsize=9)
            ax.set_xlabel("year", fontsize=8)
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
    handles, labs = axes.flat[0].get_legend_handles_labels()
    ncol = min(len(labs), 6)
    fig.legend(handles, labs, fontsize=7, loc="lower center", ncol=ncol, bbox_to_anchor=(0.5, 0.03))
    base.year_ticks(fig)
    fig.suptitle("Scenarios compared: all simulated cities together", fontsize=11)
    fig.text(0.01, 0.005, base.source_line(stamp, "band: min-max over seeds"), fontsize=7, color="0.3")
    rows = -(-len(labs) // ncol)
    fig.tight_layout(rect=(0, 0.06 + 0.04 * rows, 1, 0.93))
    return fig


def marginal_cost_figure(
    plans: pd.DataFrame, group: str = "scenario", stamp: Mapping | None = None
) -> Figure:
    """Marginal cost of each target (the LP duals), CNY per unit, by year and ``group``.

    ``plans`` is ``Results.plans`` (optionally concatenated with a ``scenario`` column); the
    columns ``marginal_<target>`` are shown as the mean over cities per year, with the maximum
    as a marker. A zero marginal cost means the target does not bind. City-years with slack on
    a target did not meet it (see :func:`priced`): their dual is the slack penalty, not a
    price, and is left out.
    """
    cols = [c for c in plans.columns if c.startswith("marginal_")]
    if not cols:
        raise ValueError("plans has no marginal_<target> columns")
    p = plans.copy()
    if group not in p:
        p[group] = "all"
    groups = list(dict.fromkeys(p[group]))
    fig, axes = base.panel_grid(len(cols), ncol=3, w=4.3, h=3.3)
    units = {"energy_intensity": "CNY/tce", "energy_total": "CNY/tce", "coal": "CNY/tce", "co2": "CNY/tCO2"}
    for ax, col in zip(axes.flat, cols, strict=False):
        target = col.removeprefix("marginal_")
        price = p[col].where(priced(p, target))
        for i, g in enumerate(groups):
            sub = price[p[group] == g].groupby(p["year"])
            mean, top = sub.mean(), sub.max()
            ax.plot(
                mean.index,
                mean.to_numpy(),
                color=GREYS[i % 4],
                ls=LINESTYLES[i % len(LINESTYLES)],
                marker=MARKERS[i % len(MARKERS)],
                ms=4,
                label=f"{g} (mean)",
            )
            ax.scatter(top.index, top.to_numpy(), marker="_", s=80, color=GREYS[i % 4])
        ax.set_title(f"{target.replace('_', ' ')} target", fontsize=9)
        ax.set_xlabel("planning year", fontsize=8)
        ax.set_ylabel(f"marginal cost, {units.get(target, 'CNY/unit')}", fontsize=8)
        ax.grid(alpha=0.3)
    axes.flat[0].legend(fontsize=6)
    return base.finish(
        fig,
        "Marginal cost of the targets\n(LP duals: line = mean over cities, dash = maximum)",
        base.source_line(stamp, "planner LP duals, constant 2020 CNY; city-years with slack left out"),
        top=0.86,
    )
