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
    # False for tables no model result depends on (yet): they stay out of the data version,
    # so adding them does not invalidate results and calibrations stamped with it.
    versioned: bool = True

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


# --------------------------------------------------------------------------------------
# Realised macro record 2021-2025 and published outcomes (issue 12). Built by
# calibration/build/build_macro.py from calibration/build/sources/macro_sources.csv;
# described in SOURCES-macro.md. macro_realised drives the GDP path (zonesim.macro), so it is
# part of the data version; product_output and published_outcomes are read only to validate.
# --------------------------------------------------------------------------------------

_MACRO_SCOPES = ("national", "province", "city")
_MACRO_COLUMNS = (
    _c("scope", "str", "national | province | city"),
    _c("region", "str", "'China', a province name (as in cities.csv), or a cities.city_id"),
    _c("year", "int", "Calendar year"),
    _c("variable", "str", "See allowed values"),
    _c("value", "float", "Value in `unit`"),
    _c("unit", "str", "Unit of value"),
    _c("basis", "str", "Statistical basis: preliminary or final, accounting basis, coverage"),
    _c(
        "resolved_from",
        "str",
        "Whose figure the row carries: national, province, city, or for a city row its parent "
        "area ('parent') or its province ('province'); the latter two are estimates",
    ),
)

_register(
    Table(
        "macro_realised",
        "macro_realised.csv",
        "Realised real GDP and industrial value-added growth 2021-2025: national, provincial and "
        "per model city (city figure, else parent area or province, flagged).",
        _MACRO_COLUMNS,
        key=("scope", "region", "year", "variable"),
        allowed={
            "scope": _MACRO_SCOPES,
            "variable": ("gdp_real_growth", "industry_va_growth"),
            "unit": ("percent y/y",),
            "resolved_from": ("national", "province", "city", "parent"),
        },
        versioned=True,
    )
)

_register(
    Table(
        "product_output",
        "product_output.csv",
        "Output of key energy-intensive products and electricity by province (or city), 2020-2025.",
        (
            _c("scope", "str", "national | province | city"),
            _c("region", "str", "'China', a province name, or a cities.city_id"),
            _c("year", "int", "Calendar year"),
            _c("product", "str", "See allowed values"),
            _c("value", "float", "Value in `unit`"),
            _c(
                "unit",
                "str",
                "Mt (products), TWh (electricity), million weight cases (flat glass), "
                "or 'percent y/y' (growth only)",
            ),
            _c("basis", "str", "Coverage (e.g. above-designated-size enterprises) and status"),
        ),
        key=("scope", "region", "year", "product", "unit"),
        allowed={
            "scope": _MACRO_SCOPES,
            "product": (
                "crude_steel",
                "pig_iron",
                "steel_products",
                "cement",
                "raw_coal",
                "coke",
                "electricity_generation",
                "thermal_generation",
                "methanol",
                "coal_chemicals",
                "flat_glass",  # million weight cases (50 kg each)
                "nonferrous_ten",  # the ten nonferrous metals of NBS (十种有色金属)
                "aluminium",  # primary (electrolytic) aluminium
                "ethylene",
                "caustic_soda",
                "soda_ash",
            ),
            "unit": ("Mt", "TWh", "million weight cases", "percent y/y"),
        },
        versioned=False,
    )
)

_register(
    Table(
        "published_outcomes",
        "published_outcomes.csv",
        "VALIDATION ONLY, never used in a fit: published energy- and CO2-intensity change "
        "2021-2025, national, provincial and per model city (city, else parent area or province).",
        _MACRO_COLUMNS,
        key=("scope", "region", "year", "variable"),
        allowed={
            "scope": _MACRO_SCOPES,
            "variable": (
                "energy_intensity_change",  # percent y/y, energy per unit of real GDP
                "co2_intensity_change",  # percent y/y
                "energy_intensity_change_since_2020",  # percent, cumulative vs 2020
            ),
            "unit": ("percent y/y", "percent vs 2020"),
            "resolved_from": ("national", "province", "city", "parent"),
        },
        versioned=False,
    )
)


# --------------------------------------------------------------------------------------
# Five-year periods, carbon dual control and the national ETS
# (built by calibration/build/build_period_targets.py; described in SOURCES-periods.md)
# --------------------------------------------------------------------------------------

PERIODS = ("2021-2025", "2026-2030")
"""Five-year plan periods: the 14th (energy dual control) and the 15th (carbon dual control)."""

TARGET_QUALIFIERS = ("binding", "guiding", "annual", "commitment")
"""binding (约束性), guiding (预期性 or 'about' targets, total-CO2 control), annual (a year's
target in a Government Work Report or action plan), commitment (NDC / 2030 action plan)."""

