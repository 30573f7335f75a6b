"""The scenario schema: levers, settings and the scenario itself as strict pydantic models,
with every upper limit's reason (``RANGE_REASONS``) and the ids checked against the data."""

from __future__ import annotations

import csv
import hashlib
import json
import warnings
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)
from zonesim.scenario.errors import _short


class _Strict(BaseModel):
    # allow_inf_nan=False: NaN and infinity are never a setting (they pass every range check)
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


def _not_bool(value: Any) -> Any:
    """YAML ``true``/``false`` are not numbers (pydantic would read them as 1 and 0)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got a boolean (true/false)")
    return value


NoBool = BeforeValidator(_not_bool)
Num = Annotated[float, NoBool]
Int = Annotated[int, NoBool]
Pct = Annotated[float, NoBool, Field(ge=0, le=100)]
Fraction = Annotated[float, NoBool, Field(ge=0, le=1)]
Year = Annotated[int, NoBool, Field(ge=2015, le=2060)]

SEED_MAX = 2**63 - 1
CARBON_PRICE_MAX = 10_000.0
LOAN_VOLUME_MAX = 101_600.0
COAL_UNIT_MAX_MW = 10_000.0
CIRCULAR_COST_MAX = 1.0e6
COAL_PRICE_CHANGE_MIN, COAL_PRICE_CHANGE_MAX = -90.0, 300.0
TARIFF_CHANGE_MAX = 20.0

RANGE_REASONS: dict[str, str] = {
    "seed": (
        "numpy seeds the run from it and the results store it in int64 Parquet columns, "
        f"which hold 0 to 2^63-1 = {SEED_MAX}"
    ),
    "levers.carbon_price.path.*": (
        f"model scope: at {CARBON_PRICE_MAX:,.0f} CNY2020/tCO2 the carbon cost already exceeds the "
        "profit of almost every fossil-using firm (measured: Tangshan's GDP falls 91 % in one year), "
        "so higher prices only describe the collapse of the modelled economy; a limit of the model, "
        "not an economic estimate"
    ),
    "levers.green_finance.loan_volume_bn_cny_per_year": (
        f"more extra finance per zone and year than China's whole 2020 GDP (about {LOAN_VOLUME_MAX:,.0f} "
        "bnCNY, NBS) is not economically meaningful"
    ),
    "levers.capacity_retirement.coal_unit_max_mw": (
        f"the largest coal unit in power_units.csv is 1,100 MW: any threshold above it already retires "
        f"every unit, and one above {COAL_UNIT_MAX_MW:,.0f} MW is a typing error, not a policy"
    ),
    "levers.circular_parks.cost_cny_per_tce": (
        f"model scope: {CIRCULAR_COST_MAX:,.0f} CNY2020 per tce saved is over a thousand times the 2020 "
        "coal price in prices.csv (720 CNY2020/tce); a saving that dear is no policy, and larger costs "
        "only strain the LP's numerics"
    ),
    "prices.coal_price_change_pct.*": (
        f"a change of {COAL_PRICE_CHANGE_MIN:+.0f} to {COAL_PRICE_CHANGE_MAX:+.0f} % against the data's "
        "path; "
        "the largest recorded move is the 2021-22 shock (NBS Shanxi 5,500 kcal: 531.7 CNY/t in April 2020, "
        "1,362.9 in December 2022, +156 %, coal_prices_regional.csv); a price at or below zero is no price"
    ),
    "prices.tariff_change_pct.*": (
        f"market prices of coal power may float at most {TARIFF_CHANGE_MAX:.0f} % above or below the "
        "provincial benchmark (NDRC 发改价格〔2021〕1439号, October 2021); trade with the grid is priced "
        "within that band"
    ),
    "macro.*gdp_growth_pct.*": (
        "real GDP growth of a Chinese city outside -20 to +30 % a year has not been recorded "
        "(the 2020 low in macro_realised.csv is about -5 %, the 2021 high about +15 %); beyond "
        "that range the firm population's structure would no longer be meaningful"
    ),
}
"""Why each upper limit of the schema is where it is (dotted field path; ``*`` matches a key)."""


# ---------------------------------------------------------------------------- levers
class CoalReduction(_Strict):
    """煤炭减量替代: a falling cap on city coal use, new coal use offset at a ratio."""

    cut_pct_by_year: dict[Year, Pct] = Field(
        min_length=1,
        description=(
            "Cut in city coal use vs 2020 by each target year, % (e.g. {2025: 10, 2030: 25}): "
            "linear from the start year to the first target, then between targets, held after"
        ),
    )
    substitution_ratio: Num = Field(
        ge=1, description="Cuts required per unit of new coal use (1 = equal, >1 = reduced), 1"
    )
    start_year: Year = Field(description="First year the cap binds")


class PvStorage(_Strict):
    """光伏+ and new energy + storage planned, built and run together."""

    storage_power_ratio: Fraction = Field(description="Storage power per unit of new wind+PV power, fraction")
    storage_duration_h: Num = Field(gt=0, le=24, description="Storage duration, hours")
    land_classes: list[str] = Field(
        description="Land classes opened for new wind/PV (e.g. general, rooftop, desert, subsidence)"
    )

    @field_validator("land_classes")
    @classmethod
    def _known_land(cls, value: list[str]) -> list[str]:
        known = _known_ids()["land_classes"]
        unknown = sorted(set(value) - known)
        if unknown:
            raise ValueError(f"unknown land class(es) {_short(unknown)}; known: {sorted(known)}")
        return value


class CapacityRetirement(_Strict):
    """淘汰落后产能: small coal units and backward industrial capacity retired by a year."""

    coal_unit_max_mw: Num = Field(
        ge=0, le=COAL_UNIT_MAX_MW, description="Coal units at or below this size retire, MW"
    )
    backward_share: Fraction = Field(
        description="Share of energy-intensive sectors' output classed backward and retired, fraction"
    )
    by_year: Year = Field(description="Year by which the retirement is complete")


class DualControl(_Strict):
    """能耗双控: energy-intensity and total-energy targets to the target year."""

    intensity_reduction_pct: Pct | None = Field(
        description="Energy-intensity cut vs 2020 by the target year, %; null = the city's target in data"
    )
    total_growth_pct_per_year: Num | None = Field(
        ge=-20,
        le=20,
        description="Cap on growth of total energy use, % per year vs 2020; null = no total cap",
    )
    target_year: Year = Field(description="Year the targets refer to")


class CarbonDualControl(_Strict):
    """碳排放双控: the 15th Five-Year period's binding CO2-intensity target enforced in the planner.

    CO2 counts local fossil use and power plants plus imported electricity at the supplying
    grid's factor (the LP's measure), against the period's base year (2025).
    """

    intensity_reduction_pct: Pct | None = Field(
        description="CO2-intensity cut vs the period's base year by the target year, %; "
        "null = the city's target in period_targets.csv (national -17 % by 2030)"
    )
    start_year: Year = Field(description="First year the planner is held to the path")
    target_year: Year = Field(description="Year the target refers to (2030)")


class CurbTwoHighs(_Strict):
    """遏制"两高": no new capacity in energy-intensive sectors beyond a growth allowance."""

    from_year: Year = Field(description="First year the curb holds")
    max_expansion_pct_per_year: Pct = Field(
        description="Output growth still allowed to energy-intensive firms, % per year (0 = blocked)"
    )


class CarbonPrice(_Strict):
    """A carbon price path applied to fossil CO2 of firms and power plants."""

    path: dict[Year, Annotated[float, NoBool, Field(ge=0, le=CARBON_PRICE_MAX)]] = Field(
        description="CNY2020/tCO2 by year; linear between years, flat after the last"
    )
    coverage: Literal["all", "ets"] = Field(
        default="all",
        description=(
            "all: every firm and power plant pays; ets: the sectors the national ETS covers in "
            "each year (ets_coverage.csv: power from 2021, steel, cement, aluminium from 2024)"
        ),
    )

    @model_validator(mode="after")
    def _nonempty(self) -> CarbonPrice:
        if not self.path:
            raise ValueError("path is empty; expected at least one year: price")
        return self


class GreenFinance(_Strict):
    """CDB special loans and bonds: cheaper capital and more of it for eligible projects."""

    rate_discount_pp: Num = Field(
        ge=0, le=10, description="Cut in the interest rate for eligible projects, percentage points"
    )
    loan_volume_bn_cny_per_year: Num = Field(
        ge=0, le=LOAN_VOLUME_MAX, description="Extra finance available per zone per year, bnCNY2020"
    )
    eligible: list[Literal["solar", "wind", "storage", "efficiency", "electrification"]] = Field(
        description="Project types eligible"
    )


class Evaluation(_Strict):
    """Annual evaluation of each zone; status and support follow the rating."""

    poor_years_to_lose_status: Int = Field(
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
    cost_cny_per_tce: Num = Field(
        ge=0, le=CIRCULAR_COST_MAX, description="Cost per tce saved per year, CNY2020/tce"
    )
    complete_by: Year = Field(description="Year the transformation is complete")


class Levers(_Strict):
    """The levers in force; an absent lever is off."""

    coal_reduction: CoalReduction | None = None
    pv_storage: PvStorage | None = None
    capacity_retirement: CapacityRetirement | None = None
    dual_control: DualControl | None = None
    carbon_dual_control: CarbonDualControl | None = None
    curb_two_highs: CurbTwoHighs | None = None
    carbon_price: CarbonPrice | None = None
    green_finance: GreenFinance | None = None
    evaluation: Evaluation | None = None
    circular_parks: CircularParks | None = None

    def active(self) -> dict[str, BaseModel]:
        """The levers in force, by name."""
        return {k: v for k, v in self if v is not None}


# ------------------------------------------------------------------------ settings
def _all_or_list(value: Any) -> Any:
    """``zones``: one clear message for each wrong form (not one per branch of the union)."""
    if isinstance(value, str) and value != "all":
        raise ValueError("expected 'all' or a list of zone ids such as [Z01, Z04]")
    if isinstance(value, list) and not value:
        raise ValueError("empty list selects no zone; expected 'all' or at least one zone id")
    if not isinstance(value, str | list):
        raise ValueError("expected 'all' or a list of zone ids such as [Z01, Z04]")
    return value


class Horizon(_Strict):
    """Simulated years: base year 2020 to the end year."""

    start_year: Literal[2020] = Field(description="Base year (the data's)")
    end_year: Annotated[int, NoBool, Field(ge=2021, le=2035)] = Field(description="Last simulated year")


class Selection(_Strict):
    """Which cities are simulated."""

    zones: Annotated[Literal["all"] | list[str], BeforeValidator(_all_or_list)] = Field(
        description="'all' or a non-empty list of zone ids (Z01..Z20)"
    )
    include_associated: bool = Field(description="Also simulate associated cities (Xiangyang, Yibin, Hebi)")
    cities: Annotated[list[str], Field(min_length=1)] | None = Field(
        default=None, description="Restrict to these city ids (within the zones chosen)"
    )

    @field_validator("zones")
    @classmethod
    def _known_zones(cls, value: str | list[str]) -> str | list[str]:
        if isinstance(value, list):
            known = _known_ids()["zones"]
            unknown = sorted(set(value) - known)
            if unknown:
                raise ValueError(f"unknown zone id(s) {_short(unknown)}; known: {sorted(known)}")
        return value

    @field_validator("cities")
    @classmethod
    def _known_cities(cls, value: list[str] | None) -> list[str] | None:
        if value is not None:
            known = {c["city_id"] for c in _known_ids()["cities"]}
            unknown = sorted(set(value) - known)
            if unknown:
                raise ValueError(f"unknown city id(s) {_short(unknown)}; known: {sorted(known)}")
        return value

    @model_validator(mode="after")
    def _nonempty(self) -> Selection:
        if not self.city_ids():
            raise ValueError(
                "the selection leaves no city to simulate (the cities listed are not in the zones "
                "chosen, or are associated cities while include_associated is false)"
            )
        return self

    def city_ids(self) -> list[str]:
        """The city ids selected, by the shipped cities.csv (the model applies the same rule)."""
        out = []
        for c in _known_ids()["cities"]:
            keep = c["included_by_default"] and (self.zones == "all" or c["zone_id"] in self.zones)
            keep = keep or (self.include_associated and c["membership"] == "associated")
            if self.cities is not None:
                keep = keep and c["city_id"] in self.cities
            if keep:
                out.append(c["city_id"])
        return out


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


class Prices(_Strict):
    """Coal prices and grid tariffs the city planners see (``zonesim.planner.prices``).

    By default plants pay the mine-mouth price where ``coal_prices_regional.csv`` has one for
    their province (Shanxi, West Inner Mongolia), else the port price, on the data's path
    (2020 estimate, NDRC 303 contract midpoint from 2022, flat after); grid electricity is
    traded at the province's 2020 coal benchmark tariff (``tariffs.csv``), held flat. The
    changes below shift those paths; the firms keep their 2020 fuel prices.
    """

    coal_basis: Literal["regional", "national"] = Field(
        default="regional",
        description=(
            "regional: mine-mouth prices where the plants are at the mine, else the port price; "
            "national: one national path for every plant (prices.csv)"
        ),
    )
    coal_price_change_pct: dict[
        Year, Annotated[float, NoBool, Field(ge=COAL_PRICE_CHANGE_MIN, le=COAL_PRICE_CHANGE_MAX)]
    ] = Field(default_factory=dict, description="Coal price against the data's path, % by year")
    tariff_change_pct: dict[
        Year, Annotated[float, NoBool, Field(ge=-TARIFF_CHANGE_MAX, le=TARIFF_CHANGE_MAX)]
    ] = Field(default_factory=dict, description="Grid tariff against the 2020 benchmark, % by year")


class PlannerSettings(_Strict):
    """How the city planner runs."""

    n_days: Annotated[int, NoBool, Field(ge=1, le=365)] = Field(description="Representative days")
    mode: Literal["rolling", "foresight"] = Field(
        description=(
            "rolling: plan each year for that year against its milestone on the straight path "
            "to the target; foresight: each year plan to the horizon's end"
        )
    )


GDP_GROWTH_MIN, GDP_GROWTH_MAX = -20.0, 30.0
GrowthPath = dict[Year, Annotated[float, NoBool, Field(ge=GDP_GROWTH_MIN, le=GDP_GROWTH_MAX)]]
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
    product_anchors: dict[Literal["steel", "building_materials", "chemicals", "nonferrous"], str] = Field(
        default_factory=dict,
        description="Energy-intensive sector -> product of product_output.csv whose realised output "
        "growth (city, else province, else nation) the sector's output follows in the realised years",
    )
    product_anchor_scopes: list[Literal["city", "province", "national"]] = Field(
        default_factory=lambda: ["city", "province", "national"],
        description="Which published series anchor a city's sector, first found first: its own, "
        "its province's, the nation's (drop 'national' to anchor only where the place's own "
        "output is published)",
    )


class FirmSettings(_Strict):
    """Synthetic firm population."""

    n_firms: Annotated[int, NoBool, Field(ge=10, le=1_000_000)] = Field(
        description="Total number of firm agents over all cities"
    )


class Scenario(_Strict):
    """A validated scenario."""

    name: str = Field(
        min_length=1,
        max_length=200,
        description="Scenario name (never used as a path as given: results/<slug of the name>)",
    )
    description: str = Field(default="", max_length=10_000, description="What the scenario represents")
    seed: Annotated[int, NoBool, Field(ge=0, le=SEED_MAX)] = Field(description="Seed of the numpy Generator")
    horizon: Horizon
    selection: Selection
    accounting: Accounting
    planner: PlannerSettings
    firms: FirmSettings
    macro: Macro | None = Field(
        default=None, description="GDP path; absent: each city's 2015-2019 trend (the old behaviour)"
    )
    prices: Prices = Field(
        default_factory=Prices, description="Coal price and tariff paths (defaults: the data's paths)"
    )
    levers: Levers = Field(default_factory=Levers)

    @model_validator(mode="after")
    def _levers_within_horizon(self) -> Scenario:
        """A lever must start inside the horizon; a target year beyond it is announced."""
        first, last = self.horizon.start_year + 1, self.horizon.end_year
        for name, lever in self.levers.active().items():
            for field, year in lever_start_years(lever).items():
                if not first <= year <= last:
                    raise ValueError(
                        f"levers.{name}.{field} is {year}, outside the simulated years {first}-{last}: "
                        f"the lever would never act (move it into the horizon or extend horizon.end_year)"
                    )
            for field, year in lever_target_years(lever).items():
                if year > last:
                    warnings.warn(
                        f"levers.{name}.{field} is {year}, after the horizon ends ({last}): the run "
                        f"shows the lever only part-way along its path; extend horizon.end_year "
                        f"to {year} to see it complete",
                        LeverBeyondHorizon,
                        stacklevel=2,
                    )
        return self

    def hash(self) -> str:
        """Stable content hash: the same settings give the same hash."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    @property
    def years(self) -> list[int]:
        """Simulated years after the base year."""
        return list(range(self.horizon.start_year + 1, self.horizon.end_year + 1))


