"""What the LP counts: energy, coal and CO2 of a planning year as expressions of its
variables, and the target constraints on them (dual control, coal cap, CO2)."""

from __future__ import annotations

import pyomo.environ as pyo


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


def energy_total(m, y):
    """Energy counted toward the total check, Mtce.

    sum_c FF[c,y] - feedstock_out_total[y] + sum_f power_fuel[f,y] + k[y] * net_import[y]
      + k_old_total[y] * (NF[y] - NEW[y]) + k_new_total[y] * NEW[y]
    """
    return (
        sum(fossil_final(m, c, y) for c in m.C)
        - m.feedstock_out_total[y]
        + sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.k[y] * (m.imp_twh[y] - m.exp_twh[y])
        + m.k_old_total[y] * (nonfossil_twh(m, y) - new_renewable_twh(m, y))
        + m.k_new_total[y] * new_renewable_twh(m, y)
    )


def energy_intensity(m, y):
    """Energy counted toward the intensity check, Mtce (divided by GDP in the cap)."""
    return (
        sum(fossil_final(m, c, y) for c in m.C)
        - m.feedstock_out_intensity[y]
        + sum(m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.k[y] * (m.imp_twh[y] - m.exp_twh[y])
        + m.k_nf_intensity[y] * nonfossil_twh(m, y)
    )


def coal_use(m, y):
    """Coal burnt: final use after programmes plus coal power, Mtce."""
    return fossil_final(m, "coal", y) + power_fuel(m, "coal", y)


def co2(m, y):
    """CO2 a target counts, MtCO2: fossil carriers burnt, plus net grid import at the grid's
    factor when the scenario counts imported electricity (ef_grid_target = 0 otherwise)."""
    return (
        sum(m.ef[c] * fossil_final(m, c, y) for c in m.C)
        + sum(m.ef[m.fuel_of[g]] * m.heat_rate[g] * m.gen_twh[g, y] for g in m.GF)
        + m.ef_grid_target["x"] * (m.imp_twh[y] - m.exp_twh[y])
    )


def add_energy_targets(m: pyo.ConcreteModel) -> None:
    """Dual control: total energy and energy intensity (Mtce).

    energy_total(y) - slack_energy_total[y] <= cap_energy_total[y]
    energy_intensity(y) - slack_energy_intensity[y] <= cap_intensity[y] * GDP[y] / 10
    """
    if m.Y_energy_total:
        m.energy_total = pyo.Constraint(
            m.Y_energy_total,
            rule=lambda m, y: energy_total(m, y) - m.slack_energy_total[y] <= m.cap_energy_total[y],
        )
    if m.Y_energy_intensity:
        m.energy_intensity = pyo.Constraint(
            m.Y_energy_intensity,
            rule=lambda m, y: (
                energy_intensity(m, y) - m.slack_energy_intensity[y] <= m.cap_energy_intensity[y]
            ),
        )


def add_coal_cap(m: pyo.ConcreteModel) -> None:
    """Coal cap (Mtce): coal_use(y) - slack_coal[y] <= cap_coal[y]."""
    if not m.Y_coal:
        return
    m.coal_cap = pyo.Constraint(m.Y_coal, rule=lambda m, y: coal_use(m, y) - m.slack_coal[y] <= m.cap_coal[y])


def add_co2_targets(m: pyo.ConcreteModel) -> None:
    """CO2 cap and CO2 intensity (MtCO2).

    co2(y) - slack_co2[y] <= cap_co2[y];  co2(y) - slack_co2_intensity[y] <= cap * GDP / 10
    """
    if m.Y_co2:
        m.co2_cap = pyo.Constraint(m.Y_co2, rule=lambda m, y: co2(m, y) - m.slack_co2[y] <= m.cap_co2[y])
    if m.Y_co2_intensity:
        m.co2_intensity = pyo.Constraint(
            m.Y_co2_intensity,
            rule=lambda m, y: co2(m, y) - m.slack_co2_intensity[y] <= m.cap_co2_intensity[y],
        )
