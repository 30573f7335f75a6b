"""What the planner reads: plain, typed dataclasses with the unit of every field.

The planner's LP sees only a :class:`PlannerInput`; nothing in :mod:`zonesim.planner.build`
reads a data table. The adapter that fills a ``PlannerInput`` from the compiled tables is
:func:`zonesim.planner.adapter.planner_input`.

Units inside the planner (chosen so that every coefficient of the LP is near 1):

==========  =====================================================================
power       GW (capacity, hourly dispatch; one hour of dispatch is GWh)
energy      TWh for electricity per year; Mtce for fuels and primary energy
CO2         MtCO2
money       bnCNY2020 (1e9 CNY at constant 2020 prices)
prices      bnCNY/Mtce (= CNY/tce x 1e-3), bnCNY/TWh (= CNY/MWh x 1e-3),
            bnCNY/GW (= CNY/kW x 1e-3), bnCNY/MtCO2 (= CNY/tCO2 x 1e-3)
heat rate   Mtce/TWh (= tce/MWh = kgce/kWh; 300 gce/kWh is 0.300)
==========  =====================================================================

Per-year values are tuples with one entry per year of :attr:`PlannerInput.years`; a target
tuple may hold ``None`` for a year without that target.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, replace
from typing import Literal, NewType, Protocol

import numpy as np
from zonesim.units import HOURS_PER_DAY

TechName = NewType("TechName", str)
"""A generating or storage technology (``coal``, ``solar``, ``battery_2h``, ...)."""
LandClass = NewType("LandClass", str)
"""A land class of the resource potential (``desert``, ``rooftop``, ...)."""
Carrier = NewType("Carrier", str)
"""A fossil final-energy carrier (``coal``, ``oil``, ``gas``, ``heat``)."""

FOSSIL_CARRIERS: tuple[Carrier, ...] = tuple(Carrier(c) for c in ("coal", "oil", "gas", "heat"))
"""Carriers of fossil final use, in the order results report them."""

ANY_LAND = LandClass("any")
"""Land class of technologies that are built without a resource potential (gas, batteries)."""


GenKind = Literal["fossil", "hydro", "firm", "vre"]


class DaysLike(Protocol):
    """What the planner reads from :class:`zonesim.data.days.RepresentativeDays`."""

    weights: np.ndarray
    load_pu: np.ndarray
    solar_cf: np.ndarray
    wind_cf: np.ndarray


@dataclass(frozen=True)
class Days:
    """Representative days (the planner's copy of ``RepresentativeDays``).

    Attributes:
        weights: (D,) days of the year each representative day stands for; sum 365.
        load_pu: (D, 24) load / annual mean load. The planner rescales it so that the
            weighted year averages exactly 1 (annual demand is then met exactly).
        solar_cf: (D, 24) PV capacity factor, fraction.
        wind_cf: (D, 24) wind capacity factor, fraction.
    """

    weights: np.ndarray
    load_pu: np.ndarray
    solar_cf: np.ndarray
    wind_cf: np.ndarray

    @classmethod
    def of(cls, days: DaysLike) -> Days:
        """Copy any object with the four arrays (e.g. ``RepresentativeDays``)."""
        w = np.asarray(days.weights, dtype=float)
        load = np.asarray(days.load_pu, dtype=float)
        mean = float((w[:, None] * load).sum() / (w.sum() * HOURS_PER_DAY))
        return cls(
            weights=w,
            load_pu=load / mean,
            solar_cf=np.asarray(days.solar_cf, dtype=float),
            wind_cf=np.asarray(days.wind_cf, dtype=float),
        )

    @property
    def n_days(self) -> int:
        return int(self.weights.shape[0])

    def profile(self, name: str) -> np.ndarray:
        """The (D, 24) availability series named ``solar`` or ``wind``."""
        return {"solar": self.solar_cf, "wind": self.wind_cf}[name]


@dataclass(frozen=True)
class Generator:
    """A generating technology of the city: existing fleet and new build.

    Attributes:
        name: technology name (``coal``, ``gas``, ``hydro``, ``wind``, ``solar``, ...).
        kind: ``fossil`` (burns ``fuel``), ``hydro`` (annual energy limited by
            ``full_load_hours``), ``firm`` (other dispatchable non-fossil: nuclear, biomass),
            ``vre`` (wind, PV: hourly availability from ``profile``).
        existing_gw: capacity in operation before the first planning year, GW.
        base_gw: capacity in the accounting base year (2020), GW. Non-fossil generation
            of capacity above it is "new" under the accounting rule.
        fuel: carrier burnt (``coal`` or ``gas``) for ``fossil``; ``None`` otherwise.
        heat_rate: fuel input per output, Mtce/TWh (= tce/MWh); 0 for non-fossil.
        profile: ``solar`` or ``wind`` for ``vre``; ``None`` otherwise.
        capex: overnight investment cost of new build, bnCNY/GW (= CNY/kW x 1e-3).
        capex_annual: annualised investment cost, bnCNY/GW/yr.
        fom: fixed operation and maintenance cost, bnCNY/GW/yr.
        capacity_credit: share of capacity counted as firm for the peak, fraction.
        full_load_hours: maximum annual energy per capacity, h (hydro's water; for fossil
            plants the annual generation plan, 计划电量); ``None`` = no limit.
        plan_floor_hours: least annual energy per capacity of a fossil plant with a plan, h
            (the base year's dispatch follows the year's generation plan; 0 = no floor).
        availability: share of capacity available in any hour (planned and forced
            outages) for dispatchable technologies, fraction; vre use ``profile`` instead.
        min_load: minimum output as a share of capacity in every hour (coal must-run), fraction.
        buildable: new capacity may be built.
        build_limit_gw: most new capacity per year, GW/yr (``inf`` = no limit).
        renewable: non-fossil capacity whose new build counts as "new renewables".
        adequacy_only: new capacity only for the firm-capacity need the existing fleet and
            imports leave (coal from 2021: a supply-security source, not a product to sell).
    """

    name: TechName
    kind: GenKind
    existing_gw: float
    base_gw: float = 0.0
    fuel: Carrier | None = None
    heat_rate: float = 0.0
    profile: str | None = None
    capex: float = 0.0
    capex_annual: float = 0.0
    fom: float = 0.0
    capacity_credit: float = 1.0
    full_load_hours: float | None = None
    availability: float = 1.0
    plan_floor_hours: float = 0.0
    min_load: float = 0.0
    buildable: bool = False
    build_limit_gw: float = math.inf
    adequacy_only: bool = False
    renewable: bool = False


@dataclass(frozen=True)
class Storage:
    """A storage technology (battery, pumped hydro).

    Attributes:
        name: ``battery_2h``, ``battery_4h``, ``pumped_hydro``, ...
        existing_gw: power capacity in operation before the first planning year, GW.
        duration_h: energy / power, h (fixed per technology).
        efficiency: round-trip efficiency, fraction (charging losses; discharge is lossless).
        capex: overnight cost per power capacity incl. its energy part, bnCNY/GW.
        capex_annual: annualised ``capex``, bnCNY/GW/yr.
        fom: fixed O&M per power capacity, bnCNY/GW/yr.
        capacity_credit: share of power capacity counted as firm for the peak, fraction.
        buildable: new capacity may be built.
        build_limit_gw: most new power capacity per year, GW/yr.
    """

    name: TechName
    existing_gw: float
    duration_h: float
    efficiency: float
    capex: float = 0.0
    capex_annual: float = 0.0
    fom: float = 0.0
    capacity_credit: float = 0.0
    buildable: bool = False
    build_limit_gw: float = math.inf


@dataclass(frozen=True)
class Programme:
    """An industrial efficiency or electrification programme (continuous).

    Attributes:
        name: ``<sector>:<programme>``, e.g. ``steel:efficiency``.
        kind: ``efficiency`` (saves fossil final energy) or ``electrification`` (replaces
            fossil final energy by electricity).
        potential_mtce: per year, the most fossil final energy saved or switched, Mtce/yr.
        cost: annual cost per unit of level, bnCNY/Mtce (= CNY/tce x 1e-3).
        carrier_shares: share of each fossil carrier in what the programme displaces; sums to 1.
        existing_mtce: level reached before the first planning year, Mtce/yr (kept).
        feedstock_share: share of what the programme displaces that was counted as
            feedstock (the accounting's feedstock is a share of the chemical sector's fossil
            use, so a chemicals programme lowers it), fraction.
    """

    name: str
    kind: Literal["efficiency", "electrification"]
    potential_mtce: tuple[float, ...]
    cost: float
    carrier_shares: Mapping[Carrier, float]
    existing_mtce: float = 0.0
    feedstock_share: float = 0.0


@dataclass(frozen=True)
class CityOutlook:
    """The agents' outlook of the city, per year, before the planner's programmes.

    Attributes:
        electricity_twh: electricity demand of the city (final use), TWh.
        fossil_final_mtce: fossil final use by carrier (coal, oil, gas, heat), Mtce,
            feedstock included.
        feedstock_mtce: the part of ``fossil_final_mtce`` used as feedstock, Mtce.
        gdp_bn: GDP, bnCNY2020.
        programme_potential_mtce: optional, per (sector, programme), the fossil final use
            that programmes could save or switch by 2030, Mtce/yr (the agents' view of what
            is still open); ``None`` = potential_share x 2020 use of the sector.
    """

    electricity_twh: tuple[float, ...]
    fossil_final_mtce: Mapping[Carrier, tuple[float, ...]]
    feedstock_mtce: tuple[float, ...]
    gdp_bn: tuple[float, ...]
    programme_potential_mtce: Mapping[tuple[str, str], float] | None = None


@dataclass(frozen=True)
class Market:
    """Prices, emission factors and the link to the provincial grid.

    Attributes:
        fuel_price: per carrier and year, bnCNY/Mtce (= CNY/tce x 1e-3). Carriers without
            a price cost nothing in the objective.
        import_price: price of electricity bought from the provincial grid, bnCNY/TWh.
        export_price: price received for electricity sold to the grid, bnCNY/TWh.
        import_limit_gw: most import in any hour, GW.
        export_limit_gw: most export in any hour, GW.
        grid_emission_factor: CO2 of the supplying regional grid's electricity, MtCO2/TWh
            (= tCO2/MWh). Where a carbon price applies to generators, grid electricity
            carries its carbon cost: import and export prices rise by price x factor.
        emission_factor: CO2 per fossil carrier burnt, MtCO2/Mtce (= tCO2/tce).
        import_capacity_credit: share of ``import_limit_gw`` counted as firm, fraction.
        trade_pace: most change of annual net import from one year to the next, as a share
            of the year's demand, fraction/yr (long-term contracts and lines fix most flows);
            ``inf`` = no such limit (no ``trade_pace`` rows).
        net_import_prev_twh: net import of the year before the first planning year, TWh
            (negative = export); ``None`` = not known (base year): the change is then
            bounded only by the hourly import and export limits.
        export_cap_twh: most gross export in a year, TWh: the city's base-year exports
            (its 2020 contracts and lines; a new export line is a national decision the
            city's plan cannot take); ``None`` = only the hourly limit (base year). Applies
            with ``trade_pace``.
    """

    fuel_price: Mapping[Carrier, tuple[float, ...]]
    import_price: tuple[float, ...]
    export_price: tuple[float, ...]
    import_limit_gw: float
    export_limit_gw: float
    grid_emission_factor: float
    emission_factor: Mapping[Carrier, float]
    import_capacity_credit: float = 0.0
    trade_pace: float = math.inf
    net_import_prev_twh: float | None = None
    export_cap_twh: float | None = None


@dataclass(frozen=True)
class PlannerParameters:
    """Scalar planner parameters (``planner_parameters.csv``), in planner units.

    Attributes:
        discount_rate: social discount rate, 1/yr.
        reserve_margin: firm capacity above the peak load, fraction.
        peak_pu: annual peak load / mean load (from the full 8760-hour profile), fraction.
        slack_penalty_energy: cost of a Mtce above an energy or coal target, bnCNY/Mtce.
        slack_penalty_co2: cost of a MtCO2 above a CO2 target, bnCNY/MtCO2.
        slack_penalty_reserve: cost of a GW of firm capacity short, bnCNY/GW/yr.
        lost_load_penalty: cost of unserved electricity, bnCNY/TWh.
        budget_overrun_penalty: cost of one bnCNY spent above the budget, bnCNY/bnCNY.
        coal_flex_min_load: minimum load of coal capacity after a flexibility retrofit, fraction.
        coal_flex_capex: overnight cost of the flexibility retrofit, bnCNY/GW.
        coal_flex_capex_annual: annualised ``coal_flex_capex``, bnCNY/GW/yr.
        electrification_twh_per_mtce: electricity that replaces one Mtce of fossil final
            use, TWh/Mtce.
    """

    discount_rate: float
    reserve_margin: float
    peak_pu: float
    slack_penalty_energy: float
    slack_penalty_co2: float
    slack_penalty_reserve: float
    lost_load_penalty: float
    budget_overrun_penalty: float
    coal_flex_min_load: float
    coal_flex_capex: float
    coal_flex_capex_annual: float
    electrification_twh_per_mtce: float


@dataclass(frozen=True)
class Counting:
    """Which energy counts toward the total and the intensity check in one year.

    The same fields as :class:`zonesim.accounting.Counting`, so an instance of either works.
    """

    nonfossil_old_in_total: bool = True
    nonfossil_new_in_total: bool = True
    nonfossil_in_intensity: bool = True
    feedstock_in_total: bool = True
    feedstock_in_intensity: bool = True

    @classmethod
    def of(cls, other: object) -> Counting:
        """Copy any object with the five boolean attributes."""
        return cls(**{f.name: bool(getattr(other, f.name)) for f in fields(cls)})


OptYears = tuple[float | None, ...] | None


@dataclass(frozen=True)
class PlannerPolicy:
    """The scenario's rules for one planning horizon (one entry per year where per year).

    Attributes:
        energy_cap_mtce: cap on counted total energy, Mtce; ``None`` = no target.
        intensity_cap: cap on counted energy per GDP, tce per 10k CNY; ``None`` = no target.
        coal_cap_mtce: cap on coal burnt (final use + power), Mtce; ``None`` = no cap.
        co2_cap_mt: cap on CO2, MtCO2; ``None`` = no cap.
        co2_intensity_cap: cap on CO2 per GDP, tCO2 per 10k CNY; ``None`` = no target.
        counting: per year, which energy counts (see :class:`Counting`).
        conversion_factor: primary energy per electricity, Mtce/TWh (= kgce/kWh): the
            coal-equivalent supply heat rate (e.g. 0.3055 in 2020) or calorific 0.1229.
        storage_power_ratio: storage power to build per new wind + PV power, fraction.
        storage_duration_h: duration that storage energy must cover, h.
        carbon_price: per year, CNY/tCO2 (on local fossil CO2).
        final_carbon_price: per year, CNY/tCO2 on firms' final fossil use, as public programmes
            see it; ``None`` = ``carbon_price`` (the price reaches every firm).
        budget_bn: per year, most investment outlay, bnCNY; ``None`` = no budget.
        forced_coal_retirement_gw: per year, coal capacity that must retire, GW.
        min_coal_gw: coal capacity kept for security of supply, GW.
        coal_substitution_ratio: GW of coal retired per GW of new coal (减量替代);
            ``None`` = new coal needs no substitution.
        co2_includes_imports: CO2 targets count net imported electricity at the grid's
            factor (territorial + imports); ``False`` = territorial CO2 only.
        storage_land_classes: land classes whose new wind and PV carry the storage ratio
            (``None`` = all); the rest carry ``storage_power_ratio_other``.
        storage_power_ratio_other: storage power per new wind + PV off those classes.
        build_order_share: per year, the share of the remaining wind and PV potential on
            ``storage_land_classes`` that must be built (the bases the policy orders), 1/yr.
            Their developers finance them with their coupled storage: outside the budget.
        storage_charges_from_vre: batteries charge only from wind and PV (new energy and
            storage run together), never from fossil plants or imports.
        free_allocation: per fossil technology, the allowances a plant is granted per unit
            of output, tCO2/MWh (= MtCO2/TWh), under an output-based free allocation (the
            national ETS benchmarks); its carbon cost is then the price times its CO2 above
            the allocation (negative below it), and grid electricity carries no carbon cost
            (the supplying plants are allocated alike). ``None`` = plants pay for all CO2.
        other_per_fossil_final, other_per_power_fuel: the part of each measure (``energy``,
            ``coal``: Mtce; ``co2``: MtCO2) the LP does not model (the base-year residual:
            transformation losses, process CO2, statistical difference), per Mtce of fossil
            final use or of fuel burnt in local power plants; it moves with the plan.
    """

    counting: tuple[Counting, ...]
    conversion_factor: tuple[float, ...]
    carbon_price: tuple[float, ...]
    forced_coal_retirement_gw: tuple[float, ...]
    energy_cap_mtce: OptYears = None
    intensity_cap: OptYears = None
    coal_cap_mtce: OptYears = None
    co2_cap_mt: OptYears = None
    co2_intensity_cap: OptYears = None
    budget_bn: OptYears = None
    final_carbon_price: OptYears = None
    storage_power_ratio: float = 0.0
    storage_duration_h: float = 2.0
    min_coal_gw: float = 0.0
    coal_substitution_ratio: float | None = None
    co2_includes_imports: bool = True
    storage_land_classes: frozenset[str] | None = None
    storage_power_ratio_other: float = 0.0
    build_order_share: float = 0.0
    storage_charges_from_vre: bool = False
    free_allocation: Mapping[str, float] | None = None
    other_per_fossil_final: Mapping[str, float] = field(default_factory=dict)
    other_per_power_fuel: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannerInput:
    """Everything one city's LP needs, for the years ``years`` (current -> target).

    Attributes:
        city_id: the city.
        years: consecutive calendar years of the horizon; the first is the current year.
        days: representative days (weights and (D, 24) load and availability).
        generators: generating technologies present or buildable.
        storage: storage technologies present or buildable.
        potentials: remaining potential per (technology, land class), GW. A technology
            with entries here can only be built on them.
        programmes: industrial efficiency and electrification programmes.
        outlook: the agents' per-year outlook of demand, fossil use and GDP.
        market: prices, emission factors, grid link.
        params: scalar planner parameters.
        policy: the scenario's rules.
        existing_flex_gw: coal capacity already retrofitted for flexibility, GW.
    """

    city_id: str
    years: tuple[int, ...]
    days: Days
    generators: tuple[Generator, ...]
    storage: tuple[Storage, ...]
    potentials: Mapping[tuple[TechName, LandClass], float]
    programmes: tuple[Programme, ...]
    outlook: CityOutlook
    market: Market
    params: PlannerParameters
    policy: PlannerPolicy
    existing_flex_gw: float = 0.0
    notes: tuple[str, ...] = field(default=(), compare=False)

    @property
    def n_years(self) -> int:
        return len(self.years)

    def generator(self, name: str) -> Generator | None:
        return next((g for g in self.generators if g.name == name), None)

    def validate(self) -> list[str]:
        """Inconsistencies of the input, each naming the field; empty when consistent."""
        return _validate(self)

    def window(self, start: int, length: int) -> PlannerInput:
        """The same input restricted to years ``years[start:start + length]``."""
        sl = slice(start, start + length)
        return replace(
            self,
            years=self.years[sl],
            programmes=tuple(replace(p, potential_mtce=p.potential_mtce[sl]) for p in self.programmes),
            outlook=_slice_fields(self.outlook, sl),
            market=_slice_fields(self.market, sl),
            policy=_slice_fields(self.policy, sl),
        )


def _slice_fields(obj, sl: slice):
    """Slice every per-year tuple (and per-key tuples of mappings) of a dataclass."""
    changes = {}
    for f in fields(obj):
        v = getattr(obj, f.name)
        if isinstance(v, tuple):
            changes[f.name] = v[sl]
        elif isinstance(v, Mapping) and v and all(isinstance(x, tuple) for x in v.values()):
            changes[f.name] = {k: x[sl] for k, x in v.items()}
    return replace(obj, **changes)


def _per_year_fields(inp: PlannerInput):
    """(name, value) of every per-year tuple of the input, for length checks."""
    for owner, obj in (("outlook", inp.outlook), ("market", inp.market), ("policy", inp.policy)):
        for f in fields(obj):
            v = getattr(obj, f.name)
            if isinstance(v, tuple):
                yield f"{owner}.{f.name}", v
            elif isinstance(v, Mapping):
                for k, x in v.items():
                    if isinstance(x, tuple):
                        yield f"{owner}.{f.name}[{k}]", x
    for p in inp.programmes:
        yield f"programmes[{p.name}].potential_mtce", p.potential_mtce


def _validate(inp: PlannerInput) -> list[str]:
    msgs: list[str] = []
    y = inp.n_years
    if y == 0:
        return ["years: empty horizon"]
    if list(inp.years) != list(range(inp.years[0], inp.years[0] + y)):
        msgs.append(f"years: must be consecutive, got {inp.years}")
    for name, v in _per_year_fields(inp):
        if len(v) != y:
            msgs.append(f"{name}: {len(v)} values for {y} years {inp.years}")
    d = inp.days
    if d.load_pu.shape != (d.n_days, HOURS_PER_DAY):
        msgs.append(f"days.load_pu: shape {d.load_pu.shape}, expected ({d.n_days}, 24)")
    for name in ("solar_cf", "wind_cf"):
        a = getattr(d, name)
        if a.shape != (d.n_days, HOURS_PER_DAY) or (a < 0).any() or (a > 1).any():
            msgs.append(f"days.{name}: must be ({d.n_days}, 24) within [0, 1]")
    for g in inp.generators:
        if g.existing_gw < 0 or (g.buildable and g.build_limit_gw < 0):
            msgs.append(f"generators[{g.name}]: negative existing_gw or build_limit_gw")
        if g.kind == "fossil" and (g.fuel is None or g.heat_rate <= 0):
            msgs.append(f"generators[{g.name}]: fossil technology needs fuel and heat_rate > 0")
        if g.kind == "vre" and g.profile not in ("solar", "wind"):
            msgs.append(f"generators[{g.name}]: vre needs profile 'solar' or 'wind'")
    for s in inp.storage:
        if not 0 < s.efficiency <= 1 or s.duration_h <= 0:
            msgs.append(f"storage[{s.name}]: efficiency must be in (0, 1], duration_h > 0")
    for key, pot in inp.potentials.items():
        if pot < 0:
            msgs.append(f"potentials[{key}]: negative potential {pot} GW")
    for p in inp.programmes:
        total = sum(p.carrier_shares.values())
        if p.carrier_shares and abs(total - 1) > 1e-6:
            msgs.append(f"programmes[{p.name}].carrier_shares: sum {total:.4f}, expected 1")
    pol = inp.policy
    coal = inp.generator("coal")
    coal_gw = coal.existing_gw if coal else 0.0
    if len(pol.forced_coal_retirement_gw) == y:
        forced = float(np.sum(pol.forced_coal_retirement_gw))
        if forced > coal_gw + 1e-9:
            msgs.append(
                f"policy.forced_coal_retirement_gw: {forced:.3f} GW to retire over {inp.years} "
                f"but the city has {coal_gw:.3f} GW of coal (generators[coal].existing_gw)"
            )
        can_build = coal is not None and coal.buildable
        if not can_build and coal_gw - forced < pol.min_coal_gw - 1e-9:
            msgs.append(
                f"policy.min_coal_gw: {pol.min_coal_gw:.3f} GW kept for security, but "
                f"generators[coal].existing_gw {coal_gw:.3f} GW less "
                f"policy.forced_coal_retirement_gw {forced:.3f} GW leaves "
                f"{coal_gw - forced:.3f} GW and new coal cannot be built"
            )
    for name, v in _per_year_fields(inp):
        if any(isinstance(x, float) and not math.isfinite(x) for x in v):
            msgs.append(f"{name}: non-finite value")
    if any(g <= 0 for g in inp.outlook.gdp_bn):
        msgs.append("outlook.gdp_bn: GDP must be positive")
    return msgs


def years_of(values: Sequence[float | None] | float | None, n: int) -> tuple:
    """A per-year tuple from a scalar (repeated), ``None`` or a sequence of length ``n``."""
    if values is None:
        return (None,) * n
    if isinstance(values, (int, float)):
        return (float(values),) * n
    out = tuple(None if v is None else float(v) for v in values)
    if len(out) != n:
        raise ValueError(f"expected {n} values, got {len(out)}")
    return out
