"""What every figure shares: palette, indicator labels, zone and city names in English or
Chinese (with the CJK font they need), the source line and the panel grid."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Mapping
from pathlib import Path

# No backend is forced here: in Jupyter the inline backend shows each figure, in a script
# without a display matplotlib picks Agg by itself, and MPLBACKEND still chooses explicitly.
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from zonesim.results import Results
from zonesim.units import MEGA

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
SCALE = {
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


def use_lang(lang: str) -> str:
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
def metadata() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    from zonesim.data import load

    base = load()
    return base.zones.copy(), base.cities.copy(), base.tables["targets"].copy()


def zone_names(lang: str = "en") -> dict[str, str]:
    """Zone id -> display name ("en": English, "zh": Chinese, "both": both on two lines)."""
    zones = metadata()[0]
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
    cities = metadata()[1]
    col = {"en": "name_en", "zh": "name_zh"}.get(lang)
    if col:
        return dict(zip(cities["city_id"], cities[col], strict=True))
    return {
        c: f"{e} {z}" for c, e, z in zip(cities["city_id"], cities["name_en"], cities["name_zh"], strict=True)
    }


def national_target(indicator: str) -> float | None:
    """The national 2025 target of an indicator from targets.csv (value as published), or None."""
    t = metadata()[2]
    row = t[(t["scope"] == "national") & (t["indicator"] == indicator)]
    return float(row["value"].iloc[0]) if len(row) else None


def source_line(stamp: Mapping | None, extra: str = "") -> str:
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


def year_ticks(fig: Figure) -> None:
    """Whole years on every axis labelled with years (no 2021.5)."""
    from matplotlib.ticker import MaxNLocator

    for ax in fig.axes:
        if "year" in ax.get_xlabel():
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))


def finish(fig: Figure, title: str, source: str, top: float = 0.93, right: float = 1.0) -> Figure:
    year_ticks(fig)
    fig.suptitle(title, fontsize=11)
    fig.text(0.01, 0.005, source, fontsize=7, color="0.3", ha="left", va="bottom")
    fig.tight_layout(rect=(0, 0.03, right, top))
    return fig


def zones_table(data: Results | pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    if isinstance(data, Results):
        return data.zones(), data.stamp
    return data, dict(data.attrs.get("stamp", {}))


def with_co2_change(z: pd.DataFrame) -> pd.DataFrame:
    if "co2_intensity_change_pct" in z or "co2_intensity_t_per_10k" not in z:
        return z
    z = z.copy()
    key = "zone_id" if "zone_id" in z else "city_id"
    first = z[z["year"] == z["year"].min()].set_index(key)["co2_intensity_t_per_10k"]
    z["co2_intensity_change_pct"] = 100 * (z["co2_intensity_t_per_10k"] / z[key].map(first) - 1)
    return z


def panel_grid(n: int, ncol: int = 5, w: float = 3.0, h: float = 2.4, **kw) -> tuple[Figure, np.ndarray]:
    ncol = min(ncol, max(n, 1))
    nrow = -(-n // ncol)
    fig, axes = plt.subplots(nrow, ncol, figsize=(w * ncol + 0.6, h * nrow + 0.9), squeeze=False, **kw)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes
