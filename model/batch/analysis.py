"""Read a batch store and analyse it: lever comparison, Morris/Sobol indices, PRIM discovery."""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from zonesim.batch.experiment import Experiment
from zonesim.batch.store import Store

KEYS = ["run_id", "mix", "cell", "point", "replication", "seed"]


@dataclass
class BatchData:
    """Tidy tables of a batch store; every table has run_id, mix, cell, point, replication, seed
    and one ``p:<name>`` column per varied input (grid path or uncertain input)."""

    path: Path
    experiment: Experiment
    manifest: pd.DataFrame
    metrics: pd.DataFrame
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)  # corrupt runs and unreadable files left out

    @property
    def inputs(self) -> list[str]:
        """The varied-input columns (``p:<name>``)."""
        return [c for c in self.manifest.columns if c.startswith("p:")]

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)


def load(path: str | Path, tables: tuple[str, ...] | None = None) -> BatchData:
    """Load a batch store: manifest (all runs) and tables of the finished runs.

    ``tables``: which run tables to read besides metrics (default: all kept by the experiment).
    Corrupt runs (a result file missing, truncated or changed since it was written) and files
    that cannot be read are left out, listed in ``BatchData.skipped`` and reported by a warning;
    rerunning the batch repairs them.
    """
    store = Store(path)
    info = store.info()
    exp = Experiment.model_validate(info["experiment"])
    manifest = store.compact()
    done = set(manifest.loc[manifest["status"] == "done", "run_id"])
    keys = manifest[KEYS + [c for c in manifest.columns if c.startswith("p:")]]

    def read(name: str) -> pd.DataFrame:
        df = store.read_table(name, done)
        return keys.merge(df, on="run_id", how="inner")

    names = tables if tables is not None else tuple(exp.outputs.tables)
    metrics = read("metrics")
    others = {n: read(n) for n in names}
    corrupt = manifest[manifest["status"] == "corrupt"]
    skipped = [f"run {r.run_id}: {r.error}" for r in corrupt.itertuples()] + store.unreadable
    if skipped:
        warnings.warn(
            f"{store.path}: {len(skipped)} corrupt run(s) or unreadable file(s) skipped "
            f"(rerun the batch to repair them): {'; '.join(skipped[:3])}"
            + (" ..." if len(skipped) > 3 else ""),
            stacklevel=2,
        )
    return BatchData(
        path=store.path,
        experiment=exp,
        manifest=manifest,
        metrics=metrics,
        tables=others,
        skipped=skipped,
    )


def status_text(path: str | Path) -> str:
    """A short summary of a store: counts by status, time, failures, versions."""
    store = Store(path)
    info = store.info()
    m = store.compact()
    counts = m["status"].value_counts().reindex(["done", "failed", "pending", "corrupt"], fill_value=0)
    wall = m.loc[m["status"] == "done", "wall_s"].astype(float)
    lines = [
        f"experiment {info['name']!r} (hash {info['experiment_hash']}) in {store.path}",
        f"runs: {len(m)} planned, {counts['done']} done, {counts['failed']} failed, "
        f"{counts['pending']} pending, {counts['corrupt']} corrupt",
    ]
    if len(wall):
        lines.append(
            f"run wall time: mean {wall.mean():.1f} s, max {wall.max():.1f} s, "
            f"total {wall.sum() / 60:.1f} min"
        )
    by_mix = m.pivot_table(index="mix", columns="status", values="run_id", aggfunc="count", fill_value=0)
    lines.append("by mix:\n" + by_mix.to_string())
    versions = sorted({v for v in m["code_version"].dropna()})
    if versions:
        lines.append(
            f"code versions: {', '.join(versions)}" + ("  (more than one!)" if len(versions) > 1 else "")
        )
    failed = m[m["status"] == "failed"]
    for r in failed.head(10).itertuples():
        first = str(r.error).splitlines()[0] if r.error else ""
        lines.append(f"  failed {r.run_id} (mix {r.mix}, seed {r.seed}): {first}")
    if len(failed) > 10:
        lines.append(f"  ... and {len(failed) - 10} more failed runs (see manifest.parquet)")
    corrupt = m[m["status"] == "corrupt"]
    for r in corrupt.head(10).itertuples():
        lines.append(f"  corrupt {r.run_id} (mix {r.mix}, seed {r.seed}): {r.error}")
    if len(corrupt) > 10:
        lines.append(f"  ... and {len(corrupt) - 10} more corrupt runs (see manifest.parquet)")
    if counts["failed"] or counts["pending"] or counts["corrupt"]:
        lines.append("rerun the same `zonesim batch` command to run failed, pending and corrupt runs")
    return "\n".join(lines)


