"""Figures from the tidy result tables (matplotlib; each function returns a Figure)."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from zonesim.results import Results  # noqa: E402


def pathways_figure(results: Results, variable: str = "intensity_change_pct") -> Figure:
    """Small multiples by zone: the projected change of energy intensity vs 2020 and the target.

    The dashed line is the zone's 2025 target (GDP-weighted over its cities); the marker is
    the straight path to it that the annual evaluation measures against.
    """
    zones = results.zones()
    ids = sorted(zones["zone_id"].unique())
    ncol = 5
    nrow = -(-len(ids) // ncol)
    fig, axes = plt.subplots(
        nrow, ncol, figsize=(3.0 * ncol, 2.4 * nrow), sharex=True, sharey=True, squeeze=False
    )
    for ax, zone in zip(axes.flat, ids, strict=False):
        z = zones[zones["zone_id"] == zone].sort_values("year")
        ax.plot(z["year"], z[variable], color="black", marker="o", ms=3, label="projected")
        target = float(z["intensity_target_pct"].iloc[0])
        ax.axhline(target, color="0.4", ls="--", lw=1, label="2025 target")
        ax.plot(
            [z["year"].min(), z["year"].max()],
            [0, target],
            color="0.6",
            ls=":",
            lw=1,
            label="straight path",
        )
        ax.set_title(zone, fontsize=9)
        ax.grid(alpha=0.3)
    for ax in axes.flat[len(ids) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("energy intensity\nchange vs 2020, %", fontsize=8)
    axes.flat[0].legend(fontsize=7, loc="lower left")
    stamp = results.stamp
    fig.suptitle(
        f"Energy intensity pathways by zone — scenario '{stamp.get('scenario', '')}' "
        f"(accounting rule as in the scenario)",
        fontsize=11,
    )
    fig.text(
        0.01,
        0.005,
        f"Source: zonesim {stamp.get('code_version', '')}, data {stamp.get('data_version', '')}; "
        "targets: calibration/data/city_targets.csv",
        fontsize=7,
        color="0.3",
    )
    fig.tight_layout(rect=(0, 0.02, 1, 0.96))
    return fig
