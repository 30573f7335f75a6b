"""Designs: expand an experiment into run specifications (grid, Monte Carlo, Morris, Sobol).

Uncertain inputs are sampled in the unit hypercube (SALib for Morris and Sobol, a seeded numpy
Generator for Monte Carlo) and mapped to their distributions by the inverse CDF. Sobol indices
are invariant under this mapping; Morris elementary effects are per unit of quantile.

Every design point is crossed with every lever mix and grid point, and replicated over seeds
``seed_start + r``: the same seed at every point (common random numbers).
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from zonesim.batch.experiment import Experiment, nest
from zonesim.scenario import _merge, load_scenario


@dataclass(frozen=True)
class RunSpec:
    """Everything a worker needs for one run: plain, picklable values."""

    run_id: str
    index: int
    mix: str
    point: int  # design point within the mix x grid cell (sample row)
    cell: int  # mix x grid cell
    replication: int
    seed: int
    scenario: dict[str, Any]  # Scenario.model_dump()
    scenario_hash: str
    agent_params: dict[str, float] = field(default_factory=dict)
    tech_scale: dict[str, float] = field(default_factory=dict)  # "solar.capex_power" -> factor
    params: dict[str, Any] = field(default_factory=dict)  # varied values by name (grid and uncertain)
    tables: tuple[str, ...] = ("pathways", "investments", "plans")


def unit_problem(exp: Experiment) -> dict[str, Any]:
    """The SALib problem in quantile space: every input on [0, 1]."""
    names = list(exp.uncertain)
    return {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}


def unit_sample(exp: Experiment) -> np.ndarray:
    """Design matrix in quantile space (rows = points, columns = uncertain inputs)."""
    d = exp.design
    k = len(exp.uncertain)
    if d.method == "grid":
        return np.zeros((1, 0))
    if d.method == "monte_carlo":
        return np.random.default_rng(d.seed).random((d.samples, k))
    problem = unit_problem(exp)
    if d.method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, d.samples, num_levels=d.levels, seed=d.seed)
    from SALib.sample import sobol

    return sobol.sample(problem, d.samples, calc_second_order=d.second_order, seed=d.seed)


def values_of(exp: Experiment, unit: np.ndarray) -> np.ndarray:
    """Quantiles -> values, column by column."""
    out = np.empty_like(unit, dtype=float)
    for j, unc in enumerate(exp.uncertain.values()):
        out[:, j] = unc.ppf(unit[:, j])
    return out


def _run_id(key: list[Any]) -> str:
    payload = json.dumps(key, sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def expand(exp: Experiment, data_version: str | None = None) -> list[RunSpec]:
    """All runs of ``exp``: mixes x grid points x design points x replications.

    The run id is a content hash of the scenario (seed included), behavioural parameter and
    technology-cost overrides, the data version, the mix name and the design row: a rerun of the
    same experiment finds its finished runs by it.
    """
    if data_version is None:
        from zonesim.data import load

        data_version = load().version
    unit = unit_sample(exp)
    values = values_of(exp, unit)
    grid_keys = list(exp.grid)
    grid_points = list(itertools.product(*(exp.grid[k] for k in grid_keys))) or [()]
    specs: list[RunSpec] = []
    cell = 0
    for mix_name, mix in exp.mix_items():
        file = exp.path_of(mix.scenario)
        common = _merge(exp.settings, mix.overrides)
        base_seed = load_scenario(file, **common).seed
        seed0 = exp.seed_start if exp.seed_start is not None else base_seed
        for gp in grid_points:
            grid_over: dict[str, Any] = {}
            params: dict[str, Any] = {}
            for key, v in zip(grid_keys, gp, strict=True):
                grid_over = _merge(grid_over, nest(key, v))
                params[key] = v
            for i, row in enumerate(values):
                agent: dict[str, float] = {}
                tech: dict[str, float] = {}
                scen_over: dict[str, Any] = {}
                point_params = dict(params)
                for (name, unc), v in zip(exp.uncertain.items(), row, strict=True):
                    v = float(v)
                    point_params[name] = v
                    for t in unc.targets:
                        kind, _, rest = t.partition(".")
                        if kind == "agent":
                            agent[rest] = v
                        elif kind == "tech":
                            tech[rest] = v
                        else:
                            scen_over = _merge(scen_over, nest(rest, v))
                for r in range(exp.replications):
                    seed = seed0 + r
                    over = _merge(_merge(_merge(common, grid_over), scen_over), {"seed": seed})
                    scenario = load_scenario(file, **over)
                    h = scenario.hash()
                    specs.append(
                        RunSpec(
                            run_id=_run_id([h, agent, tech, data_version, mix_name, i]),
                            index=len(specs),
                            mix=mix_name,
                            point=i,
                            cell=cell,
                            replication=r,
                            seed=seed,
                            scenario=scenario.model_dump(),
                            scenario_hash=h,
                            agent_params=dict(agent),
                            tech_scale=dict(tech),
                            params=point_params,
                            tables=tuple(exp.outputs.tables),
                        )
                    )
            cell += 1
    seen: set[str] = set()
    for s in specs:
        if s.run_id in seen:
            raise ValueError(
                f"experiment {exp.name!r}: two runs have identical inputs (run {s.index}, mix {s.mix!r}); "
                "mixes or grid values that coincide would be run twice"
            )
        seen.add(s.run_id)
    return specs