# ---------------------------------------------------------------- lever comparison
COMPARE = ["met", "gap_pp", "intensity_change_pct", "cost_cum_bn", "co2_cum_t", "coal_end_tce"]


def compare(
    data: BatchData, level: str = "zone", quantiles: tuple[float, float] = (0.05, 0.95)
) -> pd.DataFrame:
    """Lever comparison table: per mix (and grid point) and region, aggregated over replications.

    ``met`` is the share of replications meeting the target; other metrics are given as mean,
    standard deviation and the ``quantiles`` across replications (and sampled inputs, if any).
    ``marginal_*`` columns (the dual of each target, planner units) are included when present.
    ``level``: ``city``, ``zone`` or ``all``.
    """
    m = data.metrics[data.metrics["level"] == level]
    if m.empty:
        raise ValueError(f"no finished runs with level {level!r} in {data.path}")
    grid = [f"p:{k}" for k in data.experiment.grid]
    by = ["mix", *grid, "region"] + (["zone_id"] if level == "city" else [])
    cols = COMPARE + [c for c in m.columns if c.startswith("marginal_")]
    lo, hi = quantiles
    g = m.groupby(by, dropna=False)
    parts = {"n": g.size()}
    for c in cols:
        if c == "met":
            parts["met_share"] = g[c].mean()
            continue
        parts[f"{c}_mean"] = g[c].mean()
        parts[f"{c}_sd"] = g[c].std(ddof=1)
        parts[f"{c}_p{int(lo * 100):02d}"] = g[c].quantile(lo)
        parts[f"{c}_p{int(hi * 100):02d}"] = g[c].quantile(hi)
    return pd.DataFrame(parts).reset_index()


# -------------------------------------------------------------------- sensitivity
def _unit_x(exp: Experiment) -> np.ndarray:
    from zonesim.batch.design import unit_sample

    return unit_sample(exp)


def sensitivity(
    data: BatchData, outputs: list[str] | None = None, level: str = "all", region: str = "all", seed: int = 0
) -> pd.DataFrame:
    """Morris or Sobol indices (SALib) of chosen outputs, per mix and grid cell.

    Outputs are metrics of ``level``/``region`` (default all zones together), averaged over
    replications at each design point. Returns a tidy table: mix, cell, output, input, and
    the indices (Sobol: S1, S1_conf, ST, ST_conf; Morris: mu, mu_star, mu_star_conf, sigma).
    Inputs are in quantile space (Morris effects per unit quantile).
    """
    from SALib.analyze import morris, sobol
    from zonesim.batch.design import unit_problem

    exp = data.experiment
    method = exp.design.method
    if method not in ("morris", "sobol"):
        raise ValueError(f"experiment {exp.name!r} has design {method!r}; indices need 'morris' or 'sobol'")
    outputs = outputs or list(exp.outputs.sensitivity)
    problem = unit_problem(exp)
    x = _unit_x(exp)
    m = data.metrics[(data.metrics["level"] == level) & (data.metrics["region"] == region)]
    rows = []
    for (mix, cell), g in m.groupby(["mix", "cell"]):
        y_all = g.groupby("point")[outputs].mean().reindex(range(len(x)))
        missing = y_all.index[y_all.isna().any(axis=1)]
        if len(missing):
            raise ValueError(
                f"mix {mix!r}: {len(missing)} of {len(x)} design points have no finished run "
                f"(e.g. point {int(missing[0])}); rerun the batch to complete the store"
            )
        for out in outputs:
            y = y_all[out].to_numpy(dtype=float)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                if method == "sobol":
                    res = sobol.analyze(problem, y, calc_second_order=exp.design.second_order, seed=seed)
                    keys = ["S1", "S1_conf", "ST", "ST_conf"]
                else:
                    res = morris.analyze(problem, x, y, num_levels=exp.design.levels, seed=seed)
                    keys = ["mu", "mu_star", "mu_star_conf", "sigma"]
            for j, name in enumerate(problem["names"]):
                rows.append(
                    {
                        "mix": mix,
                        "cell": cell,
                        "output": out,
                        "input": name,
                        **{k: float(res[k][j]) for k in keys},
                    }
                )
    return pd.DataFrame(rows)


