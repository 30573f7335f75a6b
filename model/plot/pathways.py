"""Pathways against targets: small multiples by zone, and the headline indicators of all
zones on one panel each."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from zonesim.plot import base
from zonesim.plot.base import (
    GREYS,
    INDICATORS,
    LINESTYLES,
    MARKERS,
    SOURCE_TARGETS,
    national_target,
    zone_names,
)
from zonesim.results import Results


def pathways_figure(
    results: Results | pd.DataFrame,
    variable: str = "intensity_change_pct",
    lang: str = "en",
    ncol: int = 5,
) -> Figure:
    """Small multiples by zone: a projected indicator with each zone's 2025 target marked.

    ``results`` is a Results or a zone-year table (``Results.zones()``). ``variable`` is one of
    :data:`INDICATORS`. The target is the zone's own (GDP-weighted over its cities) for energy
    intensity, the national one for CO2 intensity and the non-fossil share; other indicators
    have no zone target and show the 2020 level for reference. Energy intensity and the total
    are counted under the scenario's accounting rule.
    """
    if variable not in INDICATORS:
        raise ValueError(f"unknown indicator {variable!r}; choose from {sorted(INDICATORS)}")
    lang = base.use_lang(lang)
    zones, stamp = base.zones_table(results)
    zones = base.with_co2_change(zones)
    label, target_from = INDICATORS[variable]
    scale = base.SCALE.get(variable, 1.0)
    names = zone_names(lang)
    ids = sorted(zones["zone_id"].unique())
    fig, axes = base.panel_grid(len(ids), ncol=ncol, sharex=True)
    national = None
    if target_from and target_from not in zones:
        value = national_target(target_from)
        if value is not None:
            national = -value if variable.endswith("change_pct") else value
    second = _second_period(zones) if variable == "intensity_change_pct" else None
    co2_targets = _co2_targets(results) if second is not None else {}
    for ax, zone in zip(axes.flat, ids, strict=False):
        z = zones[zones["zone_id"] == zone].sort_values("year")
        if second is not None:
            _two_periods(ax, z, *second, co2_targets.get(zone))
            ax.set_title(names.get(zone, zone), fontsize=8)
            ax.grid(alpha=0.3)
            ax.tick_params(labelsize=7)
            continue
        ax.plot(z["year"], z[variable] * scale, color="black", marker="o", ms=3, label="projected")
        first, last = int(z["year"].min()), int(z["year"].max())
        if target_from in z:
            target = float(z[target_from].iloc[-1])  # the target in force in the last year
            ax.axhline(target, color="0.35", ls="--", lw=1, label="2025 target (zone)")
            ax.plot([first, 2025], [0, target], color="0.6", ls=":", lw=1, label="straight path to target")
        elif national is not None:
            ax.axhline(national, color="0.35", ls="--", lw=1, label="2025 target (national)")
        else:
            ax.axhline(float(z[variable].iloc[0]) * scale, color="0.6", ls=":", lw=1, label=f"{first} level")
        if last < 2025 <= last + 10:
            ax.axvline(2025, color="0.8", lw=0.8)
        ax.set_title(names.get(zone, zone), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel(label.split(",")[-1].strip(), fontsize=7)
    fig.supylabel(label, fontsize=9)
    for ax in axes[-1, :]:
        ax.set_xlabel("year", fontsize=7)
    axes.flat[0].legend(fontsize=6, loc="best")
    title = f"{label.split(',')[0].capitalize()} by zone against 2025 targets"
    if second is not None:
        base_year, target_year = second
        title = (
            f"Energy intensity vs 2020 against the {base_year} targets (black), "
            f"CO2 intensity vs {base_year} against the {target_year} targets (grey), by zone"
        )
        fig.supylabel("change, %", fontsize=9)
    return base.finish(fig, title, base.source_line(stamp, SOURCE_TARGETS))


def _second_period(zones: pd.DataFrame) -> tuple[int, int] | None:
    """(base year, target year) of the carbon dual-control period when the run reaches into it."""
    from zonesim.data import load
    from zonesim.periods import periods

    later = [p for p in periods(load()) if p.binding == "co2_intensity_reduction"]
    if not later or zones["year"].max() <= later[0].base_year or zones["year"].min() > later[0].base_year:
        return None
    return later[0].base_year, later[0].target_year


def _co2_targets(results: Results | pd.DataFrame) -> dict[str, float]:
    """Each zone's CO2-intensity target of the later period (GDP-weighted over its cities), %."""
    if not isinstance(results, Results) or "co2_intensity_target_pct" not in results.pathways:
        return {}
    p = results.pathways.dropna(subset=["zone_id"])
    p = p[p["year"] == p["year"].max()]
    w = p["co2_intensity_target_pct"] * p["gdp_bn"]
    return (w.groupby(p["zone_id"]).sum() / p.groupby("zone_id")["gdp_bn"].sum()).to_dict()


def _two_periods(ax, z: pd.DataFrame, base_year: int, target_year: int, co2_target: float | None) -> None:
    """One zone's panel across both periods: energy intensity against 2020 to the first period's
    target year with its target; CO2 intensity against that year to the second's, with its."""
    first = int(z["year"].min())
    e = z[z["year"] <= base_year]
    ax.plot(
        e["year"],
        e["intensity_change_pct"],
        color="black",
        marker="o",
        ms=3,
        label="energy intensity vs 2020",
    )
    target = e["intensity_target_pct"].dropna()
    if not target.empty:
        t = float(target.iloc[-1])
        ax.hlines(t, first, base_year, color="0.2", ls="--", lw=1, label=f"{base_year} target")
        ax.plot([first, base_year], [0, t], color="0.6", ls=":", lw=1)
    c = z[z["year"] >= base_year].copy()
    co2 = c["co2_incl_imports_t"] if "co2_incl_imports_t" in c else c["co2_t"]
    c0 = float((co2 / c["gdp_bn"]).iloc[0])
    c["co2_chg"] = 100 * ((co2 / c["gdp_bn"]) / c0 - 1)
    ax.plot(
        c["year"], c["co2_chg"], color="0.45", marker="s", ms=3, label=f"CO2 intensity vs {base_year}"
    )  # incl. imports
    if co2_target is not None and np.isfinite(co2_target):
        ax.hlines(
            co2_target, base_year, target_year, color="0.45", ls="--", lw=1, label=f"{target_year} target"
        )
        ax.plot([base_year, target_year], [0, co2_target], color="0.75", ls=":", lw=1)
    ax.axvline(base_year, color="0.85", lw=0.8)


MAX_LINES = 6
"""More zones than this on one panel become a median with a band and the extremes named."""


def _spread_lines(ax, zones: pd.DataFrame, var: str, scale: float, names: Mapping[str, str]) -> None:
    """Many zones on one panel, legibly: each zone a thin light line, the median over zones in
    black, the 10th-90th percentile band shaded, and the two extreme zones of the last year named."""
    wide = zones.pivot_table(index="year", columns="zone_id", values=var) * scale
    for zone in wide.columns:
        ax.plot(wide.index, wide[zone], color="0.8", lw=0.6, zorder=1)
    ax.fill_between(
        wide.index,
        wide.quantile(0.1, axis=1),
        wide.quantile(0.9, axis=1),
        color="0.6",
        alpha=0.35,
        lw=0,
        label="10th-90th percentile of zones",
        zorder=2,
    )
    ax.plot(wide.index, wide.median(axis=1), color="black", lw=1.8, label="median zone", zorder=3)
    last = wide.iloc[-1].dropna()
    for zone in {last.idxmin(), last.idxmax()}:
        ax.annotate(
            names.get(zone, zone).split("\n")[0],
            (wide.index[-1], last[zone]),
            xytext=(3, 0),
            textcoords="offset points",
            fontsize=6,
            va="center",
        )
    ax.set_xlim(wide.index.min() - 0.3, wide.index.max() + 1.6)


def indicators_figure(
    results: Results | pd.DataFrame, lang: str = "en", variables: Sequence[str] = ()
) -> Figure:
    """All zones on one panel per indicator (lines), with the target where one exists.

    Compact alternative to :func:`pathways_figure` for the five headline indicators: energy
    intensity, total energy under the accounting rule, coal share, non-fossil share, CO2. Up to
    :data:`MAX_LINES` zones are drawn as lines; more as a median, a band and the extremes named.
    """
    lang = base.use_lang(lang)
    variables = list(variables) or [
        "intensity_change_pct",
        "energy_counted_total_tce",
        "coal_share",
        "nonfossil_share",
        "co2_t",
        "co2_intensity_change_pct",
    ]
    zones, stamp = base.zones_table(results)
    zones = base.with_co2_change(zones)
    names = zone_names(lang)
    ids = sorted(zones["zone_id"].unique())
    fig, axes = base.panel_grid(len(variables), ncol=3, w=4.2, h=3.2)
    for ax, var in zip(axes.flat, variables, strict=False):
        label, target_from = INDICATORS[var]
        scale = base.SCALE.get(var, 1.0)
        if len(ids) <= MAX_LINES:
            for i, zone in enumerate(ids):
                z = zones[zones["zone_id"] == zone].sort_values("year")
                ax.plot(
                    z["year"],
                    z[var] * scale,
                    color=GREYS[i % 4],
                    ls=LINESTYLES[i % len(LINESTYLES)],
                    marker=MARKERS[i % len(MARKERS)],
                    ms=3,
                    lw=1,
                    label=names.get(zone, zone),
                )
        else:
            _spread_lines(ax, zones, var, scale, names)
        if target_from and target_from not in zones:
            value = national_target(target_from)
            if value is not None:
                value = -value if var.endswith("change_pct") else value
                ax.axhline(value, color="black", ls="--", lw=1.5, label="2025 target (national)")
        elif target_from:
            for t in sorted(zones[target_from].round(1).unique()):
                ax.axhline(t, color="black", ls="--", lw=1.2)
            ax.plot([], [], color="black", ls="--", label="2025 targets (zones)")
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("year", fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(
        handles, labels, fontsize=6, loc="lower center", ncol=min(len(labels), 6), bbox_to_anchor=(0.5, 0.02)
    )
    fig.suptitle("Headline indicators by zone", fontsize=11)
    fig.text(0.01, 0.005, base.source_line(stamp, SOURCE_TARGETS), fontsize=7, color="0.3")
    nrows = -(-len(labels) // 6)
    fig.tight_layout(rect=(0, 0.04 + 0.035 * nrows, 1, 0.94))
    return fig
