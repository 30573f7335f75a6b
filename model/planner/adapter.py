"""Fill a :class:`PlannerInput` from the compiled tables (``zonesim.data.load()``).

:func:`planner_input` takes the data-derived part (fleet, technologies, prices, emission
factors, potentials, programmes, profiles, scalar parameters) from a ``BaseYear`` and the
agents' part (outlook, policy) from the caller. Unit conversions to planner units happen
here and only here:

* MW -> GW (/1e3); CNY/kW -> bnCNY/GW (x1e-3); CNY/kW/yr -> bnCNY/GW/yr (x1e-3);
  CNY/tce -> bnCNY/Mtce (x1e-3); CNY/MWh -> bnCNY/TWh (x1e-3); gce/kWh -> Mtce/TWh (/1e3);
  tce -> Mtce (/1e6); MWh -> TWh (/1e6); tCO2/tce = MtCO2/Mtce; tCO2/MWh = MtCO2/TWh.

Values given by year in a table (technologies, prices) are interpolated linearly between
the years present and held flat outside them.

:func:`default_policy` and :func:`baseline_outlook` build a policy and an outlook from data
alone, for tests, benchmarks and the command line; the agents make their own.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from zonesim.planner import prices as price_paths
from zonesim.planner.inputs import (
    FOSSIL_CARRIERS,
    Carrier,
    CityOutlook,
    Counting,
    Days,
    Generator,
    LandClass,
    Market,
    PlannerInput,
    PlannerParameters,
    PlannerPolicy,
    Programme,
    Storage,
    TechName,
)
from zonesim.planner.lookup import (  # noqa: F401 (some re-exported for callers of the adapter)
    BASE_YEAR,
    PROGRAMME_HORIZON,
    TechClasses,
    availability,
    crf,
    grid_factor,
    lookup,
    param,
    plan_hours,
    price_series,
    tech_value,
)
from zonesim.units import HOURS_PER_YEAR, KILO, MEGA, MILLI

_DAYS: dict[tuple[str, str, int], tuple[Days, float]] = {}
"""Representative days by (profile content, province, D): a copy of the data that changes
only technology costs (a batch's cost samples) reuses the days instead of clustering again."""
DAYS_CACHE_SIZE = 64


def _profile_key(base, province: str) -> str:
    """Content hash of a province's hourly profiles (once per data version and province)."""
    lk = lookup(base)
    key = lk.profile_keys.get(province)
    if key is None:
        prof = base.profiles_for(province)
        h = hashlib.sha256(repr(list(prof.columns)).encode())
        h.update(np.ascontiguousarray(prof.to_numpy(dtype=float)).tobytes())
        key = lk.profile_keys[province] = h.hexdigest()[:16]
    return key


def days_for(base, province: str, n_days: int) -> tuple[Days, float]:
    """Representative days of a province (cached by profile content) and its annual peak / mean load."""
    from zonesim.data.days import representative_days

    key = (_profile_key(base, province), province, int(n_days))
    if key not in _DAYS:
        if len(_DAYS) >= DAYS_CACHE_SIZE:
            _DAYS.pop(next(iter(_DAYS)))
        prof = base.profiles_for(province)
        # rescaled medoids: weighted means equal the annual means (unscaled wind medoids of the
        # synthetic profiles run 8-14 % low), the peak day kept as it is
        days = Days.of(representative_days(prof, int(n_days), rescale=True))
        peak_pu = float(prof["load_pu"].max() / prof["load_pu"].mean())
        _DAYS[key] = (days, peak_pu)
    return _DAYS[key]


def planner_parameters(base) -> PlannerParameters:
    """Scalar planner parameters in planner units (from planner_parameters.csv)."""

    def p(name):
        return param(base, name)

    return PlannerParameters(
        discount_rate=p("discount_rate"),
        reserve_margin=p("reserve_margin"),
        peak_pu=1.0,  # replaced per province in planner_input
        slack_penalty_energy=p("slack_penalty_energy") * MILLI,
        slack_penalty_co2=p("slack_penalty_co2") * MILLI,
        slack_penalty_reserve=p("slack_penalty_reserve") * MILLI,
        lost_load_penalty=p("lost_load_penalty") * MILLI,
        budget_overrun_penalty=p("budget_overrun_penalty"),
        coal_flex_min_load=p("coal_flex_min_load"),
        coal_flex_capex=tech_value(base, "coal_flex_retrofit", "capex_power", BASE_YEAR) * MILLI,
        coal_flex_capex_annual=tech_value(base, "coal_flex_retrofit", "capex_power", BASE_YEAR)
        * MILLI
        * crf(p("discount_rate"), tech_value(base, "coal_flex_retrofit", "lifetime", BASE_YEAR)),
        electrification_twh_per_mtce=p("electrification_mwh_per_tce"),
    )


def planner_input(
    base,
    city_id: str,
    years: Sequence[int],
    outlook: CityOutlook,
    policy: PlannerPolicy,
    n_days: int,
    existing_gw: Mapping[str, float] | None = None,
    potentials_used_gw: Mapping[tuple[str, str], float] | None = None,
    programme_levels_mtce: Mapping[str, float] | None = None,
    existing_flex_gw: float = 0.0,
    prices: price_paths.Prices | None = None,
) -> PlannerInput:
    """The planner's input for ``city_id`` over ``years`` from data, outlook and policy.

    Args:
        base: ``zonesim.data.load()``.
        city_id: a city of cities.csv.
        years: consecutive planning years (current -> target); one year for rolling mode.
        outlook: the agents' outlook for those years.
        policy: the scenario's rules for those years.
        n_days: number of representative days.
        existing_gw: capacity in operation now per technology (GW), when it differs from the
            2020 fleet of power_units.csv (the agents' state in later years).
        potentials_used_gw: capacity built since 2020 per (technology, land class), GW,
            taken off the potentials.
        programme_levels_mtce: programme levels reached so far, Mtce/yr, by programme name.
        existing_flex_gw: coal capacity already retrofitted for flexibility, GW.
        prices: the scenario's price settings (``zonesim.scenario.Prices``); None: the data's
            paths (see ``zonesim.planner.prices``).
    """
    years = tuple(int(y) for y in years)
    y0 = years[0]
    cd = _city_data(base, city_id)
    prov = cd["province"]

    def p(name):
        return param(base, name)

    r = p("discount_rate")
    days, peak_pu = days_for(base, prov, n_days)
    params = _parameters(base, peak_pu)
    lk = lookup(base)
    units = cd["units"]
    existing = dict(cd["fleet_gw"])
    base_fleet = dict(existing)
    if existing_gw is not None:
        existing.update({t: float(v) for t, v in existing_gw.items()})
    used = potentials_used_gw or {}
    potentials = {
        (TechName(tech), LandClass(land)): max(mw / KILO - used.get((tech, land), 0.0), 0.0)
        for tech, land, mw in cd["potentials"]
    }
    pot_techs = {t for t, _ in potentials}
    peak_gw = peak_pu * outlook.electricity_twh[0] * KILO / HOURS_PER_YEAR

    def heat_rate(tech: str) -> float:
        key = (city_id, tech)
        if key not in lk.static.unit_heat_rates:  # the city's units' average, if they have one
            rows = units[(units["tech"] == tech) & units["heat_rate_gce_per_kwh"].notna()]
            v = None
            if not rows.empty and rows["capacity_mw"].sum() > 0:
                w = rows["capacity_mw"].to_numpy(float)
                v = float(np.average(rows["heat_rate_gce_per_kwh"].to_numpy(float), weights=w)) / KILO
            lk.static.unit_heat_rates[key] = v
        v = lk.static.unit_heat_rates[key]
        if v is not None:
            return v
        source = tech if tech in ("coal", "gas") else "coal"
        return tech_value(base, source, "heat_rate", y0) / KILO

    def costs(tech: str) -> dict:
        capex = tech_value(base, tech, "capex_power", y0, 0.0) * MILLI
        # without capex (existing fleet only) no lifetime is needed; with one, technologies.csv gives it
        annual = capex * crf(r, tech_value(base, tech, "lifetime", y0)) if capex else 0.0
        return dict(capex=capex, capex_annual=annual, fom=tech_value(base, tech, "fom", y0, 0.0) * MILLI)

    # coal units on line in proportion to the hours the plan gives them: the fleet's must-run
    # floor (and the floor after a flexibility retrofit) is the units' minimum load times that
    # share, so that a plan of fewer hours than the must-run floor stays feasible
    coal_hours = plan_hours(base, "coal", prov, y0)
    coal_av = availability(base, "coal", prov, y0)
    online = min(coal_hours / (coal_av * HOURS_PER_YEAR), 1.0) if coal_hours else 1.0
    params = replace(params, coal_flex_min_load=params.coal_flex_min_load * online)
    gens = []
    tc = lk.static.classes
    techs = sorted(set(existing) | pot_techs | tc.buildable_without_potential, key=tc.rank)
    for t in techs:
        if t not in tc.gen_kind:
            continue
        kind = tc.gen_kind[t]
        buildable = (t in tc.buildable_without_potential) or (t in pot_techs and kind != "hydro")
        limit = _build_limit(p, t, potentials, peak_gw, tc)
        fuel = Carrier("gas" if t == "gas" else "coal") if kind == "fossil" else None
        gens.append(
            Generator(
                name=TechName(t),
                kind=kind,
                existing_gw=existing.get(t, 0.0),
                base_gw=base_fleet.get(t, 0.0),
                fuel=fuel,
                heat_rate=heat_rate(t) if kind == "fossil" else 0.0,
                profile=t if kind == "vre" else None,
                capacity_credit=p(f"capacity_credit_{t}"),
                full_load_hours=p("hydro_full_load_hours")
                if kind == "hydro"
                else plan_hours(base, t, prov, y0)
                if kind == "fossil"
                else None,
                availability=availability(base, t, prov, y0) if kind != "vre" else 1.0,
                min_load=p("coal_min_load") * online if t == "coal" else 0.0,
                buildable=buildable,
                build_limit_gw=limit if buildable else math.inf,
                renewable=t in tc.renewable,
                **costs(t),
            )
        )
    stores = []
    for name, (tech, hours) in tc.storage.items():
        stores.append(
            _storage(
                base,
                name,
                tech,
                hours,
                y0,
                r,
                existing.get(name, 0.0),
                buildable=True,
                limit=p("build_rate_storage_share_of_peak") * peak_gw,
            )
        )
    ph_pot = any(t == "pumped_hydro" for t, _ in potentials)
    if ph_pot or existing.get("pumped_hydro", 0.0) > 0:
        limit = _build_limit(p, "pumped_hydro", potentials, peak_gw, tc)
        stores.append(
            _storage(
                base,
                "pumped_hydro",
                "pumped_hydro",
                p("pumped_hydro_duration_h"),
                y0,
                r,
                existing.get("pumped_hydro", 0.0),
                buildable=ph_pot,
                limit=limit,
            )
        )
    programmes = _programmes(base, city_id, years, outlook, programme_levels_mtce or {})
    firm_gw = sum(g.capacity_credit * g.existing_gw for g in gens)
    market = _market(base, prov, years, peak_gw, max(firm_gw - peak_gw, 0.0), prices)
    return PlannerInput(
        city_id=city_id,
        years=years,
        days=days,
        generators=tuple(gens),
        storage=tuple(stores),
        potentials=potentials,
        programmes=programmes,
        outlook=outlook,
        market=market,
        params=params,
        policy=policy,
        existing_flex_gw=existing_flex_gw,
    )


def _city_data(base, city_id: str) -> dict:
    """What planner_input reads of a city's rows (province, fleet, potentials), once per data version."""
    lk = lookup(base)
    cd = lk.cities.get(city_id)
    if cd is None:
        city = base.city(city_id)
        units = lk.units.get(city_id, base.power_units.iloc[:0])
        fleet_mw = units.groupby("tech")["capacity_mw"].sum()
        pots = lk.potentials.get(city_id, base.potentials.iloc[:0])
        cd = lk.cities[city_id] = {
            "province": str(city["province_code"]),
            "units": units,
            "fleet_gw": {t: float(v) / KILO for t, v in fleet_mw.items()},
            "potentials": [(row.tech, row.land_class, row.potential_mw) for row in pots.itertuples()],
        }
    return cd


_PARAMETERS: dict[tuple[int, str, float], PlannerParameters] = {}


def _parameters(base, peak_pu: float) -> PlannerParameters:
    """planner_parameters with the province's peak factor (memoised per data version)."""
    key = (id(lookup(base)), base.version, peak_pu)
    out = _PARAMETERS.get(key)
    if out is None:
        if len(_PARAMETERS) > 256:
            _PARAMETERS.clear()
        params = planner_parameters(base)
        out = _PARAMETERS[key] = PlannerParameters(**{**params.__dict__, "peak_pu": peak_pu})
    return out


def _build_limit(p, tech: str, potentials: Mapping, peak_gw: float, tc: TechClasses) -> float:
    """Most new capacity per year, GW/yr (see planner_parameters.csv)."""
    if tech in tc.buildable_without_potential:
        return p("build_rate_thermal_gw")
    pot = sum(v for (t, _), v in potentials.items() if t == tech)
    return p("build_rate_share_of_potential") * pot


def _storage(base, name, tech, hours, y0, r, existing, buildable, limit) -> Storage:
    def p(n):
        return param(base, n)

    capex = (
        tech_value(base, tech, "capex_power", y0) + hours * tech_value(base, tech, "capex_energy", y0, 0.0)
    ) * MILLI
    life = tech_value(base, tech, "lifetime", y0)
    return Storage(
        name=TechName(name),
        existing_gw=existing,
        duration_h=float(hours),
        efficiency=tech_value(base, tech, "efficiency", y0),
        capex=capex,
        capex_annual=capex * crf(r, life),
        fom=tech_value(base, tech, "fom", y0, 0.0) * MILLI,
        capacity_credit=p(f"capacity_credit_{name}"),
        buildable=buildable,
        build_limit_gw=limit,
    )


def _sector_fossil(base, city_id: str) -> pd.DataFrame:
    """Fossil final use 2020 by sector (rows) and carrier (columns), Mtce (cached)."""
    cache = lookup(base).fossil
    if city_id not in cache:
        cache[city_id] = _sector_fossil_uncached(base, city_id)
    return cache[city_id]


def _sector_fossil_uncached(base, city_id: str) -> pd.DataFrame:
    ind = base.industry[
        (base.industry["city_id"] == city_id) & base.industry["variable"].isin(FOSSIL_CARRIERS)
    ]
    return (
        ind.pivot_table(index="sector", columns="variable", values="value", aggfunc="sum")
        .reindex(columns=list(FOSSIL_CARRIERS))
        .fillna(0)
        / MEGA
    )


def _programmes(base, city_id, years, outlook: CityOutlook, levels) -> tuple[Programme, ...]:
    """Programmes of efficiency_programmes.csv; potential ramps linearly 2020 -> 2030."""
    lk = lookup(base)
    rows = lk.programmes.get(city_id)
    if rows is None:  # the city's programme rows, once per data version
        fossil = _sector_fossil(base, city_id)
        rows = []
        for row in base.efficiency_programmes.itertuples():
            if row.sector not in fossil.index:
                continue
            by_carrier = fossil.loc[row.sector]
            total = float(by_carrier.sum())
            if total <= 0:
                continue
            shares = {Carrier(c): float(v / total) for c, v in by_carrier.items() if v > 0}
            rows.append((row.sector, row.programme, row.potential_share * total, row.cost * MILLI, shares))
        lk.programmes[city_id] = rows
    given = outlook.programme_potential_mtce or {}
    ramp = [min(max((y - BASE_YEAR) / (PROGRAMME_HORIZON - BASE_YEAR), 0.0), 1.0) for y in years]
    out = []
    for sector, programme, default_full, cost, shares in rows:
        full = given.get((sector, programme), default_full)
        name = f"{sector}:{programme}"
        out.append(
            Programme(
                name=name,
                kind=programme,
                potential_mtce=tuple(full * f for f in ramp),
                cost=cost,
                carrier_shares=dict(shares),
                existing_mtce=float(levels.get(name, 0.0)),
            )
        )
    return tuple(out)


def _market(
    base, prov: str, years, peak_gw: float, surplus_gw: float, prices: price_paths.Prices | None = None
) -> Market:
    """Prices, limits and factors: coal at the province's mine-mouth or port price, imports
    and exports at its benchmark tariff (``zonesim.planner.prices``), other fuels national."""

    def p(name):
        return param(base, name)

    fuel = {}
    for c in FOSSIL_CARRIERS:
        s = (
            price_paths.coal_price(base, prov, years, prices)
            if c == "coal"
            else price_series(base, c, prov, years)
        )
        if s is not None:
            fuel[Carrier(c)] = tuple(v * MILLI for v in s)
    bench = price_paths.tariff(base, prov, years, prices)
    ef = lookup(base).ef
    grid_ef = grid_factor(base, prov, years[0])
    factors = {Carrier(c): float(ef[c]) for c in ("coal", "oil", "gas") if c in ef}
    factors[Carrier("heat")] = p("heat_emission_factor")
    return Market(
        fuel_price=fuel,
        import_price=tuple(b * MILLI for b in bench),
        export_price=tuple(b * MILLI for b in bench),
        import_limit_gw=p("import_limit_share_of_peak") * peak_gw,
        export_limit_gw=p("export_limit_share_of_surplus") * surplus_gw,
        grid_emission_factor=grid_ef,
        emission_factor=factors,
        import_capacity_credit=p("import_capacity_credit"),
        trade_pace=p("trade_pace_share_of_demand"),
    )


# --------------------------------------------------------------------------- defaults


def baseline_outlook(base, city_id: str, years: Sequence[int]) -> CityOutlook:
    """A data-only outlook: 2020 values grown at the rates of planner_parameters.csv."""

    def p(name):
        return param(base, name)

    hist = base.city_history
    h = hist[(hist["city_id"] == city_id) & (hist["year"] == BASE_YEAR)].set_index("variable")
    fossil = _sector_fossil(base, city_id)
    k = np.array([y - BASE_YEAR for y in years], dtype=float)
    g_gdp = (1 + p("outlook_gdp_growth")) ** k
    g_el = (1 + p("outlook_electricity_growth")) ** k
    g_ff = (1 + p("outlook_fossil_growth")) ** k
    chem = float(fossil.loc["chemicals"].sum()) if "chemicals" in fossil.index else 0.0
    ff = fossil.sum(axis=0)
    return CityOutlook(
        electricity_twh=tuple(float(h.loc["electricity", "value"]) / 1e6 * g_el),
        fossil_final_mtce={Carrier(c): tuple(float(ff[c]) * g_ff) for c in FOSSIL_CARRIERS},
        feedstock_mtce=tuple(p("feedstock_share_chemicals") * chem * g_ff),
        gdp_bn=tuple(float(h.loc["gdp", "value"]) * g_gdp),
    )


def default_policy(
    base,
    city_id: str,
    years: Sequence[int],
    rule: str = "staged",
    conversion: str = "coal_equivalent",
    **overrides,
) -> PlannerPolicy:
    """A policy from data: the city's 2025 intensity targets as a geometric path from 2020,
    the province's storage mandate, the accounting ``rule``, coal substitution 1:1 for any
    new coal (煤电等量替代), no carbon price, no budget."""
    from zonesim.accounting import counting as counting_of

    years = tuple(int(y) for y in years)
    n = len(years)
    city = base.city(city_id)
    prov = str(city["province_code"])
    hist = base.city_history
    h = hist[(hist["city_id"] == city_id) & (hist["year"] == BASE_YEAR)].set_index("variable")
    gdp0 = float(h.loc["gdp", "value"])
    e0 = float(h.loc["energy_total", "value"]) / 1e6
    c0 = float(h.loc["co2", "value"]) / 1e6 if "co2" in h.index else None
    tg = base.city_targets[base.city_targets["city_id"] == city_id].set_index("indicator")

    def path(indicator: str, level0: float | None) -> tuple | None:
        if level0 is None or indicator not in tg.index:
            return None
        row = tg.loc[indicator]
        span = int(row["target_year"]) - int(row["base_year"])
        f = (1 - float(row["value"]) / 100.0) ** (1 / span)
        return tuple(level0 * f ** (y - int(row["base_year"])) for y in years)

    int0 = e0 / gdp0 * 10  # tce per 10k CNY
    co2i0 = c0 / gdp0 * 10 if c0 is not None else None
    sm = base.storage_mandates.set_index("region")
    mandate = sm.loc[prov] if prov in sm.index else sm.loc["national"]
    if conversion == "coal_equivalent":
        k = tuple(base.constant("elec_coal_equivalent_kgce_per_kwh", y) for y in years)
    else:
        k = (base.constant("elec_calorific_kgce_per_kwh"),) * n
    pu = base.power_units
    coal_gw = pu.loc[(pu["city_id"] == city_id) & (pu["tech"] == "coal"), "capacity_mw"].sum()
    fields = dict(
        counting=tuple(Counting.of(counting_of(rule, y)) for y in years),
        conversion_factor=k,
        carbon_price=(0.0,) * n,
        forced_coal_retirement_gw=(0.0,) * n,
        intensity_cap=path("energy_intensity_reduction", int0),
        co2_intensity_cap=path("co2_intensity_reduction", co2i0),
        storage_power_ratio=float(mandate["power_ratio"]),
        storage_duration_h=float(mandate["duration_h"]),
        min_coal_gw=base.param("min_coal_share_of_2020_fleet") * coal_gw / 1e3,
        coal_substitution_ratio=1.0,
    )
    fields.update(overrides)
    return PlannerPolicy(**fields)
