"""The first year of a solved city LP in model units (MW, MWh, tce, t, bnCNY): :class:`PlanOutcome`.

:func:`outcome` reads a :class:`~zonesim.planner.results.PlannerResult`; :meth:`PlanOutcome.realised`
scales it to what the city actually built.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
from zonesim.planner.inputs import PlannerInput
from zonesim.planner.results import PlannerResult
from zonesim.planner.targets import TARGETS
from zonesim.units import KILO, MEGA

NOT_RESOURCE_COST = ("carbon", "slack_penalty", "lost_load")
"""Planner cost items left out of a city's resource cost."""


@dataclass
class PlanOutcome:
    """The first planning year's decisions and energy flows, in model units."""

    status: str
    new_mw: dict[str, float] = field(default_factory=dict)
    storage_mw: dict[str, float] = field(default_factory=dict)
    storage_mwh: dict[str, float] = field(default_factory=dict)
    retire_coal_mw: float = 0.0
    new_by_land_mw: dict[tuple[str, str], float] = field(default_factory=dict)
    generation_mwh: dict[str, float] = field(default_factory=dict)
    coal_tce: float = 0.0  # coal burnt in power plants
    fossil_fuel_tce: float = 0.0  # coal + gas burnt in power plants
    nonfossil_old_mwh: float = 0.0
    nonfossil_new_mwh: float = 0.0
    net_import_mwh: float = 0.0
    export_mwh: float = 0.0  # gross export to the grid
    storage_loss_mwh: float = 0.0
    grid_emission_factor: float = 0.0  # tCO2/MWh of the provincial grid
    co2_t: float = 0.0  # direct CO2 of power plants
    import_co2_t: float = 0.0
    programme_tce: dict[tuple[str, str], float] = field(default_factory=dict)
    capex_bn: float = 0.0
    capex_per_mw: dict[str, float] = field(default_factory=dict)  # overnight cost, bnCNY/MW
    cost_bn: float = 0.0  # resource cost (capital annuity, O&M, fuel, imports, programmes)
    carbon_bn: float = 0.0  # carbon payments on local fossil CO2 (a transfer, not in cost_bn)
    slack: dict[str, float] = field(default_factory=dict)
    marginal_cost: dict[str, float] = field(default_factory=dict)
    """Dual of each target (a true price); NaN where the target is missed (see gap_reason)."""
    gap_reason: dict[str, str] = field(default_factory=dict)
    """Why each missed target is missed (its size is in ``slack``)."""
    messages: list[str] = field(default_factory=list)
    planned_capacity_mw: dict[str, float] = field(default_factory=dict)
    fuel_tce: dict[str, float] = field(default_factory=dict)  # fuel burnt per fossil tech
    co2_by_tech_t: dict[str, float] = field(default_factory=dict)
    nonfossil_new_by_tech_mwh: dict[str, float] = field(default_factory=dict)

    coal_flexible_mw: float = 0.0
    """Coal capacity retrofitted for flexibility after this year's retrofits, MW."""
    coal_flex_retrofit_mw: float = 0.0
    """Coal capacity the plan retrofits for flexibility this year, MW."""
    counted: dict[str, float] = field(default_factory=dict)
    """What the LP counted for its chosen plan in the first year (tce, tCO2): the measures its
    targets constrain (:data:`COUNTED`)."""
    plan: PlanOutcome | None = None
    """The plan this outcome was realised from (None: the plan itself)."""

    def realised(self, capacity_mw: dict[str, float]) -> PlanOutcome:
        """The outcome with each technology's output scaled to the capacity actually in place.

        Generation of a technology built short of plan falls in proportion (its fuel and CO2
        with it); net import then makes up the difference in the city's accounting. The plan
        itself is kept as ``plan``.
        """
        out = replace(
            self,
            generation_mwh=dict(self.generation_mwh),
            fuel_tce=dict(self.fuel_tce),
            co2_by_tech_t=dict(self.co2_by_tech_t),
            plan=self,
        )
        for tech, planned in self.planned_capacity_mw.items():
            if planned <= 0 or tech not in out.generation_mwh:
                continue
            k = min(capacity_mw.get(tech, 0.0) / planned, 1.0)
            if k >= 1.0:
                continue
            gen = out.generation_mwh[tech]
            out.generation_mwh[tech] = gen * k
            if tech in out.fuel_tce:
                lost_fuel = out.fuel_tce[tech] * (1 - k)
                out.fuel_tce[tech] -= lost_fuel
                out.fossil_fuel_tce -= lost_fuel
                if tech == "coal":
                    out.coal_tce -= lost_fuel
                lost_co2 = out.co2_by_tech_t[tech] * (1 - k)
                out.co2_by_tech_t[tech] -= lost_co2
                out.co2_t -= lost_co2
            else:
                new = out.nonfossil_new_by_tech_mwh.get(tech, 0.0)
                lost = gen * (1 - k)
                cut_new = min(lost, new)  # new capacity is what falls short
                out.nonfossil_new_mwh -= cut_new
                out.nonfossil_old_mwh -= lost - cut_new
        return out


