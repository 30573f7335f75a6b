"""Run one scenario: (scenario, seed, data version) -> Results. Process-safe."""

from __future__ import annotations

import gc
import json
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError
from tqdm import tqdm
from zonesim import guards
from zonesim.agents.params import AgentParams
from zonesim.data import BaseYear, load
from zonesim.model import PlanningError, TransitionModel
from zonesim.results import WARNING_COLUMNS, Results, code_version, prepare_output
from zonesim.scenario import Scenario, ScenarioError, _merge, load_scenario


def with_overrides(scenario: Scenario | str | Path, **overrides: Any) -> Scenario:
    """``scenario`` (a Scenario or a YAML path) with ``overrides`` deep-merged into its settings.

    Mappings merge key by key, anything else replaces (``levers={"carbon_price": None}``
    switches a lever off). A bad override is reported as an override, naming its field, not as
    a line of the scenario file.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if not overrides:
        return scenario
    try:
        return Scenario.model_validate(_merge(scenario.model_dump(), overrides))
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "(top level)"
            if err["type"] == "extra_forbidden":
                msg = "unknown field; check the spelling against the schema"
            elif err["type"] == "missing":
                msg = "required field is missing"
            else:
                msg = f"got {err.get('input')!r}: {err['msg']}"
            lines.append(f"override of scenario '{scenario.name}': field '{field}': {msg}")
        raise ScenarioError("\n".join(lines)) from None


def run(
    scenario: Scenario | str | Path,
    out: str | Path | None = None,
    base: BaseYear | None = None,
    progress: bool = False,
    iamc: bool = False,
    agent_params: dict[str, float] | None = None,
    **overrides: Any,
) -> Results:
    """Simulate ``scenario`` (a Scenario or a YAML path) to its horizon and return its tables.

    ``overrides`` are deep-merged into the scenario's settings, as :func:`load_scenario` does
    (e.g. ``seed=3``, ``levers={"carbon_price": {"path": {2025: 100}}}`` keeps the scenario's
    other levers, ``selection={"zones": ["Z04"]}`` keeps ``include_associated``);
    ``agent_params`` override behavioural parameters of ``agent_parameters.csv`` by name
    (e.g. ``{"aeei_pct": 1.5}``; calibration and uncertainty analysis use this). With ``out``
    the tables are also written there as Parquet; the folder is checked before the run starts
    (:func:`zonesim.results.prepare_output`).

    The numerics guards (:mod:`zonesim.guards`) check every simulated year: clipped values are
    listed in ``Results.warnings``; a value that cannot be reported raises
    :class:`~zonesim.guards.NumericsError` naming the settings in force.

    The model is freed before the function returns (its memory goes back at once, however many
    runs a process makes). After a process's first run, the objects then alive are frozen out
    of Python's cyclic collector (``gc.freeze``): they are long-lived (data, LP templates), and
    later collections no longer walk them.
    """
    scenario = with_overrides(scenario, **overrides)
    if out is not None:
        prepare_output(out)
    base = base if base is not None else load()
    params = AgentParams.from_data(base, **(agent_params or {}))
    model = TransitionModel(scenario, base=base, params=params)
    clipped: list[dict[str, Any]] = []
    guards.check_year(model.records, model.year, scenario, clipped)
    years = range(scenario.horizon.start_year + 1, scenario.horizon.end_year + 1)
    for _ in tqdm(years, desc=scenario.name, unit="yr", disable=not progress):
        try:
            model.step()
        except (PlanningError, ArithmeticError) as exc:
            raise guards.NumericsError(
                f"the run stopped in {model.year}: {exc}. Lever settings in force: "
                f"{guards.settings_in_force(scenario)}"
            ) from exc
        guards.check_year(model.records, model.year, scenario, clipped)
    pathways, plans = guards.fill_absent(pd.DataFrame(model.records), pd.DataFrame(model.plans))
    results = Results(
        pathways=pathways,
        investments=pd.DataFrame(model.investments),
        plans=plans,
        warnings=pd.DataFrame(clipped, columns=WARNING_COLUMNS),
        stamp={
            "scenario": scenario.name,
            "scenario_hash": scenario.hash(),
            "seed": scenario.seed,
            "data_version": base.version,
            "code_version": code_version(),
            "agent_params": json.dumps(agent_params or {}, sort_keys=True),
        },
    )
    # the model's HiGHS instances sit in reference cycles (each highspy object holds callbacks
    # that point back at it), which only the cyclic collector frees, and it rarely runs: without
    # this, a process running many scenarios (a batch worker, the calibration) grows by the
    # model's size every run
    del model
    gc.collect()
    if gc.get_freeze_count() == 0:
        # after the process's first run what is still alive is long-lived (data, caches, about
        # three million objects of Pyomo templates): take it out of the collector's sight, so
        # that this collect and Python's own full collections during later runs do not walk it
        # again (about 9 % of a warm run). Frozen objects are still freed when unreferenced.
        gc.freeze()
    guards.assert_finite(
        {"pathways": results.pathways, "zones": results.zones(), "plans": results.plans}, scenario
    )
    if out is not None:
        results.write(out, iamc=iamc)
    return results