ETS_ALLOCATION = ("none", "free_verified_emissions", "free_benchmark_intensity")
"""How allowances are allocated: none (not covered); free and equal to verified emissions
(no net obligation); free, output-based with intensity benchmarks (no absolute cap)."""

_register(
    Table(
        "period_targets",
        "period_targets.csv",
        "Targets keyed by five-year period: national, provincial and, resolved, per city "
        "(city, else province, else national).",
        (
            _c("period", "str", "One of PERIODS"),
            _c("scope", "str", "national | province | city"),
            _c("region", "str", "'China', a province name (as in cities.csv), or a city_id"),
            _c(
                "indicator",
                "str",
                "energy_intensity_reduction, co2_intensity_reduction, total_co2_reduction, "
                "non_fossil_share, coal_share, co2_peak_year",
            ),
            _c("value", "float", "Value in `unit`; reductions are positive percentages"),
            _c("unit", "str", "percent vs base_year, percent of energy consumption, calendar year"),
            _c("base_year", "int", "Base year of a reduction (empty for shares and years)", True),
            _c("target_year", "int", "Year the target applies to"),
            _c("qualifier", "str", "One of TARGET_QUALIFIERS"),
            _c("resolved_from", "str", "city rows: city | province | national; empty otherwise", True),
        ),
        key=("period", "scope", "region", "indicator", "base_year", "target_year"),
        allowed={
            "period": PERIODS,
            "scope": ("national", "province", "city"),
            "qualifier": TARGET_QUALIFIERS,
            "resolved_from": ("city", "province", "national"),
        },
    )
)

_register(
    Table(
        "co2_intensity_reference",
        "co2_intensity_reference.csv",
        "National CO2 and energy intensity changes and non-fossil shares as published, and the "
        "2030 commitment (-65 % vs 2005) restated against 2020 and 2025.",
        (
            _c(
                "indicator",
                "str",
                "co2_intensity_change, co2_intensity_change_chained, co2_intensity_change_required, "
                "energy_intensity_change, non_fossil_share",
            ),
            _c("year", "int", "Year of the value"),
            _c("base_year", "int", "Base year of a change (empty for shares)", True),
            _c("value", "float", "Value in `unit`; changes are signed (negative = fall)"),
            _c("unit", "str", "percent vs base_year or percent of energy consumption"),
        ),
        key=("indicator", "year", "base_year"),
    )
)

_register(
    Table(
        "ets_coverage",
        "ets_coverage.csv",
        "National ETS coverage and allowance allocation by sector and emissions year, 2021-2030 "
        "(after 2025 a scenario assumption).",
        (
            _c("sector", "str", "ETS sector: power, steel, cement, aluminium, chemicals"),
            _c("model_sector", "str", "'power' (the planner's) or the model sector of SECTORS it falls in"),
            _c("year", "int", "Emissions year the rule applies to"),
            _c("covered", "bool", "Emissions of the year are subject to surrender"),
            _c("allocation", "str", "One of ETS_ALLOCATION"),
            _c("note", "str", "Scope details (entities, gases, deadlines)", True),
        ),
        key=("sector", "year"),
        allowed={"model_sector": ("power", *SECTORS), "allocation": ETS_ALLOCATION},
    )
)

_register(
    Table(
        "ets_prices",
        "ets_prices.csv",
        "National ETS allowance (CEA) prices and volumes by year, and the default price path "
        "(observed annual averages, then a scenario assumption).",
        (
            _c("year", "int", "Calendar year"),
            _c(
                "variable",
                "str",
                "average_price, year_end_close, traded_volume, turnover, default_price_path",
            ),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "CNY/t (nominal), Mt, bnCNY (nominal)"),
        ),
        key=("year", "variable"),
        allowed={
            "variable": ("average_price", "year_end_close", "traded_volume", "turnover", "default_price_path")
        },
    )
)

_register(
    Table(
        "ets_benchmarks",
        "ets_benchmarks.csv",
        "Free-allocation benchmarks of the national ETS, where found (allowances = output x benchmark).",
        (
            _c("sector", "str", "ETS sector"),
            _c("category", "str", "Unit class within the sector"),
            _c("year", "int", "First year of the allocation plan the value belongs to"),
            _c("value", "float", "Benchmark in `unit`"),
            _c("unit", "str", "tCO2/MWh or tCO2/GJ"),
        ),
        key=("sector", "category", "year"),
    )
)


