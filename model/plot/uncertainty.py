"""Uncertainty over a batch: percentile fans over runs and sensitivity indices (Sobol, Morris)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from zonesim.plot import base
from zonesim.plot.base import GREYS, HATCHES, INDICATORS, city_names, zone_names


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
    lang = base.use_lang(lang)
    keys = [run, "year"] + ([by] if by else [])
    add = variable.startswith(
        ("gdp_", "final_", "energy_total", "energy_counted_total", "co2_t", "coal_tce", "cap_")
    )
    agg = pathways.groupby(keys, as_index=False)[variable].sum() if add else pathways[keys + [variable]]
    scale = base.SCALE.get(variable, 1.0)
    label = INDICATORS.get(variable, (variable, None))[0]
    groups = [None] if not by else (sorted(agg[by].unique()) if ids is None else list(ids))
    names = zone_names(lang) if by == "zone_id" else city_names(lang) if by == "city_id" else {}
    fig, axes = base.panel_grid(len(groups), ncol=4, w=3.4, h=2.6, sharex=True)
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
    return base.finish(
        fig,
        f"Uncertainty of {label.split(',')[0]}: percentile bands over {n} runs",
        base.source_line(stamp, "batch of runs (see its sample definition)"),
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
    return base.finish(fig, title, base.source_line(stamp, "SALib"))
