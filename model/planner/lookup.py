"""Data lookups of the planner adapter: technology classes and values, availability, plan
hours, grid factors and price series from the compiled tables, cached per data version.

Values given by year in a table are interpolated linearly between the years present and held
flat outside them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

BASE_YEAR = 2020
PROGRAMME_HORIZON = 2030  # efficiency_programmes.potential_share is "by 2030"


@dataclass(frozen=True)
class TechClasses:
    """The technology taxonomy of ``tech_classes.csv`` (generators in the planner's order)."""

    gen_kind: dict[str, str]
    renewable: frozenset[str]
    buildable_without_potential: frozenset[str]  # generators built up to a build rate only
    storage: dict[str, tuple[str, float]]  # fixed-duration storage: name -> (cost tech, hours)

    @classmethod
    def from_table(cls, tc: pd.DataFrame) -> TechClasses:
        gen = tc[tc["role"] == "generator"]
        fixed = tc[(tc["role"] == "storage") & tc["duration_h"].notna()]
        return cls(
            gen_kind=dict(zip(gen["tech"], gen["kind"], strict=True)),
            renewable=frozenset(gen.loc[gen["renewable"], "tech"]),
            buildable_without_potential=frozenset(gen.loc[gen["buildable_without_potential"], "tech"]),
            storage={
                t: (c, float(h))
                for t, c, h in zip(fixed["tech"], fixed["cost_tech"], fixed["duration_h"], strict=True)
            },
        )

    def rank(self, tech: str) -> int:
        """Position of a generator in the planner's order (others last)."""
        order = list(self.gen_kind)
        return order.index(tech) if tech in order else len(order)


def crf(rate: float, lifetime: float) -> float:
    """Capital recovery factor, 1/yr: rate / (1 - (1 + rate)^-lifetime)."""
    if rate == 0:
        return 1.0 / lifetime
    return rate / (1.0 - (1.0 + rate) ** -lifetime)


class _Static:
    """Dict views of every table but ``technologies``, and what planner_input reads of them
    per city: shared by copies of the data that differ in technology parameters only (a
    batch's cost samples), so those do not read the same rows again."""

    def __init__(self, base) -> None:
        self.tables = {k: v for k, v in base.tables.items() if k != "technologies"}  # kept alive
        pr = base.prices.sort_values("year")
        self.prices = {
            k: (g["year"].to_numpy(float), g["value"].to_numpy(float))
            for k, g in pr.groupby(["item", "region"])
        }
        self.params: dict[str, float] = {}
        for name in ("agent_parameters", "planner_parameters"):  # planner wins on a clash
            df = base.tables.get(name)
            if df is not None:
                self.params.update(zip(df["name"], df["value"].astype(float), strict=True))
        self.ef = dict(
            zip(base.emission_factors["item"], base.emission_factors["value"].astype(float), strict=True)
        )
        self.units = {c: g for c, g in base.power_units.groupby("city_id")}
        av = base.tables["availability"]
        av = av[(av["parameter"] == "availability") & (av["season"] == "annual")]
        self.availability = {
            (t, r): (g["year"].to_numpy(float), g["value"].to_numpy(float))
            for (t, r), g in av.sort_values("year").groupby(["tech", "region"])
        }
        uh = base.tables["utilisation_hours"]
        self.hours = {
            (v, r): (g["year"].to_numpy(float), g["value"].to_numpy(float))
            for (v, r), g in uh.sort_values("year").groupby(["variable", "region"])
        }
        gef = base.tables["grid_emission_factors"]
        prov = gef[gef["scope"] == "province"]
        self.regional_grid = dict(zip(prov["region"], prov["regional_grid"], strict=True))
        reg = gef[(gef["scope"] == "regional") & (gef["factor_type"] == "average")]
        self.grid_factor = {
            r: (g["year"].to_numpy(float), g["value"].to_numpy(float))
            for r, g in reg.sort_values("year").groupby("region")
        }
        self.potentials = {c: g for c, g in base.potentials.groupby("city_id")}
        self.fossil: dict[str, pd.DataFrame] = {}
        self.classes = TechClasses.from_table(base.tech_classes)
        self.cities: dict[str, dict] = {}  # _city_data
        self.unit_heat_rates: dict[tuple[str, str], float | None] = {}
        self.programmes: dict[str, list] = {}
        self.profile_keys: dict[str, str] = {}


_STATICS: dict[tuple, _Static] = {}


def _static(base) -> _Static:
    key = tuple((k, id(v)) for k, v in sorted(base.tables.items()) if k != "technologies")
    st = _STATICS.get(key)
    if st is None:
        if len(_STATICS) >= 8:  # bounded: each holds its tables
            _STATICS.pop(next(iter(_STATICS)))
        st = _STATICS[key] = _Static(base)
    return st


class _Lookup:
    """Dict views of the tables the adapter reads: technologies per data version, the rest
    shared (:class:`_Static`)."""

    def __init__(self, base) -> None:
        t = base.technologies.sort_values("year")
        self.tech = {
            k: (g["year"].to_numpy(float), g["value"].to_numpy(float))
            for k, g in t.groupby(["tech", "parameter"])
        }
        self.values: dict[tuple, float] = {}  # tech_value by (tech, parameter, year, default)
        st = self.static = _static(base)
        self.prices, self.params, self.ef = st.prices, st.params, st.ef
        self.units, self.potentials, self.fossil = st.units, st.potentials, st.fossil
        self.cities, self.programmes, self.profile_keys = st.cities, st.programmes, st.profile_keys
        self.availability, self.hours = st.availability, st.hours
        self.regional_grid, self.grid_factor = st.regional_grid, st.grid_factor


_LOOKUPS: dict[tuple[int, str], _Lookup] = {}


def lookup(base) -> _Lookup:
    key = (id(base), base.version)
    if key not in _LOOKUPS:
        _LOOKUPS[key] = _Lookup(base)
    return _LOOKUPS[key]


def param(base, name: str) -> float:
    """A scalar of planner_parameters.csv (or agent_parameters.csv)."""
    try:
        return lookup(base).params[name]
    except KeyError:
        return base.param(name)  # raises the loader's message


def tech_value(base, tech: str, parameter: str, year: int, default: float | None = None) -> float:
    """A technologies.csv value interpolated to ``year`` (held flat outside the years given)."""
    lk = lookup(base)
    key = (tech, parameter, year, default)
    v = lk.values.get(key)
    if v is not None:
        return v
    series = lk.tech.get((tech, parameter))
    if series is None:
        if default is None:
            raise KeyError(f"technologies.csv has no '{parameter}' for '{tech}'")
        return default
    v = lk.values[key] = float(np.interp(year, *series))
    return v


def _series_value(table: Mapping, keys: Sequence, year: int) -> float | None:
    """The first of ``keys`` present in ``table`` (year and value arrays), at ``year``."""
    for key in keys:
        if key in table:
            return float(np.interp(year, *table[key]))
    return None


def availability(base, tech: str, province: str, year: int) -> float:
    """Share of capacity available in any hour (availability.csv: the province's row, else
    the national one; held flat outside the years given); 1.0 where the table has none."""
    v = _series_value(lookup(base).availability, [(tech, province), (tech, "national")], year)
    return 1.0 if v is None else v


def plan_hours(base, tech: str, province: str, year: int = BASE_YEAR) -> float | None:
    """Annual hours the generation plan gives a fossil plant in ``year``, h (utilisation_hours.csv).

    Coal: in the base year the province's 2020 coal-unit utilisation hours (which reproduces the
    2020 dispatch; raised to ``fossil_hours_floor`` where the statistic lies just below it);
    after it, the most hours the province's coal units ran in any recorded year (2018-2020), so
    that plants can run more when demand outgrows other supply, as they did in 2021 and 2023,
    but not beyond what they have been seen to run. Other fossil plants: the national thermal
    hours of 2020.
    """
    hours = lookup(base).hours
    key = ("coal_unit_utilisation_hours", province)
    if tech != "coal" or key not in hours:
        return _series_value(hours, [("thermal_utilisation_hours", "national")], BASE_YEAR)
    if year <= BASE_YEAR:
        stat = _series_value(hours, [key], BASE_YEAR)
        # a statistic of large units only, below the plausible band: the band's edge, if it
        # lies within 10 % of the statistic (planner_parameters.csv fossil_hours_floor)
        floor = lookup(base).params.get("fossil_hours_floor", 0.0)
        return max(stat, min(floor, 1.1 * stat))
    years, values = hours[key]
    return float(values[years <= BASE_YEAR].max())


def grid_factor(base, province: str, year: int) -> float:
    """CO2 of the province's regional grid, tCO2/MWh (grid_emission_factors.csv, MEE regional
    averages; interpolated, held flat outside the years published)."""
    lk = lookup(base)
    grid = lk.regional_grid.get(province)
    v = _series_value(lk.grid_factor, [grid], year) if grid else None
    if v is None:
        raise KeyError(f"grid_emission_factors.csv: no regional factor for province {province!r}")
    return v


def price_series(base, item: str, region: str, years: Sequence[int]) -> tuple[float, ...] | None:
    """prices.csv values for ``item`` in ``region`` (else national), interpolated, or None."""
    prices = lookup(base).prices
    for reg in (region, "national"):
        series = prices.get((item, reg))
        if series is not None:
            return tuple(float(np.interp(y, *series)) for y in years)
    return None
