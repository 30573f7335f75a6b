"""Scenario files: a validated pydantic schema, ``extends:`` overrides, clear errors.

A scenario is a YAML file that names its horizon, seed, the cities it simulates, the
energy accounting rule, and the levers in force with their parameters. A lever that is
absent is off; a scenario with no levers is the baseline. Lever parameters have no
numeric defaults in code: the scenario file carries each value (with its source in a
comment), so every number with a unit lives in data.

Errors in a file never surface as a traceback: :func:`load_scenario` raises
:class:`ScenarioError` naming the file, the line where it can be found, the field path,
the bad value and what is allowed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class ScenarioError(ValueError):
    """A scenario file is missing, malformed or invalid; the message says where and why."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Pct = Annotated[float, Field(ge=0, le=100)]
Fraction = Annotated[float, Field(ge=0, le=1)]
Year = Annotated[int, Field(ge=2015, le=2060)]


# ---------------------------------------------------------------------------- levers
class CoalReduction(_Strict):
    """煤炭减量替代: a falling cap on city coal use, new coal use offset at a ratio."""

    cut_pct_by_end: Pct = Field(description="Cut in city coal use by the end year vs 2020, %")
    substitution_ratio: float = Field(
        ge=1, description="Cuts required per unit of new coal use (1 = equal, >1 = reduced), 1"
    )
    start_year: Year = Field(description="First year the cap binds")


class PvStorage(_Strict):
    """光伏+ and new energy + storage planned, built and run together."""

    storage_power_ratio: Fraction = Field(description="Storage power per unit of new wind+PV power, fraction")
    storage_duration_h: float = Field(gt=0, le=24, description="Storage duration, hours")
    land_classes: list[str] = Field(
        description="Land classes opened for new wind/PV (e.g. general, rooftop, desert, subsidence)"
    )


class CapacityRetirement(_Strict):
    """淘汰落后产能: small coal units and backward industrial capacity retired by a year."""

    coal_unit_max_mw: float = Field(ge=0, description="Coal units at or below this size retire, MW")
    backward_share: Fraction = Field(
        description="Share of energy-intensive sectors' output classed backward and retired, fraction"
    )
    by_year: Year = Field(description="Year by which the retirement is complete")


class DualControl(_Strict):
    """能耗双控: energy-intensity and total-energy targets to the target year."""

    intensity_reduction_pct: Pct | None = Field(
        description="Energy-intensity cut vs 2020 by the target year, %; null = the city's target in data"
    )
    total_growth_pct_per_year: float | None = Field(
        ge=-20,
        le=20,
        description="Cap on growth of total energy use, % per year vs 2020; null = no total cap",
    )
    target_year: Year = Field(description="Year the targets refer to")


class CurbTwoHighs(_Strict):
    """遏制"两高": no new capacity in energy-intensive sectors beyond a growth allowance."""

    from_year: Year = Field(description="First year the curb holds")
    max_expansion_pct_per_year: Pct = Field(
        description="Output growth still allowed to energy-intensive firms, % per year (0 = blocked)"
    )


class CarbonPrice(_Strict):
    """A carbon price path applied to fossil CO2 of firms and power plants."""

    path: dict[Year, float] = Field(
        description="CNY2020/tCO2 by year; linear between years, flat after the last"
    )

    @model_validator(mode="after")
    def _nonnegative(self) -> CarbonPrice:
        for year, value in self.path.items():
            if value < 0:
                raise ValueError(f"price for {year} is {value}; expected >= 0 CNY2020/tCO2")
        if not self.path:
            raise ValueError("path is empty; expected at least one year: price")
        return self


class GreenFinance(_Strict):
    """CDB special loans and bonds: cheaper capital and more of it for eligible projects."""

    rate_discount_pp: float = Field(
        ge=0, le=10, description="Cut in the interest rate for eligible projects, percentage points"
    )
    loan_volume_bn_cny_per_year: float = Field(
        ge=0, description="Extra finance available per zone per year, bnCNY2020"
    )
    eligible: list[Literal["solar", "wind", "storage", "efficiency", "electrification"]] = Field(
        description="Project types eligible"
    )


