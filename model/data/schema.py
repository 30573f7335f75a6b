"""The contract of every compiled table in ``calibration/data/``.

Each table is described once here: its file, its columns with dtype and meaning, and
which columns carry provenance. The loader (:mod:`zonesim.data.load`) checks every file
against this contract and raises :class:`~zonesim.data.errors.DataError` naming the file,
column and row when it does not hold. Build scripts in ``calibration/build/`` write the
tables to this contract.

Conventions
-----------
* Every row carries ``source`` (citation or URL; never empty), ``estimate`` (``true`` /
  ``false``) and ``method`` (how the value was derived; required when ``estimate`` is true).
* Long tables hold one value per row with its ``unit``; the units allowed per variable
  are listed in ``UNITS`` and checked.
* Energy in tce, electricity in MWh, CO2 in t, money in constant 2020 CNY (``CNY2020``
  or ``bnCNY2020`` = 1e9 CNY2020), capacity in MW.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PROVENANCE = ("source", "estimate", "method")


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, pandas dtype kind and meaning."""

    name: str
    kind: str  # "str", "int", "float", "bool"
    description: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    """A compiled table: file name, key columns, columns and allowed values."""

    name: str
    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    provenance: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        names = tuple(c.name for c in self.columns)
        return names + (PROVENANCE if self.provenance else ())


def _c(name: str, kind: str, description: str, nullable: bool = False) -> Column:
    return Column(name, kind, description, nullable)


SECTORS = (
    "steel",
    "building_materials",
    "chemicals",
    "nonferrous",
    "other_industry",
    "services",
    "residential",
)
"""Final-demand sectors of a city. Power and heat generation is the planner's, not a sector."""

ENERGY_INTENSIVE = ("steel", "building_materials", "chemicals", "nonferrous")
"""The 'two-high' (两高) sectors that curb_two_highs and capacity_retirement act on."""

CARRIERS = ("coal", "oil", "gas", "electricity", "heat")
"""Final-energy carriers used by firms."""

POWER_TECHS = ("coal", "gas", "hydro", "nuclear", "wind", "solar", "biomass", "other")
"""Technologies of the existing power fleet (``power_units.tech``)."""

TABLES: dict[str, Table] = {}


def _register(table: Table) -> Table:
    TABLES[table.name] = table
    return table


_register(
    Table(
        "zones",
        "zones.csv",
        "The 20 demonstration zones (12 of the 2017 batch, 8 of the 2019 batch).",
        (
            _c("zone_id", "str", "Z01..Z20"),
            _c("name_en", "str", "English name"),
            _c("name_zh", "str", "Chinese name"),
            _c("province", "str", "Province (English)"),
            _c("batch", "int", "1 = April 2017 notice, 2 = August 2019 notice"),
            _c("approval_year", "int", "Year of the notice"),
        ),
        key=("zone_id",),
    )
)

_register(
    Table(
        "cities",
        "cities.csv",
        "Model cities: zone members (a prefecture, a group of districts, or a base) and "
        "associated cities that the plan names but neither notice lists.",
        (
            _c("city_id", "str", "Short lower-case id, e.g. 'baotou'"),
            _c("zone_id", "str", "Zone of membership; empty for associated cities", True),
            _c("name_en", "str", "English name"),
            _c("name_zh", "str", "Chinese name"),
            _c("province", "str", "Province (English, as in zones.csv)"),
            _c("province_code", "str", "Two-letter province code (PyPSA-China convention)"),
            _c("admin_codes", "str", "GB/T 2260 codes of the areas covered, ';'-separated"),
            _c("membership", "str", "member | member_uncertain | associated"),
            _c("included_by_default", "bool", "Simulated unless a scenario says otherwise"),
            _c("lat", "float", "Latitude of the city centre, degrees"),
            _c("lon", "float", "Longitude of the city centre, degrees"),
            _c("scope_note", "str", "What the model unit covers and why", True),
        ),
        key=("city_id",),
        allowed={"membership": ("member", "member_uncertain", "associated")},
    )
)

_register(
    Table(
        "city_history",
        "city_history.csv",
        "City series 2015-2020 (one value per row). 2020 is the base year.",
        (
            _c("city_id", "str", "cities.city_id"),
            _c("year", "int", "Calendar year 2015-2020"),
            _c("variable", "str", "See allowed values"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "Unit of value"),
        ),
        key=("city_id", "year", "variable"),
        allowed={
            "variable": (
                "gdp",  # bnCNY2020, constant 2020 prices
                "population",  # 10k persons
                "secondary_share",  # fraction of GDP
                "tertiary_share",  # fraction of GDP
                "energy_total",  # tce, primary, coal-equivalent method for electricity
                "coal",  # tce
                "electricity",  # MWh consumed
                "co2",  # tCO2
            )
        },
    )
)

