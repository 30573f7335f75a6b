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
def salib_problem(exp: Experiment) -> dict[str, Any]:
    """The SALib problem of the experiment's uncertain inputs, in their own units.

    ``bounds`` are each input's range: its bounds, or for an unbounded distribution the
    0.1 %-99.9 % quantiles it is sampled within.
    """
    names = list(exp.uncertain)
    bounds = [[float(u.ppf(0.0)), float(u.ppf(1.0))] for u in exp.uncertain.values()]
    return {"num_vars": len(names), "names": names, "bounds": bounds}


def sensitivity(
    data: BatchData, outputs: list[str] | None = None, level: str = "all", region: str = "all", seed: int = 0
) -> pd.DataFrame:
    """Morris or Sobol indices (SALib) of chosen outputs, per mix and grid cell.

    Outputs are metrics of ``level``/``region`` (default all zones together), averaged over
    replications at each design point. Returns a tidy table: mix, cell, output, input, and
    the indices as SALib names them (Sobol: S1, S1_conf, ST, ST_conf; Morris: mu, mu_star,
    mu_star_conf, sigma). SALib's conventions hold: the problem is given in the inputs' own
    units (:func:`salib_problem`) with the design matrix in those units, so Morris elementary
    effects are changes of the output (in its units) per step of Delta = levels / (2 (levels -
    1)) of each input's range, inputs with a non-uniform distribution stepping through its
    quantiles, as SALib's ``dists`` do.
    """
    from SALib.analyze import morris, sobol
    from zonesim.batch.design import unit_sample, values_of

    exp = data.experiment
    method = exp.design.method
    if method not in ("morris", "sobol"):
        raise ValueError(f"experiment {exp.name!r} has design {method!r}; indices need 'morris' or 'sobol'")
    outputs = outputs or list(exp.outputs.sensitivity)
    problem = salib_problem(exp)
    x = values_of(exp, unit_sample(exp))
    m = data.metrics[(data.metrics["level"] == level) & (data.metrics["region"] == region)]
    unknown = [o for o in outputs if o not in m.columns]
    if unknown:
        raise ValueError(f"unknown output(s) {unknown}; metrics: {sorted(m.columns)}")
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
OPS = {"<=": np.less_equal, "<": np.less, ">=": np.greater_equal, ">": np.greater}


def success(
    data: BatchData,
    level: str | None = None,
    outcome: str = "met",
    threshold: float | None = None,
    op: str | None = None,
    region: str | None = None,
) -> pd.DataFrame:
    """Per design point: its inputs and the share of replications that succeed.

    A run succeeds when ``outcome`` (a metric, e.g. ``co2_cum_t``) compares to ``threshold`` by
    ``op`` (``<=``, ``<``, ``>=``, ``>``) in every region of ``level`` (``all``: all zones
    together; ``zone``: every zone; ``city``: every city), or only in ``region`` if given. The
    default outcome ``met`` (targets met) succeeds when it is 1.
    """
    level = level or data.experiment.outputs.discovery.level
    if outcome == "met":
        threshold = 1.0 if threshold is None else threshold
        op = op or ">="
    if threshold is None:
        raise ValueError(f"outcome {outcome!r} needs a threshold (e.g. threshold=1.5e9, op='<=')")
    op = op or "<="
    if op not in OPS:
        raise ValueError(f"op {op!r}: expected one of {list(OPS)}")
    m = data.metrics[data.metrics["level"] == level]
    if region is not None:
        m = m[m["region"] == region]
    if outcome not in m.columns:
        raise ValueError(
            f"unknown outcome {outcome!r}; metrics: {sorted(c for c in m.columns if c not in KEYS)}"
        )
    ok = OPS[op](m[outcome].astype(float).to_numpy(), threshold)
    per_run = pd.Series(ok, index=m.index).groupby(m["run_id"]).all().rename("success")
    runs = data.manifest[data.manifest["status"] == "done"].set_index("run_id")
    runs = runs.join(per_run, how="inner")
    inputs = [c for c in runs.columns if c.startswith("p:")]
    share = runs.groupby(["mix", "cell", "point"])["success"].mean().rename("success_share")
    x = runs.groupby(["mix", "cell", "point"])[inputs].first()
    out = x.join(share).reset_index()
    if outcome == "met":
        out["met_share"] = out["success_share"]
    return out


def discover(
    data: BatchData,
    outcome: str = "met",
    threshold: float | None = None,
    op: str | None = None,
    share: float | None = None,
    density: float | None = None,
    level: str | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """PRIM (ema_workbench) on lever and uncertainty space: where does an outcome succeed?

    As in the EMA Workbench, the user chooses the outcome and its threshold: a run succeeds
    when ``outcome`` ``op`` ``threshold`` holds (e.g. ``outcome="co2_cum_t", threshold=1.5e9,
    op="<="``; default: the targets are met), see :func:`success`. A design point counts as a
    case of interest when at least ``share`` of its replications succeed. ``density`` is PRIM's
    density threshold (``Prim(..., threshold=)`` in ema_workbench; default from the experiment).
    Returns ``points`` (inputs, success_share, reached), ``box`` (min/max of each restricted
    input; mix as the set of mixes), ``stats`` (coverage, density, mass, res_dim) and
    ``trajectory`` (the peeling trajectory).
    """
    cfg = data.experiment.outputs.discovery
    share = cfg.share if share is None else share
    density = cfg.threshold if density is None else density
    pts = success(data, level, outcome=outcome, threshold=threshold, op=op, region=region)
    pts["reached"] = pts["success_share"] >= share
    x = pts[[c for c in pts.columns if c.startswith("p:")]].copy()
    if pts["mix"].nunique() > 1:
        x["mix"] = pd.Categorical(pts["mix"])
    for c in list(x.columns):
        if c != "mix" and not pd.api.types.is_numeric_dtype(x[c]):
            x[c] = pd.Categorical(x[c].map(lambda v: json.dumps(v) if not isinstance(v, str) else v))
    x = x[[c for c in x.columns if x[c].nunique() > 1]]
    what = "the targets are met" if outcome == "met" else f"{outcome} {op or '<='} {threshold:g}"
    out: dict[str, Any] = {"points": pts, "share": share, "outcome": what}
    y = pts["reached"].to_numpy()
    if x.shape[1] == 0 or y.all() or not y.any():
        out.update(
            box=None,
            stats=None,
            trajectory=None,
            message=f"{int(y.sum())} of {len(y)} points where {what}; nothing for PRIM to separate",
        )
        return out
    prim = _quiet_prim()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p = prim.Prim(x.reset_index(drop=True), y, threshold=density)
        box = p.find_box()
    lims = box.box_lims[box._cur_box]
    init = box.box_lims[0]
    restricted = [c for c in lims.columns if not lims[c].equals(init[c])]
    out["box"] = lims[restricted].T.rename(columns={0: "min", 1: "max"}) if restricted else lims.T
    out["stats"] = box.peeling_trajectory.iloc[box._cur_box].to_dict()
    out["trajectory"] = box.peeling_trajectory
    out["message"] = (
        f"{int(y.sum())} of {len(y)} points where {what} in >= {share:.0%} of replications; "
        f"box: coverage {out['stats']['coverage']:.2f}, density {out['stats']['density']:.2f}"
    )
    return out


def _quiet_prim():
    """ema_workbench's prim module, imported without its import-time warnings and INFO logging."""
    import logging

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from ema_workbench.analysis import prim
    for name in ("EMA", "ema_workbench"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return prim
