"""Figures from the tidy result tables (matplotlib; each function returns a Figure).

Every figure has a title, units on its axes and a source line; colours are chosen to stay
readable in grey scale (sequential maps with monotone lightness, hatches and line styles
alongside colour). Zone labels can be English, Chinese or both (``lang="en" | "zh" | "both"``);
Chinese needs a CJK font (Debian: ``fonts-noto-cjk``); without one the labels fall back to
English with a warning.

Inputs are tidy tables: a :class:`~zonesim.results.Results` or its ``pathways`` /
``zones()`` / ``investments`` / ``plans`` frames, and for comparisons and batches frames with
a ``scenario`` or ``run`` column.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib import font_manager  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from zonesim.results import Results  # noqa: E402
from zonesim.units import KILO, MEGA

GREYS = ["0.05", "0.35", "0.55", "0.75", "0.9"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "++", "--", "||", "**"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

SOURCE_TARGETS = "targets: calibration/data/city_targets.csv, targets.csv"

# indicator -> (label with unit, how the 2025 target is found: column, national indicator or None)
INDICATORS: dict[str, tuple[str, str | None]] = {
    "intensity_change_pct": ("energy intensity (counted) change vs 2020, %", "intensity_target_pct"),
    "energy_intensity_tce_per_10k": ("energy intensity, tce per 10k CNY2020", None),
    "energy_counted_total_tce": ("total energy counted under the accounting rule, Mtce", None),
    "energy_total_tce": ("total energy use, Mtce", None),
    "coal_share": ("coal share of energy use, %", None),
    "nonfossil_share": ("non-fossil share of energy use, %", "non_fossil_share_of_energy_consumption"),
    "co2_t": ("CO2 emissions, Mt", None),
    "co2_intensity_change_pct": ("CO2 intensity change vs 2020, %", "co2_intensity_reduction"),
}
_SCALE = {
    "energy_counted_total_tce": 1 / MEGA,
    "energy_total_tce": 1 / MEGA,
    "co2_t": 1 / MEGA,
    "coal_share": 100.0,
    "nonfossil_share": 100.0,
}


# ----------------------------------------------------------------------------- fonts and names
@functools.cache
def cjk_font() -> str | None:
    """Name of an installed CJK font family matplotlib can use, or None."""
    wanted = ("Noto Sans CJK SC", "Noto Sans CJK JP", "Noto Serif CJK SC", "WenQuanYi Zen Hei", "SimHei")
    have = {f.name for f in font_manager.fontManager.ttflist}
    for name in wanted:
        if name in have:
            return name
    # fonts installed after matplotlib built its cache: add them by file
    for folder in ("/usr/share/fonts", "/usr/local/share/fonts", str(Path.home() / ".fonts")):
        for path in sorted(Path(folder).rglob("*CJK*")) if Path(folder).is_dir() else []:
            if path.suffix.lower() in (".ttc", ".otf", ".ttf"):
                try:
                    font_manager.fontManager.addfont(str(path))
                except (OSError, RuntimeError, ValueError):
                    continue
    have = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in wanted if name in have), None)


def _use_lang(lang: str) -> str:
    """The language actually usable: falls back to English (with a warning) without a CJK font."""
    if lang not in ("en", "zh", "both"):
        raise ValueError(f"lang must be 'en', 'zh' or 'both', not {lang!r}")
    if lang == "en":
        return lang
    font = cjk_font()
    if font is None:
        warnings.warn(
            "no CJK font found (install fonts-noto-cjk); Chinese names fall back to English",
            stacklevel=3,
        )
        return "en"
    # matplotlib falls back glyph by glyph only across explicitly named families
    families = [f for f in plt.rcParams["font.family"] if f not in ("sans-serif", font)]
    if font not in plt.rcParams["font.family"]:
        plt.rcParams["font.family"] = [*(families or ["DejaVu Sans"]), font]
    return lang


@functools.cache
def _metadata() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from zonesim.data import load

    base = load()
    return base.zones.copy(), base.cities.copy(), base.tables["targets"].copy()


def zone_names(lang: str = "en") -> dict[str, str]:
    """Zone id -> display name ("en": English, "zh": Chinese, "both": both on two lines)."""
    zones = _metadata()[0]
    out = {}
    for r in zones.itertuples():
        if lang == "zh":
            out[r.zone_id] = f"{r.zone_id} {r.name_zh}"
        elif lang == "both":
            out[r.zone_id] = f"{r.zone_id} {r.name_en}\n{r.name_zh}"
        else:
            out[r.zone_id] = f"{r.zone_id} {r.name_en}"
    return out


def city_names(lang: str = "en") -> dict[str, str]:
    """City id -> display name in the chosen language."""
    cities = _metadata()[1]
    col = {"en": "name_en", "zh": "name_zh"}.get(lang)
    if col:
        return dict(zip(cities["city_id"], cities[col], strict=True))
    return {
        c: f"{e} {z}" for c, e, z in zip(cities["city_id"], cities["name_en"], cities["name_zh"], strict=True)
    }


def national_target(indicator: str) -> float | None:
    """The national 2025 target of an indicator from targets.csv (value as published), or None."""
    t = _metadata()[2]
    row = t[(t["scope"] == "national") & (t["indicator"] == indicator)]
    return float(row["value"].iloc[0]) if len(row) else None


def _source(stamp: Mapping | None, extra: str = "") -> str:
    stamp = stamp or {}
    text = "Source: zonesim"
    if stamp.get("code_version"):
        text += f" {stamp['code_version']}"
    if stamp.get("data_version"):
        text += f", data {stamp['data_version']}"
    if stamp.get("scenario"):
        text += f", scenario '{stamp['scenario']}'"
    if extra:
        text += f"; {extra}"
    return text


def _finish(fig: Figure, title: str, source: str, top: float = 0.93, right: float = 1.0) -> Figure:
    fig.suptitle(title, fontsize=11)
    fig.text(0.01, 0.005, source, fontsize=7, color="0.3", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, right, top))
    return fig


def _zones_table(data: Results | pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    if isinstance(data, Results):
        return data.zones(), data.stamp
    return data, dict(data.attrs.get("stamp", {}))


def _with_co2_change(z: pd.DataFrame) -> pd.DataFrame:
    if "co2_intensity_change_pct" in z or "co2_intensity_t_per_10k" not in z:
        return z
    z = z.copy()
    key = "zone_id" if "zone_id" in z else "city_id"
    first = z[z["year"] == z["year"].min()].set_index(key)["co2_intensity_t_per_10k"]
    z["co2_intensity_change_pct"] = 100 * (z["co2_intensity_t_per_10k"] / z[key].map(first) - 1)
    return z


def _grid(n: int, ncol: int = 5, w: float = 3.0, h: float = 2.4, **kw) -> tuple[Figure, np.ndarray]:
    ncol = min(ncol, max(n, 1))
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol + 0.6, h * nrow + 0.9), squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


# ---------------------------------------------------------------------------- 1. pathways
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
    lang = _use_lang(lang)
    zones, stamp = _zones_table(results)
    zones = _with_co2_change(zones)
    label, target_from = INDICATORS[variable]
    scale = _SCALE.get(variable, 1.0)
    names = zone_names(lang)
    ids = sorted(zones["zone_id"].unique())
    fig, axes = _grid(len(ids), ncol=ncol, sharex=True)
    national = None
    if target_from and target_from not in zones:
        value = national_target(target_from)
        if value is not None:
            national = -value if variable.endswith("change_pct") else value
    for ax, zone in zip(axes.flat, ids, strict=False):
        z = zones[zones["zone_id"] == zone].sort_values("year")
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
    return _finish(fig, title, _source(stamp, SOURCE_TARGETS))


def indicators_figure(
    results: Results | pd.DataFrame, lang: str = "en", variables: Sequence[str] = ()
) -> Figure:
    """All zones on one panel per indicator (lines), with the target where one exists.

    Compact alternative to :func:`pathways_figure` for the five headline indicators: energy
    intensity, total energy under the accounting rule, coal share, non-fossil share, CO2.
    """
    lang = _use_lang(lang)
    variables = list(variables) or [
        "intensity_change_pct",
        "energy_counted_total_tce",
        "coal_share",
        "nonfossil_share",
        "co2_t",
        "co2_intensity_change_pct",
    ]
    zones, stamp = _zones_table(results)
    zones = _with_co2_change(zones)
    names = zone_names(lang)
    ids = sorted(zones["zone_id"].unique())
    fig, axes = _grid(len(variables), ncol=3, w=4.2, h=3.2)
    for ax, var in zip(axes.flat, variables, strict=False):
        label, target_from = INDICATORS[var]
        scale = _SCALE.get(var, 1.0)
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
    fig.text(0.01, 0.005, _source(stamp, SOURCE_TARGETS), fontsize=7, color="0.3")
    nrows = -(-len(labels) // 6)
    fig.tight_layout(rect=(0, 0.04 + 0.035 * nrows, 1, 0.94))
    return fig


# ------------------------------------------------------------------------- 2. mix over time
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
    lang = _use_lang(lang)
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
    fig, axes = _grid(len(ids), ncol=ncol, w=3.4, h=2.6, sharex=True)
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
        _source(stamp, "electricity in primary terms by the scenario's conversion"),
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
    fig, axes = _grid(len(groups), ncol=3, w=9.5 if wide else 4.4, h=4.6 if wide else 3.2, sharey=False)
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
    return _finish(
        fig,
        title,
        _source(stamp, "planned = planner's first-year decision; built after finance and build limits"),
    )


# --------------------------------------------------------------------- 3. lever comparison
def gap_heatmap(
    table: pd.DataFrame, value: str = "gap_pp", lang: str = "en", stamp: Mapping | None = None
) -> Figure:
    """Zones x scenarios: the 2025 shortfall against the energy-intensity target (percentage points).

    ``table`` has columns ``scenario``, ``zone_id`` and ``value`` (e.g. from
    :func:`zonesim.report.compare.comparison_table`). 0 means the target is met; cells are
    annotated so the figure reads in grey scale.
    """
    lang = _use_lang(lang)
    names = zone_names(lang)
    pivot = table.pivot_table(index="zone_id", columns="scenario", values=value, aggfunc="first")
    scenarios = list(dict.fromkeys(table["scenario"]))
    pivot = pivot[scenarios]
    fig, ax = plt.subplots(figsize=(1.3 * len(scenarios) + 4.2, 0.36 * len(pivot) + 1.8))
    vmax = max(float(np.nanmax(pivot.to_numpy())) if pivot.size else 1.0, 1e-9)
    im = ax.imshow(pivot.to_numpy(), cmap="Greys", vmin=0, vmax=vmax, aspect="auto")
    for (i, j), v in np.ndenumerate(pivot.to_numpy()):
        text = "met" if v <= 0 else f"{v:.1f}"
        ax.text(
            j, i, text, ha="center", va="center", fontsize=7, color="white" if v > 0.6 * vmax else "black"
        )
    ax.set_xticks(range(len(scenarios)), scenarios, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(pivot)), [names.get(z, z).replace("\n", " ") for z in pivot.index], fontsize=7)
    ax.set_xlabel("scenario (lever mix)")
    cbar = fig.colorbar(im, ax=ax)
    cbar.set_label("gap to 2025 energy-intensity target, pp", fontsize=8)
    return _finish(
        fig, "2025 energy-intensity target gap by zone and lever mix", _source(stamp, SOURCE_TARGETS)
    )


def cost_co2_figure(table: pd.DataFrame, stamp: Mapping | None = None) -> Figure:
    """Scatter of cumulative cost against final-year CO2 per scenario, labelled with zones meeting target.

    ``table`` has one row per scenario with ``scenario``, ``cost_bn`` (cumulative system cost,
    bn CNY2020), ``co2_mt`` (final-year CO2, Mt) and optionally ``zones_met`` and ``zones``.
    """
    fig, ax = plt.subplots(figsize=(7.5, 5.2))
    for i, r in enumerate(table.itertuples()):
        ax.scatter(
            r.cost_bn,
            r.co2_mt,
            s=70,
            marker=MARKERS[i % len(MARKERS)],
            color=GREYS[i % 3],
            edgecolor="black",
            zorder=3,
            label=r.scenario,
        )
        note = f"{r.scenario}"
        if hasattr(r, "zones_met"):
            note += f"\n{int(r.zones_met)}/{int(r.zones)} zones meet" if hasattr(r, "zones") else ""
        ax.annotate(note, (r.cost_bn, r.co2_mt), xytext=(6, 4), textcoords="offset points", fontsize=7)
    ax.set_xlabel("cumulative system cost over the horizon, bn CNY2020")
    ax.set_ylabel("CO2 emissions in the final year, Mt")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="best")
    return _finish(
        fig,
        "Cost against CO2 by lever mix",
        _source(stamp, "cost = annualised capex, O&M, fuel, carbon, imports"),
    )


def marginal_cost_figure(
    plans: pd.DataFrame, group: str = "scenario", stamp: Mapping | None = None
) -> Figure:
    """Marginal cost of each target (the LP duals), CNY per unit, by year and ``group``.

    ``plans`` is ``Results.plans`` (optionally concatenated with a ``scenario`` column); the
    columns ``marginal_<target>`` are shown as the mean over cities per year, with the maximum
    as a marker. A zero marginal cost means the target does not bind.
    """
    cols = [c for c in plans.columns if c.startswith("marginal_")]
    if not cols:
        raise ValueError("plans has no marginal_<target> columns")
    p = plans.copy()
    if group not in p:
        p[group] = "all"
    groups = list(dict.fromkeys(p[group]))
    fig, axes = _grid(len(cols), ncol=3, w=4.3, h=3.3)
    units = {"energy_intensity": "CNY/tce", "energy_total": "CNY/tce", "coal": "CNY/tce", "co2": "CNY/tCO2"}
    for ax, col in zip(axes.flat, cols, strict=False):
        target = col.removeprefix("marginal_")
        for i, g in enumerate(groups):
            sub = p[p[group] == g].groupby("year")[col]
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
    return _finish(
        fig,
        "Marginal cost of the targets (dual values; mean over cities, bar = max)",
        _source(stamp, "planner LP duals, constant 2020 CNY"),
    )


# ------------------------------------------------------------------------- 4. uncertainty
def fan_chart(
    pathways: pd.DataFrame,
    variable: str = "co2_t",
    run: str = "run",
    by: str | None = "zone_id",
    ids: Iterable[str] | None = None,
    percentiles: Sequence[tuple[float, float]] = ((5, 95), (25, 75)),
    lang: str = "en",
    stamp: Mapping | None = None,
) -> Figure:
    """Percentile bands across runs of a batch: median line, 25–75 and 5–95 bands.

    ``pathways`` is a batch's pathways (city-year rows) with a ``run`` column identifying
    the replication/sample. Additive variables are summed to ``by`` (zone, or ``None`` for
    all zones) per run and year before the percentiles are taken; shares and intensities
    must be given already aggregated (one row per run, group and year).
    """
    lang = _use_lang(lang)
    keys = [run, "year"] + ([by] if by else [])
    add = variable.startswith(
        ("gdp_", "final_", "energy_total", "energy_counted_total", "co2_t", "coal_tce", "cap_")
    )
    agg = pathways.groupby(keys, as_index=False)[variable].sum() if add else pathways[keys + [variable]]
    scale = _SCALE.get(variable, 1.0)
    label = INDICATORS.get(variable, (variable, None))[0]
    groups = [None] if not by else (sorted(agg[by].unique()) if ids is None else list(ids))
    names = zone_names(lang) if by == "zone_id" else city_names(lang) if by == "city_id" else {}
    fig, axes = _grid(len(groups), ncol=4, w=3.4, h=2.6, sharex=True)
    shades = ["0.85", "0.6", "0.45"]
    for ax, g in zip(axes.flat, groups, strict=False):
        sub = agg if g is None else agg[agg[by] == g]
        q = sub.groupby("year")[variable]
        for k, (lo, hi) in enumerate(percentiles):
            ax.fill_between(
                q.quantile(lo / 100).index,
                q.quantile(lo / 100) * scale,
                q.quantile(hi / 100) * scale,
                color=shades[k % 3],
                lw=0,
                label=f"{lo:g}–{hi:g}th percentile",
            )
        med = q.median()
        ax.plot(med.index, med * scale, color="black", lw=1.5, label="median")
        ax.set_title("all zones" if g is None else names.get(g, g).replace("\n", " "), fontsize=8)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=7)
    for ax in axes[:, 0]:
        ax.set_ylabel(label, fontsize=7)
    for ax in axes[-1, :]:
        ax.set_xlabel("year", fontsize=7)
    axes.flat[0].legend(fontsize=6, loc="best")
    n = pathways[run].nunique()
    return _finish(
        fig,
        f"Uncertainty of {label.split(',')[0]}: percentile bands over {n} runs",
        _source(stamp, "batch of runs (see its sample definition)"),
    )


def sensitivity_figure(indices: pd.DataFrame, output: str = "", stamp: Mapping | None = None) -> Figure:
    """Horizontal bars of sensitivity indices per parameter, with confidence intervals.

    Sobol: columns ``parameter``, ``S1``, ``ST`` (optional ``S1_conf``, ``ST_conf``).
    Morris: columns ``parameter``, ``mu_star``, ``sigma`` (optional ``mu_star_conf``).
    Parameters are sorted by total (ST) or mu_star.
    """
    if {"S1", "ST"} <= set(indices.columns):
        pairs, method, xlabel = (
            [("ST", "total order ST"), ("S1", "first order S1")],
            "Sobol",
            "Sobol index, 1",
        )
    elif {"mu_star", "sigma"} <= set(indices.columns):
        pairs, method, xlabel = (
            [("mu_star", "μ* (mean |elementary effect|)"), ("sigma", "σ")],
            "Morris",
            (f"elementary effect, units of {output or 'the output'}"),
        )
    else:
        raise ValueError("indices need columns S1, ST (Sobol) or mu_star, sigma (Morris)")
    df = indices.sort_values(pairs[0][0])
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(df) + 2.0))
    y = np.arange(len(df))
    h = 0.38
    for k, (col, lab) in enumerate(pairs):
        conf = df.get(f"{col}_conf")
        ax.barh(
            y + (0.5 - k) * h,
            df[col],
            h,
            color=GREYS[1 + 2 * k],
            hatch=HATCHES[k],
            edgecolor="black",
            lw=0.5,
            xerr=conf,
            capsize=2,
            label=lab,
        )
    ax.set_yticks(y, df["parameter"], fontsize=8)
    ax.set_xlabel(xlabel)
    ax.axvline(0, color="black", lw=0.6)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="lower right")
    title = f"{method} sensitivity indices" + (f" of {output}" if output else "")
    return _finish(fig, title, _source(stamp, "SALib"))


# ---------------------------------------------------------------------------- 5. overview
def zone_map(
    table: pd.DataFrame | Results,
    value: str = "gap_pp",
    lang: str = "en",
    stamp: Mapping | None = None,
) -> Figure:
    """A map-like overview: every city at its lat/lon, coloured by its zone's ``value`` (default the
    2025 energy-intensity gap, pp); zones meeting their target drawn as open markers.

    ``table`` is a per-zone table with ``zone_id`` and ``value`` (e.g. one scenario of
    :func:`zonesim.report.compare.comparison_table`) or a Results (its final-year gap is used).
    """
    lang = _use_lang(lang)
    if isinstance(table, Results):
        stamp = table.stamp
        s = table.summary()
        table = pd.DataFrame({"zone_id": s["zone"], "gap_pp": s["gap pp"]})
    cities = _metadata()[1]
    vals = table.set_index("zone_id")[value]
    c = cities[cities["zone_id"].isin(vals.index)].copy()
    c["v"] = c["zone_id"].map(vals)
    fig, ax = plt.subplots(figsize=(12.0, 6.6))
    vmax = max(float(c["v"].max()), 1.0)
    rest = cities[~cities["zone_id"].isin(vals.index)]
    if len(rest):
        ax.scatter(
            rest["lon"], rest["lat"], s=12, color="0.75", marker=".", label="not in this run", zorder=2
        )
    pad = 1.5
    ax.set_xlim(cities["lon"].min() - pad, cities["lon"].max() + pad)
    ax.set_ylim(cities["lat"].min() - pad, cities["lat"].max() + pad)
    met = c[c["v"] <= 0]
    miss = c[c["v"] > 0]
    ax.scatter(
        met["lon"],
        met["lat"],
        s=60,
        facecolor="white",
        edgecolor="black",
        marker="o",
        label="target met",
        zorder=3,
    )
    sc = ax.scatter(
        miss["lon"],
        miss["lat"],
        s=90,
        c=miss["v"],
        cmap="cividis_r",
        vmin=0,
        vmax=vmax,
        edgecolor="black",
        marker="s",
        label="target missed",
        zorder=3,
    )
    names = zone_names(lang)
    for zone, g in c.groupby("zone_id"):
        ax.annotate(
            zone,
            (g["lon"].mean(), g["lat"].mean()),
            xytext=(5, 4),
            textcoords="offset points",
            fontsize=7,
            fontweight="bold",
        )
        if len(g) > 1:
            ax.plot(g["lon"], g["lat"], color="0.6", lw=0.6, zorder=1)
    cbar = fig.colorbar(sc, ax=ax)
    cbar.set_label(f"{value.replace('_', ' ')} (2025 energy-intensity target gap, pp)", fontsize=8)
    ax.set_xlabel("longitude, °E")
    ax.set_ylabel("latitude, °N")
    ax.set_aspect(1 / np.cos(np.radians(35)))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    key = "\n".join(
        f"{names.get(z, z).replace(chr(10), ' ')}" + (f": {vals[z]:.1f} pp" if vals[z] > 0 else ": met")
        for z in sorted(vals.index)
    )
    fig.text(0.70, 0.5, key, fontsize=6.5, va="center", ha="left")
    return _finish(
        fig,
        "Demonstration zones by location, coloured by 2025 target gap",
        _source(stamp, "city coordinates: calibration/data/cities.csv; " + SOURCE_TARGETS),
        right=0.70,
    )