_register(
    Table(
        "industry",
        "industry.csv",
        "Base-year (2020) final energy use and value added by city and sector.",
        (
            _c("city_id", "str", "cities.city_id"),
            _c("sector", "str", "One of SECTORS"),
            _c("variable", "str", "value_added or a carrier of CARRIERS"),
            _c("value", "float", "Value in `unit`"),
            _c(
                "unit",
                "str",
                "bnCNY2020 for value_added; tce for fuels and heat; MWh for electricity",
            ),
        ),
        key=("city_id", "sector", "variable"),
        allowed={"sector": SECTORS, "variable": ("value_added", *CARRIERS)},
    )
)

_register(
    Table(
        "power_units",
        "power_units.csv",
        "Power fleet in operation at the end of 2020, one row per unit or plant.",
        (
            _c("city_id", "str", "cities.city_id"),
            _c("unit_id", "str", "Unique id (tracker id where available)"),
            _c("tech", "str", "One of POWER_TECHS"),
            _c("capacity_mw", "float", "Net capacity, MW"),
            _c("start_year", "int", "Commissioning year", True),
            _c("heat_rate_gce_per_kwh", "float", "Gross heat rate, gce/kWh (thermal only)", True),
            _c("captive", "bool", "Captive (industrial) plant"),
        ),
        key=("unit_id",),
        allowed={"tech": POWER_TECHS},
    )
)

_register(
    Table(
        "technologies",
        "technologies.csv",
        "Technology parameters 2020-2030 for new build (one value per row).",
        (
            _c(
                "tech",
                "str",
                "coal, gas, wind, solar, hydro, battery_2h, battery_4h, pumped_hydro, ...",
            ),
            _c("year", "int", "Year the value applies to (2020, 2025, 2030)"),
            _c(
                "parameter",
                "str",
                "capex_power, capex_energy, fom, lifetime, heat_rate, efficiency",
            ),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "CNY2020/kW, CNY2020/kWh, CNY2020/kW/yr, yr, gce/kWh, fraction"),
        ),
        key=("tech", "year", "parameter"),
    )
)

_register(
    Table(
        "tech_classes",
        "tech_classes.csv",
        "Technology taxonomy of the planner: role, kind, renewable flag, whether a resource "
        "potential limits new build, whose costs apply, storage duration. Row order is the order "
        "in which the planner lists generators.",
        (
            _c("tech", "str", "Planner technology (power_units.tech, or a storage name)"),
            _c("role", "str", "generator | storage"),
            _c("kind", "str", "fossil | firm | hydro | vre (generators); storage"),
            _c("renewable", "bool", "New build counts as 'new renewables' under the accounting rule"),
            _c(
                "buildable_without_potential",
                "bool",
                "New build limited by a build rate only, not by potentials.csv",
            ),
            _c("cost_tech", "str", "technologies.csv tech whose costs and lifetime apply"),
            _c(
                "duration_h",
                "float",
                "Storage energy per power, h (empty: pumped_hydro_duration_h of planner_parameters)",
                True,
            ),
        ),
        key=("tech",),
        allowed={
            "role": ("generator", "storage"),
            "kind": ("fossil", "firm", "hydro", "vre", "storage"),
        },
    )
)

_register(
    Table(
        "prices",
        "prices.csv",
        "Fuel and electricity prices (one value per row).",
        (
            _c("item", "str", "coal, gas, oil, grid_import, ..."),
            _c("region", "str", "'national' or a province_code"),
            _c("year", "int", "Year"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "CNY2020/tce or CNY2020/MWh"),
        ),
        key=("item", "region", "year"),
    )
)

_register(
    Table(
        "emission_factors",
        "emission_factors.csv",
        "CO2 factors per carrier and grid emission factors per province.",
        (
            _c("item", "str", "coal, oil, gas, or grid:<province_code>"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "tCO2/tce or tCO2/MWh"),
        ),
        key=("item",),
    )
)

_register(
    Table(
        "constants",
        "constants.csv",
        "Conversion constants (tce, coal-equivalent and calorific factors for electricity).",
        (
            _c("name", "str", "Constant name"),
            _c("year", "int", "Year it applies to (0 when timeless)"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "Unit"),
        ),
        key=("name", "year"),
    )
)

_register(
    Table(
        "targets",
        "targets.csv",
        "Policy targets as found: national, provincial and city (one per row).",
        (
            _c("scope", "str", "national | province | city"),
            _c("region", "str", "'China', a province name, or a city_id"),
            _c("indicator", "str", "energy_intensity_reduction, co2_intensity_reduction, ..."),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "percent vs base_year, or as stated"),
            _c("base_year", "int", "Base year", True),
            _c("target_year", "int", "Target year"),
        ),
        key=("scope", "region", "indicator", "target_year"),
        allowed={"scope": ("national", "province", "city")},
    )
)