# --------------------------------------------------------------------------------------
# Power-sector statistics for issue 11 (built by calibration/build/build_power_data.py;
# sources and gaps in calibration/data/SOURCES-power.md)
# --------------------------------------------------------------------------------------

GRID_REGIONS = ("north", "northeast", "east", "central", "northwest", "south", "southwest")
"""Regional grids of the MEE/NBS regional electricity CO2 factors (2021 onwards)."""

_register(
    Table(
        "utilisation_hours",
        "utilisation_hours.csv",
        "Published utilisation (full-load) and operating hours by province or nationally.",
        (
            _c("region", "str", "'national' or a province_code"),
            _c("year", "int", "Calendar year"),
            _c("variable", "str", "See allowed values"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "h"),
        ),
        key=("region", "year", "variable"),
        allowed={
            "variable": (
                "thermal_utilisation_hours",  # NEA, plants >= 6 MW, all thermal (coal, gas, ...)
                "coal_unit_utilisation_hours",  # NEA reliability statistics, coal units
                "coal_unit_operating_hours",  # same sample: hours in operation (not full-load)
                "all_utilisation_hours",  # NEA, plants >= 6 MW, all technologies
                "nuclear_utilisation_hours",  # China Nuclear Energy Association
            ),
            "unit": ("h",),
        },
    )
)

_register(
    Table(
        "availability",
        "availability.csv",
        "Availability and outage shares of dispatchable technologies (fraction of period hours).",
        (
            _c("tech", "str", "One of POWER_TECHS"),
            _c("region", "str", "'national' or a province_code"),
            _c("year", "int", "Calendar year"),
            _c("season", "str", "annual (no seasonal split compiled yet)"),
            _c(
                "parameter",
                "str",
                "availability (available hours / period hours) or outage_share (1 - availability)",
            ),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "fraction"),
        ),
        key=("tech", "region", "year", "season", "parameter"),
        allowed={
            "tech": POWER_TECHS,
            "season": ("annual",),
            "parameter": ("availability", "outage_share"),
            "unit": ("fraction",),
        },
    )
)

_register(
    Table(
        "grid_emission_factors",
        "grid_emission_factors.csv",
        "Published electricity CO2 emission factors: national, regional grid and provincial.",
        (
            _c("scope", "str", "national | regional | province"),
            _c("region", "str", "'national', a GRID_REGIONS id, or a province_code"),
            _c("regional_grid", "str", "For provinces: the regional grid it belongs to", True),
            _c("year", "int", "Year the factor describes (not the publication year)"),
            _c(
                "factor_type",
                "str",
                "average (all generation), average_excl_market_nonfossil, fossil (fossil generation only)",
            ),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "tCO2/MWh"),
        ),
        key=("region", "year", "factor_type"),
        allowed={
            "scope": ("national", "regional", "province"),
            "regional_grid": GRID_REGIONS,
            "factor_type": ("average", "average_excl_market_nonfossil", "fossil"),
            "unit": ("tCO2/MWh",),
        },
    )
)

_register(
    Table(
        "coal_prices_regional",
        "coal_prices_regional.csv",
        "Thermal-coal prices by place and basis (port, mine-mouth, NDRC contract ranges), "
        "per tonne at the stated calorific value and per tce; nominal CNY of the year.",
        (
            _c("item", "str", "Quote or series id"),
            _c("location", "str", "Where the price applies"),
            _c("region", "str", "'national' or the province_code of the location"),
            _c("basis", "str", "See allowed values"),
            _c("year", "int", "Year of the price"),
            _c("calorific_kcal_per_kg", "float", "Net calorific value the per-tonne price refers to"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "CNY/t (at calorific_kcal_per_kg) or CNY/tce (7,000 kcal/kg)"),
        ),
        key=("item", "unit"),
        allowed={
            "basis": (
                "port_spot",
                "market_spot",
                "port_annual_estimate",
                "mine_mouth_estimate",
                "ndrc_range_low",
                "ndrc_range_high",
                "ndrc_range_mid",
            ),
            "unit": ("CNY/t", "CNY/tce"),
        },
    )
)

_register(
    Table(
        "tariffs",
        "tariffs.csv",
        "Coal-power benchmark on-grid tariffs (燃煤发电基准价) by province.",
        (
            _c("region", "str", "'national' or a province_code"),
            _c("year", "int", "Year the tariff applies to"),
            _c("item", "str", "coal_benchmark"),
            _c("value", "float", "Value in `unit`"),
            _c("unit", "str", "CNY/kWh"),
        ),
        key=("region", "year", "item"),
        allowed={"item": ("coal_benchmark",), "unit": ("CNY/kWh",)},
    )
)
