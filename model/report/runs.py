"""The runs a comparison reads: run a scenario or reuse its stored results, read a batch store
(every seed of every lever mix) or folders of single runs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from zonesim.results import Results, code_version
from zonesim.scenario import Scenario, load_scenario


def load_or_run(scenario: Scenario, run_dir: Path, base: Any = None, log=print) -> Results:
    """Results of ``scenario`` in ``run_dir``: read if the stored stamp matches, else run and write."""
    from zonesim.data import load
    from zonesim.runner import run

    base = base if base is not None else load()
    stamp_file = run_dir / "stamp.json"
    if stamp_file.exists():
        stamp = json.loads(stamp_file.read_text())
        same = (
            stamp.get("scenario_hash") == scenario.hash()
            and stamp.get("data_version") == base.version
            and stamp.get("code_version") == code_version()
        )
        if same:
            log(f"reusing {run_dir} (scenario '{scenario.name}', hash {scenario.hash()})")
            return Results.read(run_dir)
    log(f"running scenario '{scenario.name}' -> {run_dir}")
    return run(scenario, out=run_dir, base=base)


@dataclass
class Case:
    """One scenario (lever mix) of the comparison: its settings and its runs by seed."""

    name: str
    scenario: Scenario | None
    runs: dict[int, Results]


def is_batch_store(path: str | Path) -> bool:
    """A ``zonesim batch`` results store (it has a manifest and an experiment)."""
    p = Path(path)
    return (p / "manifest.jsonl").exists() or (p / "manifest.parquet").exists()


def read_batch_store(store: str | Path) -> dict[str, Case]:
    """Every finished run of a batch store, grouped by lever mix (and grid cell), keyed by seed.

    Needs the ``pathways`` and ``plans`` tables (``outputs.tables`` of the experiment).
    """
    from zonesim.batch.analysis import load
    from zonesim.scenario import _merge

    data = load(store, tables=None)
    missing = [t for t in ("pathways", "plans") if t not in data.tables]
    if missing:
        raise ValueError(
            f"{store}: the batch kept no {', '.join(missing)} table(s); the report needs pathways and "
            "plans (set outputs.tables in the experiment)"
        )
    exp = data.experiment
    mixes = dict(exp.mix_items())
    cells = data.pathways.groupby("mix")["cell"].nunique()
    cases: dict[str, Case] = {}
    inv = data.tables.get("investments", pd.DataFrame())
    drop = ["run_id", "mix", "cell", "point", "replication", "seed", *data.inputs]
    for (mix, cell, point, seed), p in data.pathways.groupby(["mix", "cell", "point", "seed"], sort=False):
        name = mix if cells.get(mix, 1) == 1 else f"{mix}[{cell}]"
        if data.pathways["point"].nunique() > 1:
            name += f"@{point}"
        run_id = p["run_id"].iloc[0]
        plans = data.plans[data.plans["run_id"] == run_id]
        invs = inv[inv["run_id"] == run_id] if len(inv) else inv
        row = data.manifest.set_index("run_id").loc[run_id]
        stamp = {
            "scenario": name,
            "scenario_hash": row.get("scenario_hash", ""),
            "seed": int(seed),
            "data_version": row.get("data_version", ""),
            "code_version": row.get("code_version", ""),
        }
        res = Results(
            pathways=p.drop(columns=[c for c in drop if c in p]).reset_index(drop=True),
            investments=invs.drop(columns=[c for c in drop if c in invs]).reset_index(drop=True),
            plans=plans.drop(columns=[c for c in drop if c in plans]).reset_index(drop=True),
            stamp=stamp,
        )
        if name not in cases:
            mix_def = mixes[mix]
            try:
                sc = load_scenario(exp.path_of(mix_def.scenario), **_merge(exp.settings, mix_def.overrides))
            except (OSError, ValueError):
                sc = None  # the scenario file moved since the batch ran: levers unknown
            cases[name] = Case(name=name, scenario=sc, runs={})
        cases[name].runs[int(seed)] = res
    if not cases:
        raise ValueError(f"{store}: the batch store has no finished runs")
    return cases


def read_store(store: str | Path) -> dict[str, Results]:
    """Single runs below a folder: every folder holding a ``stamp.json`` and tables.

    When several runs share a scenario name (replications) they are named ``<scenario>#<seed>``
    after the first. For a batch store use :func:`read_batch_store`.
    """
    found: dict[str, Results] = {}
    for stamp in sorted(Path(store).rglob("stamp.json")):
        if not (stamp.parent / "pathways.parquet").exists():
            continue
        res = Results.read(stamp.parent)
        name = str(res.stamp.get("scenario", stamp.parent.name))
        if name in found:
            name = f"{name}#{res.stamp.get('seed', stamp.parent.name)}"
        found[name] = res
    if not found:
        raise ValueError(
            f"{store}: no runs found (a zonesim batch store, or folders with stamp.json and pathways.parquet)"
        )
    return found
