"""The LP's money: the investment outlay, the budget on it, and the discounted-cost objective."""

from __future__ import annotations

import pyomo.environ as pyo
from zonesim.planner.targets import TARGETS


def outlay(m, y):
    """Investment outlay in year y, bnCNY: overnight capex of new build and retrofits plus
    the year's cost of programmes, less the ordered bases and their storage (their developers
    finance them)."""
    return (
        sum(m.capex[g] * m.new[g, lc, y] - m.developer_outlay[g, lc] * m.build_order[g, lc] for g, lc in m.GB)
        + sum(m.s_capex[x] * m.snew[x, lc, y] for x, lc in m.SB)
        + (m.flex_capex["x"] * m.retro[y] if hasattr(m, "retro") else 0)
        + sum(m.prog_cost[p] * m.prog[p, y] for p in m.P)
    )


def add_budget(m: pyo.ConcreteModel) -> None:
    """Budget (bnCNY): outlay(y) - slack_budget[y] <= budget[y]."""
    if not m.Y_budget:
        return
    m.budget_limit = pyo.Constraint(
        m.Y_budget, rule=lambda m, y: outlay(m, y) - m.slack_budget[y] <= m.budget[y]
    )


def add_objective(m: pyo.ConcreteModel) -> None:
    """Discounted cost, bnCNY (present value at the first year).

    sum c_new new + c_snew snew + c_retro retro + c_fom cap + c_sfom scap + c_gen gen_twh
      + c_imp imp_twh - c_exp exp_twh + c_shed unserved_twh + c_prog prog + c_final
      + df * (pen_energy * energy/coal slacks + pen_co2 * CO2 slacks
              + pen_reserve * slack_reserve + pen_budget * slack_budget)
    """
    m.cost_terms = pyo.Expression(pyo.Any)
    for name, expr in cost_terms(m).items():
        m.cost_terms[name] = expr
    m.cost = pyo.Objective(expr=sum(m.cost_terms[k] for k in m.cost_terms), sense=pyo.minimize)


def cost_terms(m) -> dict:
    """The objective split into named parts (bnCNY, present value)."""
    y = m.Y
    terms = {
        "capex": sum(m.c_new[g, z] * m.new[g, lc, z] for g, lc in m.GB for z in y)
        + sum(m.c_snew[x, z] * m.snew[x, lc, z] for x, lc in m.SB for z in y)
        + (sum(m.c_retro[z] * m.retro[z] for z in y) if hasattr(m, "retro") else 0),
        "fom": sum(m.c_fom[g, z] * m.cap[g, z] for g in m.G for z in y)
        + sum(m.c_sfom[x, z] * m.scap[x, z] for x in m.S for z in y),
        "power_fuel_and_carbon": sum(m.c_gen[g, z] * m.gen_twh[g, z] for g in m.GF for z in y),
        "grid_import": sum(m.c_imp[z] * m.imp_twh[z] for z in y),
        "grid_export": -sum(m.c_exp[z] * m.exp_twh[z] for z in y),
        "programmes": sum(m.c_prog[p, z] * m.prog[p, z] for p in m.P for z in y),
        "final_fuel_and_carbon": m.c_final["const"],
        "lost_load": sum(m.c_shed[z] * m.unserved_twh[z] for z in y),
        "slack": sum(
            getattr(m, t.penalty)[z] * getattr(m, t.slack)[z]
            for name, t in TARGETS.items()
            for z in getattr(m, f"Y_{name}")
        )
        + sum(m.pen_reserve[z] * m.slack_reserve[z] for z in y)
        + sum(m.pen_budget[z] * m.slack_budget[z] for z in m.Y_budget),
    }
    return terms