class LeverBeyondHorizon(UserWarning):
    """A lever's target year lies after the scenario's horizon: it is seen only part-way."""


def lever_start_years(lever: BaseModel) -> dict[str, int]:
    """The year fields at which a lever starts acting, by field name."""
    out = {}
    for field in ("start_year", "from_year"):
        if getattr(lever, field, None) is not None:
            out[field] = int(getattr(lever, field))
    if isinstance(lever, CarbonPrice):
        out["path"] = min(lever.path)
    return out


def lever_target_years(lever: BaseModel) -> dict[str, int]:
    """The year fields by which a lever reaches its target, by field name."""
    out = {}
    for field in ("by_year", "target_year", "complete_by"):
        if getattr(lever, field, None) is not None:
            out[field] = int(getattr(lever, field))
    if isinstance(lever, CoalReduction):
        out["cut_pct_by_year"] = max(lever.cut_pct_by_year)
    return out


# ------------------------------------------------------------------- known ids
@cache
def _known_ids() -> dict[str, Any]:
    """Zone, city and land-class ids of the shipped data (read once, with the csv module)."""
    from zonesim.data import default_data_dir

    data = default_data_dir()

    def rows(name: str) -> list[dict[str, str]]:
        try:
            with open(data / name, newline="", encoding="utf-8") as fh:
                return list(csv.DictReader(fh))
        except OSError as exc:  # raised inside a validator: becomes an error naming the field
            raise ValueError(f"cannot check ids against {data / name} ({exc.strerror or exc})") from None

    cities = [
        {
            "city_id": r["city_id"],
            "zone_id": r["zone_id"],
            "membership": r["membership"],
            "included_by_default": r["included_by_default"].strip().lower() in ("true", "1", "yes"),
        }
        for r in rows("cities.csv")
    ]
    return {
        "zones": {r["zone_id"] for r in rows("zones.csv")},
        "cities": cities,
        "land_classes": {r["land_class"] for r in rows("potentials.csv")},
    }
