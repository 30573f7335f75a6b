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

# No backend is forced here: in Jupyter the inline backend shows each figure, in a script
# without a display matplotlib picks Agg by itself, and MPLBACKEND still chooses explicitly.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from zonesim.results import Results
from zonesim.units import KILO, MEGA

GREYS = ["0.05", "0.35", "0.55", "0.75", "0.9"]
HATCHES = ["", "//", "..", "xx", "\\\\", "oo", "++", "--", "||", "**"]
LINESTYLES = ["-", "--", "-.", ":", (0, (5, 1)), (0, (3, 1, 1, 1, 1, 1))]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]

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


def _year_ticks(fig: Figure) -> None:
    """Whole years on every axis labelled with years (no 2021.5)."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        if "year" in ax.get_xlabel():
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def _finish(fig: Figure, title: str, source: str, top: float = 0.93, right: float = 1.0) -> Figure:
    _year_ticks(fig)
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
    return _finish(fig, title, _source(stamp, SOURCE_TARGETS))


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
    """Zones x scenarios: the final-year gap to the energy-intensity target (percentage points).

    ``table`` has columns ``scenario``, ``zone_id`` and ``value`` (e.g. from
    :func:`zonesim.report.compare.comparison_table`). The gap is change minus target: negative
    is headroom (the target is beaten by that much), positive a miss. Colours diverge around 0
    (blue headroom, orange miss) and every cell carries its signed value, so the figure reads in
    grey scale too.
    """
    from matplotlib.colors import TwoSlopeNorm

    lang = _use_lang(lang)
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
    return _finish(
        fig,
        "Energy-intensity change minus 2025 target, by zone and lever mix",
        _source(stamp, SOURCE_TARGETS),
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
    return _finish(
        fig,
        title,
        _source(stamp, "cost = annualised capex, O&M, fuel, carbon, imports; bars: 5th-95th pct over seeds"),
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
    fig, axes = _grid(len(variables), ncol=len(variables), w=4.6, h=3.6)
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
    _year_ticks(fig)
    fig.suptitle("Scenarios compared: all simulated cities together", fontsize=11)
    fig.text(0.01, 0.005, _source(stamp, "band: min-max over seeds"), fontsize=7, color="0.3")
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
    fig, axes = _grid(len(cols), ncol=3, w=4.3, h=3.3)
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
    return _finish(
        fig,
        "Marginal cost of the targets\n(LP duals: line = mean over cities, dash = maximum)",
        _source(stamp, "planner LP duals, constant 2020 CNY; city-years with slack left out"),
        top=0.86,
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
    The parameter column may also be ``input`` (as :func:`zonesim.batch.sensitivity` returns
    it) or ``names`` (as SALib's ``to_df`` does); a table with an ``output`` column must be
    filtered to one output, or ``output`` names the one to draw. Parameters are sorted by total
    (ST) or mu_star.
    """
    indices = indices.copy()
    if "output" in indices.columns:
        outputs = list(dict.fromkeys(indices["output"]))
        if output and output in outputs:
            indices = indices[indices["output"] == output]
        elif len(outputs) > 1:
            raise ValueError(f"indices hold several outputs {outputs}; pass output= one of them")
        output = output or outputs[0]
    for alias in ("input", "names"):
        if "parameter" not in indices.columns and alias in indices.columns:
            indices = indices.rename(columns={alias: "parameter"})
    if "parameter" not in indices.columns and indices.index.name is None and indices.index.dtype == object:
        indices = indices.rename_axis("parameter").reset_index()
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
@functools.cache
def province_outlines() -> np.ndarray | None:
    """Province boundaries of China as one (n, 2) lon/lat array, rings separated by NaN rows.

    From ``calibration/data/china_provinces.geojson`` (Natural Earth 1:50m admin-1, public
    domain; see ``calibration/data/SOURCES-boundaries.md``); None when the file is missing.
    """
    import json

    from zonesim.data import default_data_dir

    path = default_data_dir() / "china_provinces.geojson"
    if not path.exists():
        return None
    parts = []
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        for polygon in feature["geometry"]["coordinates"]:
            for ring in polygon:
                parts += [np.asarray(ring, dtype=float), np.full((1, 2), np.nan)]
    return np.vstack(parts) if parts else None


def zone_map(
    table: pd.DataFrame | Results,
    value: str = "gap_pp",
    lang: str = "en",
    stamp: Mapping | None = None,
) -> Figure:
    """The zones on a map of China's provinces: every city at its lat/lon, coloured by its zone's
    ``value`` (default the energy-intensity gap, change minus target in pp: > 0 missed, <= 0
    met, the headroom given in the key); zones meeting their target drawn as open markers.

    ``table`` is a per-zone table with ``zone_id`` and ``value`` (e.g. one scenario of
    :func:`zonesim.report.compare.comparison_table`) or a Results (its final-year gap is used).
    """
    lang = _use_lang(lang)
    if isinstance(table, Results):
        stamp = table.stamp
        z = table.zones()
        z = z[z["year"] == z["year"].max()]
        table = pd.DataFrame(
            {"zone_id": z["zone_id"], "gap_pp": z["intensity_change_pct"] - z["intensity_target_pct"]}
        )
    cities = _metadata()[1]
    vals = table.set_index("zone_id")[value]
    c = cities[cities["zone_id"].isin(vals.index)].copy()
    c["v"] = c["zone_id"].map(vals)
    from matplotlib.colors import TwoSlopeNorm

    fig, ax = plt.subplots(figsize=(11.5, 7.6))
    outlines = province_outlines()
    if outlines is not None:
        ax.plot(outlines[:, 0], outlines[:, 1], color="0.55", lw=0.5, zorder=1, label="province boundaries")
    top = max(float(c["v"].abs().max()), 1.0)
    norm = TwoSlopeNorm(vmin=-top, vcenter=0.0, vmax=top)
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
    style = {"cmap": "PuOr_r", "norm": norm, "edgecolor": "black", "zorder": 3}
    sc = ax.scatter(met["lon"], met["lat"], s=70, c=met["v"], marker="o", label="target met", **style)
    if len(miss):
        sc = ax.scatter(
            miss["lon"], miss["lat"], s=100, c=miss["v"], marker="s", lw=1.6, label="target missed", **style
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
    cbar.set_label("change minus target, pp (< 0: headroom, > 0: missed)", fontsize=8)
    ax.set_xlabel("longitude, °E")
    ax.set_ylabel("latitude, °N")
    ax.set_aspect(1 / np.cos(np.radians(35)))
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="lower right")
    key = "\n".join(
        f"{names.get(z, z).replace(chr(10), ' ')}"
        + (f": missed by {vals[z]:.1f} pp" if vals[z] > 0 else f": met, {-vals[z]:.1f} pp headroom")
        for z in sorted(vals.index)
    )
    fig.text(0.66, 0.5, key, fontsize=7, va="center", ha="left")
    return _finish(
        fig,
        "Demonstration zones: energy-intensity change against the 2025 target",
        _source(
            stamp,
            "city coordinates: calibration/data/cities.csv; province boundaries: Natural Earth "
            "(public domain); " + SOURCE_TARGETS,
        ),
        right=0.66,
    )
