"""The overview: the zones on a map of China's provinces, coloured by their target gap."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from zonesim.plot import base
from zonesim.plot.base import SOURCE_TARGETS, zone_names
from zonesim.results import Results


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
    lang = base.use_lang(lang)
    if isinstance(table, Results):
        stamp = table.stamp
        z = table.zones()
        z = z[z["year"] == z["year"].max()]
        table = pd.DataFrame(
            {"zone_id": z["zone_id"], "gap_pp": z["intensity_change_pct"] - z["intensity_target_pct"]}
        )
    cities = base.metadata()[1]
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
    return base.finish(
        fig,
        "Demonstration zones: energy-intensity change against the 2025 target",
        base.source_line(
            stamp,
            "city coordinates: calibration/data/cities.csv; province boundaries: Natural Earth "
            "(public domain); " + SOURCE_TARGETS,
        ),
        right=0.66,
    )
