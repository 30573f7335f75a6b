"""The mix over time: stacked capacity or energy supply by zone or city, and planned against
built investments."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from zonesim.plot import base
from zonesim.plot.base import HATCHES, city_names, zone_names
from zonesim.results import Results
from zonesim.units import KILO, MEGA

CAPACITY_ORDER = ["coal", "gas", "oil", "nuclear", "hydro", "wind", "solar", "biomass", "storage"]
ENERGY_SOURCES = {
    "final_coal_tce": "coal (final use)",
    "final_oil_tce": "oil (final use)",
    "final_gas_tce": "gas (final use)",
    "final_heat_tce": "heat (final use)",
    "power_fossil_tce": "fossil power generation",
    "nonfossil_primary_tce": "non-fossil primary electricity",
    "net_import_primary_tce": "net electricity import",
}


def _tech_of(col: str) -> str:
    return col.removeprefix("cap_").removesuffix("_mw")


def mix_figure(
    data: Results | pd.DataFrame,
    kind: str = "capacity",
    by: str = "zone",
    ids: Iterable[str] | None = None,
    lang: str = "en",
    ncol: int = 4,
) -> Figure:
    """Stacked areas over time per zone or city: installed capacity (MW) or energy supply (Mtce).

    ``kind="capacity"`` stacks the ``cap_<tech>_mw`` and ``cap_storage_<tech>_mw`` columns
    (storage power shown as its own hatched layer); ``kind="energy"`` stacks energy use by
    source in primary terms (final fuels, fossil generation, non-fossil electricity, net
    electricity imports; negative imports — exports — are drawn below zero).
    """
    if kind not in ("capacity", "energy"):
        raise ValueError("kind must be 'capacity' or 'energy'")
    if by not in ("zone", "city"):
        raise ValueError("by must be 'zone' or 'city'")
    lang = base.use_lang(lang)
    if isinstance(data, Results):
        table = data.zones() if by == "zone" else data.pathways
        stamp = data.stamp
    else:
        table, stamp = data, dict(data.attrs.get("stamp", {}))
    key = "zone_id" if by == "zone" else "city_id"
    names = zone_names(lang) if by == "zone" else city_names(lang)
    if kind == "capacity":
        cols = [c for c in table.columns if c.startswith("cap_") and c.endswith("_mw")]
        order = {t: i for i, t in enumerate(CAPACITY_ORDER)}
        cols.sort(key=lambda c: (c.startswith("cap_storage_"), order.get(_tech_of(c), 50), c))
        labels = {c: _tech_of(c).replace("storage_", "storage: ").replace("_", " ") for c in cols}
        scale, unit = 1 / KILO, "GW"
    else:
        cols = [c for c in ENERGY_SOURCES if c in table.columns]
        labels = ENERGY_SOURCES
        scale, unit = 1 / MEGA, "Mtce"
    ids = sorted(table[key].dropna().unique()) if ids is None else list(ids)
    fig, axes = base.panel_grid(len(ids), ncol=ncol, w=3.4, h=2.6, sharex=True)
    cmap = plt.get_cmap("cividis")
    colours = {c: cmap(i / max(len(cols) - 1, 1)) for i, c in enumerate(cols)}
    for ax, ident in zip(axes.flat, ids, strict=False):
        t = table[table[key] == ident].sort_values("year").fillna({c: 0.0 for c in cols})
        years = t["year"].to_numpy()
        pos = np.zeros(len(t))
        neg = np.zeros(len(t))
        for i, c in enumerate(cols):
            v = t[c].to_numpy(dtype=float) * scale
            vp, vn = np.clip(v, 0, None), np.clip(v, None, 0)
            style = {
                "facecolor": colours[c],
                "edgecolor": "0.2",
                "hatch": HATCHES[i % len(HATCHES)],
                "lw": 0.4,
            }
            ax.fill_between(years, pos, pos + vp, label=labels[c], **style)
            if (vn < 0).any():
                ax.fill_between(years, neg + vn, neg, **style)
            pos, neg = pos + vp, neg + vn
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(names.get(ident, ident), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    what = "installed capacity" if kind == "capacity" else "energy use by source (primary)"
    for ax in axes[:, 0]:
        ax.set_ylabel(unit, fontsize=7)
    fig.supylabel(f"{what}, {unit}", fontsize=9)
    for ax in axes[-1, :]:
        ax.set_xlabel("year", fontsize=7)
    handles, labs = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labs, fontsize=7, loc="upper right", ncol=1, bbox_to_anchor=(1.0, 0.93))
    title = f"{what.capitalize()} by {by}, {unit}"
    fig.suptitle(title, fontsize=11)
    fig.text(
        0.01,
        0.005,
        base.source_line(stamp, "electricity in primary terms by the scenario's conversion"),
        fontsize=7,
        color="0.3",
    )
    fig.tight_layout(rect=(0, 0.03, 0.84, 0.94))
    return fig


def investments_figure(
    data: Results | pd.DataFrame, by: str | None = None, stamp: Mapping | None = None
) -> Figure:
    """New capacity by year and technology: planned (outlined) against built (filled), MW.

    The difference is the implementation gap: what the planner asked for and the city could
    not finance or build. ``coal_retired`` is drawn below zero. With ``by="city_id"`` the
    bars are split into small multiples by city.
    """
    if isinstance(data, Results):
        inv, stamp = data.investments, data.stamp
    else:
        inv = data
    inv = inv.copy()
    groups = [None] if by is None else sorted(inv[by].unique())
    wide = len(groups) == 1
    w, h = (9.5, 4.6) if wide else (4.4, 3.2)
    fig, axes = base.panel_grid(len(groups), ncol=3, w=w, h=h, sharey=False)
    techs = sorted(inv["tech"].unique(), key=lambda t: (t == "coal_retired", t))
    cmap = plt.get_cmap("cividis")
    for ax, group in zip(axes.flat, groups, strict=False):
        g = inv if group is None else inv[inv[by] == group]
        sums = g.groupby(["year", "tech"])[["planned_mw", "built_mw"]].sum()
        years = sorted(inv["year"].unique())
        width = 0.8 / max(len(techs), 1)
        for i, tech in enumerate(techs):
            sign = -1.0 if tech == "coal_retired" else 1.0
            planned = [sign * abs(sums["planned_mw"].get((y, tech), 0.0)) / KILO for y in years]
            built = [sign * abs(sums["built_mw"].get((y, tech), 0.0)) / KILO for y in years]
            x = np.arange(len(years)) - 0.4 + width * (i + 0.5)
            colour = cmap(i / max(len(techs) - 1, 1))
            ax.bar(
                x,
                built,
                width,
                color=colour,
                hatch=HATCHES[i % len(HATCHES)],
                edgecolor="0.2",
                lw=0.4,
                label=f"{tech.replace('_', ' ')} built",
            )
            ax.bar(x, planned, width, fill=False, edgecolor="black", lw=0.9, ls="--")
        ax.bar([np.nan], [np.nan], fill=False, edgecolor="black", ls="--", label="planned (outline)")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xticks(range(len(years)), [str(y) for y in years], fontsize=7)
        ax.set_xlabel("year", fontsize=8)
        ax.set_ylabel("new capacity, GW (retired < 0)", fontsize=8)
        ax.set_title("all cities" if group is None else str(group), fontsize=9)
        ax.grid(axis="y", alpha=0.3)
    axes.flat[0].legend(fontsize=6, loc="upper left")
    planned, built = inv["planned_mw"].abs().sum(), inv["built_mw"].abs().sum()
    gap = 100 * (1 - built / planned) if planned > 0 else 0.0
    title = f"Investments by year: planned vs built\n(implementation gap {gap:.0f} % of planned MW)"
    return base.finish(
        fig,
        title,
        base.source_line(
            stamp, "planned = planner's first-year decision; built after finance and build limits"
        ),
    )