class Evaluation(_Strict):
    """Annual evaluation of each zone; status and support follow the rating."""

    poor_years_to_lose_status: int = Field(
        ge=1, le=5, description="Consecutive poor ratings that end zone status (plan: 2)"
    )
    excellent_bonus_pct: Pct = Field(
        description="Extra central investment funds for excellent/good ratings, % of budget"
    )


class CircularParks(_Strict):
    """Circular transformation of qualifying parks: waste heat and by-product exchange."""

    participation_share: Fraction = Field(
        description="Share of energy-intensive output in qualifying parks, fraction"
    )
    energy_saving_pct: Pct = Field(description="Energy saved by participating firms, %")
    cost_cny_per_tce: float = Field(ge=0, description="Cost per tce saved per year, CNY2020/tce")
    complete_by: Year = Field(description="Year the transformation is complete")


class Levers(_Strict):
    """The levers in force; an absent lever is off."""

    coal_reduction: CoalReduction | None = None
    pv_storage: PvStorage | None = None
    capacity_retirement: CapacityRetirement | None = None
    dual_control: DualControl | None = None
    curb_two_highs: CurbTwoHighs | None = None
    carbon_price: CarbonPrice | None = None
    green_finance: GreenFinance | None = None
    evaluation: Evaluation | None = None
    circular_parks: CircularParks | None = None

    def active(self) -> dict[str, BaseModel]:
        """The levers in force, by name."""
        return {k: v for k, v in self if v is not None}


# ------------------------------------------------------------------------ settings
class Horizon(_Strict):
    """Simulated years: base year 2020 to the end year."""

    start_year: Literal[2020] = Field(description="Base year (the data's)")
    end_year: Annotated[int, Field(ge=2021, le=2035)] = Field(description="Last simulated year")


class Selection(_Strict):
    """Which cities are simulated."""

    zones: Literal["all"] | list[str] = Field(description="'all' or a list of zone ids (Z01..Z20)")
    include_associated: bool = Field(description="Also simulate associated cities (Xiangyang, Yibin, Hebi)")
    cities: list[str] | None = Field(
        default=None, description="Restrict to these city ids (within the zones chosen)"
    )


class Accounting(_Strict):
    """Which energy counts toward the total and intensity checks, and how electricity converts.

    Rules: ``pre2021`` counts all energy; ``renewable_exclusion_2021`` removes new renewable
    energy and feedstock from the total check; ``nonfossil_exclusion_2024`` removes all
    non-fossil energy and feedstock from both total and intensity; ``staged`` applies each rule
    from the year it took effect.
    """

    rule: Literal["pre2021", "renewable_exclusion_2021", "nonfossil_exclusion_2024", "staged"]
    electricity_conversion: Literal["coal_equivalent", "calorific"]
    co2_scope: Literal["territorial", "with_imports"] = Field(
        default="with_imports",
        description=(
            "CO2 a CO2 target counts: territorial, or with net imported electricity at its grid's factor"
        ),
    )


class PlannerSettings(_Strict):
    """How the city planner runs."""

    n_days: Annotated[int, Field(ge=1, le=365)] = Field(description="Representative days")
    mode: Literal["rolling", "foresight"] = Field(
        description=(
            "rolling: plan each year for that year against its milestone on the straight path "
            "to the target; foresight: each year plan to the horizon's end"
        )
    )


GrowthPath = dict[Year, Annotated[float, Field(ge=-20, le=30)]]
"""Real GDP growth by year, % per year (linear between the years given, flat outside)."""


class Macro(_Strict):
    """Macro drivers: each city's real GDP path is an input, not behaviour (DESIGN.md).

    Published growth (``macro_realised.csv``: the city's own figure, else its province's,
    else the nation's) is used through ``realised_through``; after it, the outlook: a city's
    own path if given, else its province's, else ``outlook_gdp_growth_pct``. Sector growth
    redistributes this GDP (structural change as share shifts); it never adds to it.
    """

    realised_through: Year | None = Field(
        description="Last year of published growth to use (None: use none, the outlook from the start)"
    )
    outlook_gdp_growth_pct: GrowthPath = Field(
        min_length=1, description="Real GDP growth after the realised years, % per year, by year"
    )
    province_gdp_growth_pct: dict[str, GrowthPath] = Field(
        default_factory=dict, description="Outlook by province code (e.g. NM), % per year, by year"
    )
    city_gdp_growth_pct: dict[str, GrowthPath] = Field(
        default_factory=dict, description="Outlook by city id, % per year, by year"
    )


