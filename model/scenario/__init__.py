"""Scenario files: a validated pydantic schema, ``extends:`` overrides, clear errors.

A scenario is a YAML file that names its horizon, seed, the cities it simulates, the
energy accounting rule, and the levers in force with their parameters. A lever that is
absent is off; a scenario with no levers is the baseline. Lever parameters have no
numeric defaults in code: the scenario file carries each value (with its source in a
comment), so every number with a unit lives in data.

Errors in a file never surface as a traceback: :func:`load_scenario` raises
:class:`ScenarioError` naming the file in which the bad value sits, its line, the field path,
the bad value (shortened) and what is allowed.

Hostile or careless input is bounded before it can cost time or memory (see ``LIMITS``): a
file is at most 256 kB, YAML aliases are refused (no "billion laughs"), nesting is at most 20
levels, duplicate keys are errors, an ``extends`` chain is at most 16 files long, has no
cycle and stays inside the folder tree of the scenario file named on the command line.
Numbers must be finite, ``true``/``false`` are not numbers, and every range a setting is
checked against has its reason in ``RANGE_REASONS``.

Modules: :mod:`~zonesim.scenario.schema` (the models), :mod:`~zonesim.scenario.load` (reading,
``extends:``, merging, validation errors explained) and :mod:`~zonesim.scenario.errors` (the
error class, bounded reprs, lines in a YAML tree). Every name is importable from here, the
helpers other modules use (``_merge``, ``_read_yaml``, ``_line_of``, ``_short``) included.
"""

from zonesim.scenario.errors import ScenarioError
from zonesim.scenario.errors import _line_of as _line_of
from zonesim.scenario.errors import _short as _short
from zonesim.scenario.load import LIMITS, load_scenario
from zonesim.scenario.load import _merge as _merge
from zonesim.scenario.load import _read_yaml as _read_yaml
from zonesim.scenario.schema import (
    CARBON_PRICE_MAX,
    CIRCULAR_COST_MAX,
    COAL_UNIT_MAX_MW,
    GDP_GROWTH_MAX,
    GDP_GROWTH_MIN,
    LOAN_VOLUME_MAX,
    RANGE_REASONS,
    SEED_MAX,
    Accounting,
    CapacityRetirement,
    CarbonDualControl,
    CarbonPrice,
    CircularParks,
    CoalReduction,
    CurbTwoHighs,
    DualControl,
    Evaluation,
    FirmSettings,
    Fraction,
    GreenFinance,
    GrowthPath,
    Horizon,
    Int,
    LeverBeyondHorizon,
    Levers,
    Macro,
    NoBool,
    Num,
    Pct,
    PlannerSettings,
    Prices,
    PvStorage,
    Scenario,
    Selection,
    Year,
    lever_start_years,
    lever_target_years,
)

__all__ = [
    "CARBON_PRICE_MAX",
    "CIRCULAR_COST_MAX",
    "COAL_UNIT_MAX_MW",
    "GDP_GROWTH_MAX",
    "GDP_GROWTH_MIN",
    "LIMITS",
    "LOAN_VOLUME_MAX",
    "RANGE_REASONS",
    "SEED_MAX",
    "Accounting",
    "CapacityRetirement",
    "CarbonDualControl",
    "CarbonPrice",
    "CircularParks",
    "CoalReduction",
    "CurbTwoHighs",
    "DualControl",
    "Evaluation",
    "Year",
    "Pct",
    "Num",
    "NoBool",
    "Int",
    "Fraction",
    "FirmSettings",
    "GreenFinance",
    "GrowthPath",
    "Horizon",
    "LeverBeyondHorizon",
    "Levers",
    "Macro",
    "Prices",
    "PlannerSettings",
    "PvStorage",
    "Scenario",
    "ScenarioError",
    "Selection",
    "lever_start_years",
    "lever_target_years",
    "load_scenario",
]