# --------------------------------------------------------------- scenario discovery
def success(data: BatchData, level: str | None = None) -> pd.DataFrame:
    """Per design point: its inputs and the share of replications in which the targets are met.

    ``level``: ``all`` (all zones together), ``zone`` (every zone) or ``city`` (every city).
    """
    level = level or data.experiment.outputs.discovery.level
    m = data.metrics[data.metrics["level"] == level]
    per_run = m.groupby("run_id")["met"].min().rename("met")  # every region met
    runs = data.manifest[data.manifest["status"] == "done"].set_index("run_id")
    runs = runs.join(per_run, how="inner")
    inputs = [c for c in runs.columns if c.startswith("p:")]
    share = runs.groupby(["mix", "cell", "point"])["met"].mean().rename("met_share")
    x = runs.groupby(["mix", "cell", "point"])[inputs].first()
    return x.join(share).reset_index()


def discover(
    data: BatchData, share: float | None = None, threshold: float | None = None, level: str | None = None
) -> dict[str, Any]:
    """PRIM (ema_workbench) on lever and uncertainty space: where do the targets hold?

    A design point "reaches the targets" when they are met in at least ``share`` of its
    replications. Returns ``points`` (inputs, met_share, reached), ``box`` (min/max of each
    restricted input; mix as the set of mixes), ``stats`` (coverage, density, mass, res_dim)
    and ``trajectory`` (the peeling trajectory).
    """
    from ema_workbench.analysis import prim

    cfg = data.experiment.outputs.discovery
    share = cfg.share if share is None else share
    threshold = cfg.threshold if threshold is None else threshold
    pts = success(data, level)
    pts["reached"] = pts["met_share"] >= share
    x = pts[[c for c in pts.columns if c.startswith("p:")]].copy()
    if pts["mix"].nunique() > 1:
        x["mix"] = pd.Categorical(pts["mix"])
    for c in list(x.columns):
        if c != "mix" and not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = pd.Categorical(x[c].map(lambda v: json.dumps(v) if not isinstance(v, str) else v))
    x = x[[c for c in x.columns if x[c].nunique() > 1]]
    out: dict[str, Any] = {"points": pts, "share": share}
    y = pts["reached"].to_numpy()
    if x.shape[1] == 0 or y.all() or not y.any():
        out.update(
            box=None,
            stats=None,
            trajectory=None,
            message=f"{int(y.sum())} of {len(y)} points reach the targets; nothing for PRIM to separate",
        )
        return out
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x.reset_index(drop=True), y, threshold=threshold)
        box = p.find_box()
    lims = box.box_lims[box._cur_box]
    init = box.box_lims[0]
    restricted = [c for c in lims.columns if not lims[c].equals(init[c])]
    out["box"] = lims[restricted].T.rename(columns={0: "min", 1: "max"}) if restricted else lims.T
    out["stats"] = box.peeling_trajectory.iloc[box._cur_box].to_dict()
    out["trajectory"] = box.peeling_trajectory
    out["message"] = (
        f"{int(y.sum())} of {len(y)} points reach the targets in >= {share:.0%} of replications; "
        f"box: coverage {out['stats']['coverage']:.2f}, density {out['stats']['density']:.2f}"
    )
    return out