COUNTED = {t.measure: t.lp_measure for t in TARGETS.values()}
"""The LP's measures of its first year kept on a PlanOutcome (``targets.csv``): the accounting's
name (tce, tCO2) -> column of the planner's ``energy`` table (Mtce, MtCO2)."""


ENERGY_COLUMNS = (
    "nonfossil_twh",
    "nonfossil_new_twh",
    "net_import_twh",
    "power_fuel_coal_mtce",
    "power_fuel_gas_mtce",
)


def _year_columns(df, year: int, columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """Columns of the rows of ``year`` as numpy arrays (cheaper than filtering DataFrames)."""
    mask = df["year"].to_numpy() == year
    return {c: df[c].to_numpy()[mask] for c in columns}


def outcome(res: PlannerResult, inp: PlannerInput) -> PlanOutcome:
    """The first year of a planner result in model units."""
    if not res.ok:
        return PlanOutcome(status=res.status, messages=list(res.messages))
    y0 = inp.years[0]
    cap = _year_columns(
        res.capacity, y0, ("tech", "kind", "new_gw", "retired_gw", "capacity_gw", "flexible_gw")
    )
    is_gen = cap["kind"] == "generator"
    gen_tech, stor_tech = cap["tech"][is_gen], cap["tech"][~is_gen]
    gen_new, stor_new = cap["new_gw"][is_gen], cap["new_gw"][~is_gen]
    gen_cap = dict(zip(gen_tech, cap["capacity_gw"][is_gen], strict=True))
    gen_retired = dict(zip(gen_tech, cap["retired_gw"][is_gen], strict=True))
    flexible_gw = float(cap["flexible_gw"][is_gen][gen_tech == "coal"].sum())
    store_h = {s.name: s.duration_h for s in inp.storage}
    gmap = {g.name: g for g in inp.generators}
    smap = {s.name: s for s in inp.storage}
    new_mw = {t: float(v) * KILO for t, v in zip(gen_tech, gen_new, strict=True) if v > 1e-9}
    storage_mw = {t: float(v) * KILO for t, v in zip(stor_tech, stor_new, strict=True) if v > 1e-9}
    storage_mwh = {t: mw * store_h[t] for t, mw in storage_mw.items()}
    capex = sum(gmap[t].capex * mw / KILO for t, mw in new_mw.items()) + sum(
        smap[t].capex * mw / KILO for t, mw in storage_mw.items()
    )
    d = _year_columns(res.dispatch, y0, ("tech", "twh"))
    disp = dict(zip(d["tech"], d["twh"], strict=True))
    e = {k: v[0] for k, v in _year_columns(res.energy, y0, ENERGY_COLUMNS + tuple(COUNTED.values())).items()}
    nonfossil = float(e["nonfossil_twh"]) * MEGA
    new_nf = float(e["nonfossil_new_twh"]) * MEGA
    fossil = [g for g in inp.generators if g.kind == "fossil"]
    fuel = {g.name: g.heat_rate * float(disp.get(g.name, 0.0)) * MEGA for g in fossil}
    co2_by = {g.name: inp.market.emission_factor[g.fuel] * fuel[g.name] for g in fossil}
    power_co2 = sum(co2_by.values()) / MEGA
    # generation of renewable capacity above the 2020 fleet, by technology (for shortfalls)
    new_nf_by = {}
    for g in inp.generators:
        if g.renewable and g.name in gen_cap:
            cap_now = float(gen_cap[g.name])
            share_new = max(cap_now - g.base_gw, 0.0) / cap_now if cap_now > 0 else 0.0
            new_nf_by[g.name] = share_new * float(disp.get(g.name, 0.0)) * MEGA
    net = float(e["net_import_twh"])
    progs = _year_columns(res.programmes, y0, ("programme", "level_mtce"))
    cost = _year_columns(res.cost, y0, ("item", "bn_cny"))
    resource = ~np.isin(cost["item"], NOT_RESOURCE_COST)
    by_land = _year_columns(res.new_by_land, y0, ("tech", "land_class", "new_gw"))
    slack: dict[str, float] = {}
    marginal: dict[str, float] = {}
    gap_reason: dict[str, str] = {}
    if not res.targets.empty:  # the horizon's largest gap and the marginal cost at the target year
        t = res.targets
        last: dict[str, tuple[int, float]] = {}
        columns = (t["target"], t["year"].to_numpy(), t["slack"].to_numpy(), t["marginal_cost"].to_numpy())
        for name, year, gap, mc in zip(*columns, strict=True):
            slack[name] = max(slack[name], gap) if name in slack else gap
            if name not in last or year >= last[name][0]:
                last[name] = (year, mc)
        slack = {k: float(slack[k]) for k in sorted(slack)}
        marginal = {k: float(last[k][1]) for k in sorted(last)}
        # a target missed in any year of the horizon has no price: its gap and reason instead
        gaps = t[t["gap_reason"] != ""]
        gap_reason = {str(n): str(r) for n, r in zip(gaps["target"], gaps["gap_reason"], strict=True)}
        marginal = {k: (math.nan if k in gap_reason else v) for k, v in marginal.items()}
    return PlanOutcome(
        status=res.status,
        new_mw=new_mw,
        storage_mw=storage_mw,
        storage_mwh=storage_mwh,
        retire_coal_mw=float(gen_retired["coal"]) * KILO if "coal" in gen_retired else 0.0,
        new_by_land_mw={
            (t, lc): float(v) * KILO
            for t, lc, v in zip(by_land["tech"], by_land["land_class"], by_land["new_gw"], strict=True)
            if v > 1e-9
        },
        generation_mwh={t: float(v) * MEGA for t, v in disp.items() if t in gmap},
        coal_tce=float(e["power_fuel_coal_mtce"]) * MEGA,
        fossil_fuel_tce=float(e["power_fuel_coal_mtce"] + e["power_fuel_gas_mtce"]) * MEGA,
        nonfossil_old_mwh=nonfossil - new_nf,
        nonfossil_new_mwh=new_nf,
        net_import_mwh=net * MEGA,
        export_mwh=-float(disp.get("export", 0.0)) * MEGA,
        # losses are >= 0; the LP's solution can carry -1e-8 of round-off
        storage_loss_mwh=max(-float(disp.get("storage_losses", 0.0)) * MEGA, 0.0),
        grid_emission_factor=inp.market.grid_emission_factor,
        co2_t=power_co2 * MEGA,
        import_co2_t=inp.market.grid_emission_factor * net * MEGA,
        programme_tce={
            tuple(p.split(":")): float(v) * MEGA
            for p, v in zip(progs["programme"], progs["level_mtce"], strict=True)
        },
        capex_bn=float(capex),
        capex_per_mw={
            **{t: gmap[t].capex / KILO for t in new_mw},
            **{t: smap[t].capex / KILO for t in storage_mw},
        },
        planned_capacity_mw={t: float(v) * KILO for t, v in gen_cap.items()},
        fuel_tce=fuel,
        co2_by_tech_t=co2_by,
        nonfossil_new_by_tech_mwh=new_nf_by,
        # resource cost of the year: carbon payments are transfers, penalties are not costs
        cost_bn=float(cost["bn_cny"][resource].sum()),
        carbon_bn=float(cost["bn_cny"][cost["item"] == "carbon"].sum()),
        slack=slack,
        marginal_cost=marginal,
        gap_reason=gap_reason,
        messages=list(res.messages),
        counted={name: float(e[col]) * MEGA for name, col in COUNTED.items()},
        coal_flexible_mw=flexible_gw * KILO,
        coal_flex_retrofit_mw=max(flexible_gw - inp.existing_flex_gw, 0.0) * KILO,
    )