_register(
    Table(
        "city_targets",
        "city_targets.csv",
        "The target that applies to each city, resolved: city, else province, else national.",
        (
            _c("city_id", "str", "cities.city_id"),
            _c("indicator", "str", "energy_intensity_reduction | co2_intensity_reduction"),
            _c("value", "float", "Reduction vs base_year, percent"),
            _c("unit", "str", "percent"),
            _c("base_year", "int", "Base year"),
            _c("target_year", "int", "Target year"),
            _c("resolved_from", "str", "city | province | national"),
        ),
        key=("city_id", "indicator", "target_year"),
    )
)

_register(
    Table(
        "storage_mandates",
        "storage_mandates.csv",
        "Storage to pair with new wind and PV, by province where found.",
        (
            _c("region", "str", "'national' or a province_code"),
            _c("power_ratio", "float", "Storage power / new wind+PV power, fraction"),
            _c("duration_h", "float", "Storage duration, hours"),
        ),
        key=("region",),
    )
)

_register(
    Table(
        "potentials",
        "potentials.csv",
        "Resource potential for new wind, PV and pumped hydro by city and land class.",
        (
            _c("city_id", "str", "cities.city_id"),
            _c("tech", "str", "wind, solar, pumped_hydro"),
            _c("land_class", "str", "e.g. rooftop, desert, subsidence, general"),
            _c("potential_mw", "float", "Additional capacity that could be built, MW"),
        ),
        key=("city_id", "tech", "land_class"),
    )
)

_register(
    Table(
        "profile_meta",
        "profile_meta.csv",
        "Provenance of the hourly profiles per province and series.",
        (
            _c("province_code", "str", "Two-letter code"),
            _c("series", "str", "load | solar | wind"),
            _c(
                "full_load_hours",
                "float",
                "Annual full-load hours the series is scaled to (load: NaN)",
                True,
            ),
        ),
        key=("province_code", "series"),
        allowed={"series": ("load", "solar", "wind")},
    )
)

_register(
    Table(
        "profiles",
        "profiles.csv.gz",
        "Hourly profiles per province, 8760 hours (provenance in profile_meta).",
        (
            _c("province_code", "str", "Two-letter code"),
            _c("hour", "int", "Hour of year 0..8759"),
            _c("load_pu", "float", "Load / annual mean load"),
            _c("solar_cf", "float", "PV capacity factor, fraction"),
            _c("wind_cf", "float", "Wind capacity factor, fraction"),
        ),
        key=("province_code", "hour"),
        provenance=False,
    )
)

_register(
    Table(
        "coal_build_rules",
        "coal_build_rules.csv",
        "Whether new coal power may be approved in a province (air-pollution and coal-control rules).",
        (
            _c("province_code", "str", "Two-letter code"),
            _c(
                "new_coal_allowed",
                "bool",
                "New coal-fired power (other than combined heat and power) may be built",
            ),
            _c("from_year", "int", "Year the rule took effect"),
        ),
        key=("province_code",),
    )
)

_PARAMETER_COLUMNS = (
    _c("name", "str", "Parameter name"),
    _c("value", "float", "Default value in `unit`"),
    _c("unit", "str", "Unit ('1' for dimensionless)"),
    _c("description", "str", "What it means"),
)

_register(
    Table(
        "efficiency_programmes",
        "efficiency_programmes.csv",
        "Industrial efficiency and electrification programmes the planner may buy.",
        (
            _c("sector", "str", "One of SECTORS"),
            _c("programme", "str", "efficiency | electrification"),
            _c(
                "potential_share",
                "float",
                "Share of the sector's 2020 fossil energy it can save or switch by 2030, fraction",
            ),
            _c("cost", "float", "Annualised cost per tce saved or switched, CNY2020/tce"),
            _c("unit", "str", "CNY2020/tce"),
        ),
        key=("sector", "programme"),
        allowed={"sector": SECTORS, "programme": ("efficiency", "electrification")},
    )
)

_register(
    Table(
        "planner_parameters",
        "planner_parameters.csv",
        "Scalar planner parameters (discount rate, reserve margin, build rates, penalties).",
        _PARAMETER_COLUMNS,
        key=("name",),
    )
)

_register(
    Table(
        "agent_parameters",
        "agent_parameters.csv",
        "Scalar behavioural parameters of firms and cities (priors until calibrated).",
        _PARAMETER_COLUMNS,
        key=("name",),
    )
)