class FirmSettings(_Strict):
    """Synthetic firm population."""

    n_firms: Annotated[int, Field(ge=10, le=1_000_000)] = Field(
        description="Total number of firm agents over all cities"
    )


class Scenario(_Strict):
    """A validated scenario."""

    name: str = Field(min_length=1, description="Scenario name")
    description: str = Field(default="", description="What the scenario represents")
    seed: Annotated[int, Field(ge=0)] = Field(description="Seed of the numpy Generator")
    horizon: Horizon
    selection: Selection
    accounting: Accounting
    planner: PlannerSettings
    firms: FirmSettings
    macro: Macro | None = Field(
        default=None, description="GDP path; absent: each city's 2015-2019 trend (the old behaviour)"
    )
    levers: Levers = Field(default_factory=Levers)

    def hash(self) -> str:
        """Stable content hash: the same settings give the same hash."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def years(self) -> list[int]:
        """Simulated years after the base year."""
        return list(range(self.horizon.start_year + 1, self.horizon.end_year + 1))


# -------------------------------------------------------------------------- loading
def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into ``base``; mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """1-based line of ``path`` in a composed YAML tree, or of its deepest existing parent."""
    line = node.start_mark.line + 1 if node is not None else None
    for part in path:
        if not isinstance(node, yaml.MappingNode):
            break
        for key, value in node.value:
            if str(key.value) == str(part):
                node = value
                line = key.start_mark.line + 1
                break
        else:
            break
    return line


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{path}: cannot be read ({exc})") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}{where}: not valid YAML ({problem})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}, line 1: expected a mapping of settings, got {type(data).__name__}")
    return data, node


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict[str, Any], dict[Path, Any]]:
    """Read ``path`` and the chain of files it extends; returns merged data and YAML trees."""
    path = path.resolve()
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        raise ScenarioError(f"{path}: 'extends' forms a cycle ({chain})")
    data, node = _read_yaml(path)
    trees = {path: node}
    parent = data.pop("extends", None)
    if parent is None:
        return data, trees
    if not isinstance(parent, str):
        line = _line_of(node, ("extends",))
        raise ScenarioError(f"{path}, line {line}: field 'extends': expected a file path, got {parent!r}")
    target = path.parent / parent
    if not target.is_file():
        line = _line_of(node, ("extends",))
        raise ScenarioError(
            f"{path}, line {line}: field 'extends': file {str(target)!r} not found; expected a "
            "scenario file path relative to this file"
        )
    base_data, base_trees = _resolve(target, (*seen, path))
    return _merge(base_data, data), {**base_trees, **trees}


def _explain(exc: ValidationError, path: Path, trees: dict[Path, Any]) -> ScenarioError:
    lines = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        # the file that sets the field: the child if it has the path, else the base chain
        line, where = None, path
        for file, tree in reversed(list(trees.items())):
            found = _line_of(tree, loc)
            if found is not None and tree is not None:
                line, where = found, file
                break
        value = err.get("input")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check the spelling against the schema"
            if len(loc) == 2 and loc[0] == "levers":
                msg = f"unknown lever; allowed levers: {sorted(Levers.model_fields)}"
        elif err["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = f"got {shown}: {err['msg']}"
        loc_txt = f"{where}, line {line}" if line else f"{where}"
        lines.append(f"{loc_txt}: field '{field}': {msg}")
    return ScenarioError("\n".join(lines))


def load_scenario(path: str | Path, **overrides: Any) -> Scenario:
    """Read and validate a scenario file (following ``extends:``), with optional overrides.

    ``overrides`` are merged on top, e.g. ``load_scenario(f, seed=3)``.
    """
    path = Path(path)
    data, trees = _resolve(path, ())
    if overrides:
        data = _merge(data, overrides)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, path.resolve(), trees) from None
