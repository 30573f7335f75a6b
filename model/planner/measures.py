"""What the LP counts: energy, coal and CO2 of a planning year as expressions of its
variables, and the target constraints on them (dual control, coal cap, CO2)."""

from __future__ import annotations

import pyomo.environ as pyo
from zonesim.accounting import EnergyComponents, counted_co2, counted_energy
from zonesim.planner.targets import TARGETS


def fossil_final(m, c, y):
    """Fossil final use of carrier c after programmes, Mtce."""
    return m.fossil_final[c, y] - sum(m.share[p, c] * m.prog[p, y] for p in m.P)


def power_fuel(m, fuel, y):
    """Fuel burnt in local power plants, Mtce."""
    gens = m.sets.fossil
    return sum(m.heat_rate[g] * m.gen_twh[g, y] for g in gens if m.fuel_of.get(g) == fuel)


def nonfossil_twh(m, y):
    return sum(m.gen_twh[g, y] for g in m.GN)


def new_renewable_twh(m, y):
    return sum(m.gen_new[g, y] for g in m.GR)


def other(m, quantity: str, y):
    """The base-year residual of ``quantity`` (energy, coal: Mtce; co2: MtCO2), moving with
    its basis in the plan: fossil final use after programmes or fuel burnt in power plants."""
    ff = sum(fossil_final(m, c, y) for c in m.C)
    pf = sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
    return m.other_ff[quantity] * ff + m.other_pf[quantity] * pf


def components(m, y) -> EnergyComponents:
    """The year's primary-energy components as expressions, Mtce (the accounting's fields)."""
    nf, new = nonfossil_twh(m, y), new_renewable_twh(m, y)
    return EnergyComponents(
        fossil_final=sum(fossil_final(m, c, y) for c in m.C),
        feedstock=m.feedstock[y] - sum(m.prog_feedstock[p] * m.prog[p, y] for p in m.P),
        power_fossil=sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF),
        other=other(m, "energy", y),
        nonfossil_old=m.k[y] * (nf - new),
        nonfossil_new=m.k[y] * new,
        net_import=m.k[y] * (m.imp_twh[y] - m.exp_twh[y]),
    )


def energy_total(m, y):
    """Energy counted toward the total check, Mtce (:func:`zonesim.accounting.counted_energy`).

    sum_c FF[c,y] - feedstock_out_total[y] * FS[y] + sum_f power_fuel[f,y] + k[y] * (NF[y] + net_import[y])
      - k_out_all_total[y] * nf_consumed[y] - k_out_new_total[y] * new_consumed[y]
    """
    x = components(m, y)
    out = m.k_out_all_total[y] * m.nf_consumed[y] + m.k_out_new_total[y] * m.new_consumed[y]
    return counted_energy(x, m.feedstock_out_total[y] * x.feedstock, out)


def energy_intensity(m, y):
    """Energy counted toward the intensity check, Mtce (divided by GDP in the cap).

    as energy_total with feedstock_out_intensity[y] and k_out_intensity[y] * nf_consumed[y];
    FS[y] = feedstock[y] - sum_p prog_feedstock[p] * prog[p,y] (the feedstock after programmes)
    """
    x = components(m, y)
    return counted_energy(
        x, m.feedstock_out_intensity[y] * x.feedstock, m.k_out_intensity[y] * m.nf_consumed[y]
    )


def add_nonfossil_consumption(m: pyo.ConcreteModel) -> None:
    """Non-fossil consumption a rule may remove from a check (TWh).

    nf_consumed[y] <= NF[y];   new_consumed[y] <= NEW[y];   both <= sum_g gen_twh + imp - exp
    (the city's own non-fossil generation serves its own consumption first: the deduction is
    at most the smaller of the two, :func:`zonesim.accounting.deducted`; where a cap binds the
    LP takes the whole of it.)
    """
    if not m.Y:
        return

    def consumption(m, y):
        return sum(m.gen_twh[g, y] for g in m.G) + m.imp_twh[y] - m.exp_twh[y]

    m.nonfossil_consumption = pyo.Constraint(m.Y, rule=lambda m, y: m.nf_consumed[y] <= nonfossil_twh(m, y))
    m.nonfossil_consumption_new = pyo.Constraint(
        m.Y, rule=lambda m, y: m.new_consumed[y] <= new_renewable_twh(m, y)
    )
    m.nonfossil_consumption_limit = pyo.Constraint(
        m.Y, rule=lambda m, y: m.nf_consumed[y] <= consumption(m, y)
    )
    m.nonfossil_consumption_new_limit = pyo.Constraint(
        m.Y, rule=lambda m, y: m.new_consumed[y] <= consumption(m, y)
    )


def coal_use(m, y):
    """Coal burnt: final use after programmes plus coal power and the residual, Mtce."""
    return fossil_final(m, "coal", y) + power_fuel(m, "coal", y) + other(m, "coal", y)


def co2(m, y):
    """CO2 a target counts, MtCO2 (:func:`zonesim.accounting.counted_co2`): fossil carriers
    burnt, net grid import at the grid's factor when the scenario counts imported electricity
    (ef_grid_target = 0 otherwise), and the residual."""
    return counted_co2(
        sum(m.ef[c] * fossil_final(m, c, y) for c in m.C),
        sum(m.ef[m.fuel_of[g]] * m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF),
        m.ef_grid_target["x"] * (m.imp_twh[y] - m.exp_twh[y]),
        other(m, "co2", y),
    )


def _add_target(m: pyo.ConcreteModel, name: str, measure) -> None:
    """measure(y) - slack[y] <= cap[y] for the years the target exists, named by ``targets.csv``."""
    t = TARGETS[name]
    years = getattr(m, f"Y_{name}")
    if not years:
        return
    slack, cap = getattr(m, t.slack), getattr(m, t.cap_param)
    setattr(m, t.constraint, pyo.Constraint(years, rule=lambda m, y: measure(m, y) - slack[y] <= cap[y]))


def add_energy_targets(m: pyo.ConcreteModel) -> None:
    """Dual control: total energy and energy intensity (Mtce).

    energy_total(y) - slack_energy_total[y] <= cap_energy_total[y]
    energy_intensity(y) - slack_energy_intensity[y] <= cap_intensity[y] * GDP[y] / 10
    """
    _add_target(m, "energy_total", energy_total)
    _add_target(m, "energy_intensity", energy_intensity)


def add_coal_cap(m: pyo.ConcreteModel) -> None:
    """Coal cap (Mtce): coal_use(y) - slack_coal[y] <= cap_coal[y]."""
    _add_target(m, "coal", coal_use)


def add_co2_targets(m: pyo.ConcreteModel) -> None:
    """CO2 cap and CO2 intensity (MtCO2).

    co2(y) - slack_co2[y] <= cap_co2[y];  co2(y) - slack_co2_intensity[y] <= cap * GDP / 10
    """
    _add_target(m, "co2", co2)
    _add_target(m, "co2_intensity", co2)
