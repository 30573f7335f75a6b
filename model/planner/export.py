"""Write every input of a planning LP and its solution as tidy CSV files with units.

:func:`export` writes into one folder:

=========================  ==============================================================
``inputs_days.csv``        day, hour, weight (days), load_pu, solar_cf, wind_cf
``inputs_generators.csv``  one row per technology and attribute, with unit (``kind`` maps
                           to the LP's sets as ``docs/planner.md`` "Sets" says; ``crf`` and
                           ``lifetime`` beside ``capex`` and ``capex_annual``)
``inputs_storage.csv``     one row per storage technology and attribute, with unit
``inputs_potentials.csv``  tech, land_class, potential_gw
``inputs_programmes.csv``  programme, year, attribute, value, unit
``inputs_years.csv``       per year: outlook, prices, limits, policy caps, factors
``inputs_scalars.csv``     planner parameters and scalar policy settings (incl. the residual ratios)
``solution_*.csv``         capacity, new_by_land, dispatch, energy, cost, targets,
                           programmes, shadow (see :mod:`zonesim.planner.results`; the
                           sign of every dual is stated in ``docs/planner.md`` "Results")
``solution_hourly.csv``    year, day, hour, series, value, unit (GW; GWh for soc)
``status.csv``             status, objective and messages
=========================  ==============================================================

Every value column is accompanied by a unit (in the column name or a ``unit`` column).
Money is bnCNY2020: 1 bnCNY/GW is 1,000 CNY/kW, 1 bnCNY/Mtce is 1,000 CNY/tce.

The capital recovery factor is exported as the LP used it, ``capex_annual / capex``, and
the lifetime as the one that factor implies at ``discount_rate`` (the adapter computes the
factor from the lifetime of ``technologies.csv``; ``tests/test_planner_export.py`` checks
that the two agree).
"""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.planner.inputs import PlannerInput
from zonesim.planner.results import PlannerResult

GEN_UNITS = {
    "existing_gw": "GW",
    "base_gw": "GW",
    "heat_rate": "Mtce/TWh",
    "capex": "bnCNY/GW",
    "capex_annual": "bnCNY/GW/yr",
    "crf": "1/yr",
    "lifetime": "yr",
    "fom": "bnCNY/GW/yr",
    "capacity_credit": "1",
    "full_load_hours": "h",
    "min_load": "1",
    "build_limit_gw": "GW/yr",
    "duration_h": "h",
    "efficiency": "1",
}
PARAM_UNITS = {
    "discount_rate": "1/yr",
    "reserve_margin": "1",
    "peak_pu": "1",
    "slack_penalty_energy": "bnCNY/Mtce",
    "slack_penalty_co2": "bnCNY/MtCO2",
    "slack_penalty_reserve": "bnCNY/GW/yr",
    "lost_load_penalty": "bnCNY/TWh",
    "budget_overrun_penalty": "1",
    "coal_flex_min_load": "1",
    "coal_flex_capex": "bnCNY/GW",
    "coal_flex_capex_annual": "bnCNY/GW/yr",
    "coal_flex_crf": "1/yr",
    "coal_flex_lifetime": "yr",
    "electrification_twh_per_mtce": "TWh/Mtce",
}


def capital_recovery(capex: float, capex_annual: float, rate: float) -> tuple[float, float]:
    """The capital recovery factor (1/yr) and the lifetime (yr) behind ``capex_annual``.

    crf = capex_annual / capex; the lifetime solves crf = r / (1 - (1 + r)^-L), i.e.
    L = -ln(1 - r / crf) / ln(1 + r) (L = 1 / crf when r = 0). NaN when there is no capex
    (existing fleet only) or no finite lifetime gives that factor (crf <= r).
    """
    if not capex > 0:
        return math.nan, math.nan
    crf = capex_annual / capex
    if rate == 0:
        return crf, 1.0 / crf if crf > 0 else math.nan
    if crf <= rate:
        return crf, math.nan
    return crf, -math.log(1.0 - rate / crf) / math.log1p(rate)


def export(inp: PlannerInput, result: PlannerResult | None, directory: str | Path) -> list[Path]:
    """Write the input and (when given) the solution to ``directory``; returns the files."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tables = input_tables(inp)
    if result is not None:
        tables |= solution_tables(result)
    written = []
    for name, df in tables.items():
        path = out / f"{name}.csv"
        df.to_csv(path, index=False)
        written.append(path)
    return written


def input_tables(inp: PlannerInput) -> dict[str, pd.DataFrame]:
    """The input as tidy tables."""
    d = inp.days
    nd = d.n_days
    days = pd.DataFrame(
        {
            "day": np.repeat(np.arange(nd), 24),
            "hour": np.tile(np.arange(24), nd),
            "weight_days": np.repeat(d.weights, 24),
            "load_pu": d.load_pu.ravel(),
            "solar_cf": d.solar_cf.ravel(),
            "wind_cf": d.wind_cf.ravel(),
        }
    )

    rate = inp.params.discount_rate

    def attrs(items) -> pd.DataFrame:
        rows = []
        for g in items:
            for f in fields(g):
                v = getattr(g, f.name)
                if f.name == "name":
                    continue
                rows.append((g.name, f.name, v, GEN_UNITS.get(f.name, "")))
                if f.name == "capex_annual":  # the annuity's factor and lifetime beside it
                    crf, life = capital_recovery(g.capex, g.capex_annual, rate)
                    rows.append((g.name, "crf", crf, GEN_UNITS["crf"]))
                    rows.append((g.name, "lifetime", life, GEN_UNITS["lifetime"]))
        return pd.DataFrame(rows, columns=["tech", "attribute", "value", "unit"])

    pots = pd.DataFrame(
        [(t, lc, v) for (t, lc), v in inp.potentials.items()],
        columns=["tech", "land_class", "potential_gw"],
    )
    prog_rows = []
    for p in inp.programmes:
        for i, y in enumerate(inp.years):
            prog_rows.append((p.name, p.kind, y, "potential", p.potential_mtce[i], "Mtce/yr"))
        prog_rows.append((p.name, p.kind, None, "cost", p.cost, "bnCNY/Mtce"))
        prog_rows.append((p.name, p.kind, None, "existing", p.existing_mtce, "Mtce/yr"))
        prog_rows.append((p.name, p.kind, None, "feedstock_share", p.feedstock_share, "1"))
        for c, sh in p.carrier_shares.items():
            prog_rows.append((p.name, p.kind, None, f"share_{c}", sh, "1"))
    progs = pd.DataFrame(prog_rows, columns=["programme", "kind", "year", "attribute", "value", "unit"])
    o, mk, pol = inp.outlook, inp.market, inp.policy
    yr = {
        "year": list(inp.years),
        "electricity_twh": o.electricity_twh,
        "gdp_bn": o.gdp_bn,
        "feedstock_mtce": o.feedstock_mtce,
    }
    yr |= {f"fossil_final_{c}_mtce": v for c, v in o.fossil_final_mtce.items()}
    yr |= {f"fuel_price_{c}_bncny_per_mtce": v for c, v in mk.fuel_price.items()}
    yr |= {
        "import_price_bncny_per_twh": mk.import_price,
        "export_price_bncny_per_twh": mk.export_price,
        "conversion_factor_mtce_per_twh": pol.conversion_factor,
        "carbon_price_cny_per_t": pol.carbon_price,
        # the price the final-use and programme terms carry (None in the policy = carbon_price)
        "final_carbon_price_cny_per_t": (
            pol.carbon_price if pol.final_carbon_price is None else pol.final_carbon_price
        ),
        "forced_coal_retirement_gw": pol.forced_coal_retirement_gw,
    }
    # output-based free allowances per fossil technology (tCO2/MWh), the same every year;
    # absent columns = plants pay for all their CO2 and trade carries the grid's carbon cost
    for tech, v in (pol.free_allocation or {}).items():
        yr[f"free_allocation_{tech}_t_per_mwh"] = (v,) * inp.n_years
    for name, unit in (
        ("energy_cap_mtce", ""),
        ("intensity_cap", "_tce_per_10kcny"),
        ("coal_cap_mtce", ""),
        ("co2_cap_mt", ""),
        ("co2_intensity_cap", "_tco2_per_10kcny"),
        ("budget_bn", ""),
    ):
        v = getattr(pol, name)
        yr[name + unit] = v if v is not None else (None,) * inp.n_years
    for f in fields(pol.counting[0]):
        yr[f"counting_{f.name}"] = [getattr(c, f.name) for c in pol.counting]
    years = pd.DataFrame(yr)
    par = inp.params
    flex_crf, flex_life = capital_recovery(par.coal_flex_capex, par.coal_flex_capex_annual, rate)
    derived = {"coal_flex_crf": flex_crf, "coal_flex_lifetime": flex_life}
    scal = [(k, derived[k] if k in derived else getattr(par, k), PARAM_UNITS[k]) for k in PARAM_UNITS]
    scal += [
        ("import_limit_gw", mk.import_limit_gw, "GW"),
        ("export_limit_gw", mk.export_limit_gw, "GW"),
        ("import_capacity_credit", mk.import_capacity_credit, "1"),
        ("trade_pace", mk.trade_pace, "1/yr"),
        ("net_import_prev_twh", mk.net_import_prev_twh, "TWh"),
        ("export_cap_twh", mk.export_cap_twh, "TWh"),
        ("grid_emission_factor", mk.grid_emission_factor, "MtCO2/TWh"),
        ("storage_power_ratio", pol.storage_power_ratio, "1"),
        ("storage_duration_h", pol.storage_duration_h, "h"),
        ("min_coal_gw", pol.min_coal_gw, "GW"),
        ("coal_substitution_ratio", pol.coal_substitution_ratio, "1"),
        ("existing_flex_gw", inp.existing_flex_gw, "GW"),
    ]
    # the base-year residual in the target rows, per Mtce of its basis (planner.md: O^q_y)
    for q in ("energy", "coal", "co2"):
        unit = "MtCO2/Mtce" if q == "co2" else "1"
        scal.append((f"other_{q}_per_fossil_final", pol.other_per_fossil_final.get(q, 0.0), unit))
        scal.append((f"other_{q}_per_power_fuel", pol.other_per_power_fuel.get(q, 0.0), unit))
    scal += [(f"emission_factor_{c}", v, "MtCO2/Mtce") for c, v in mk.emission_factor.items()]
    scalars = pd.DataFrame(scal, columns=["name", "value", "unit"])
    return {
        "inputs_days": days,
        "inputs_generators": attrs(inp.generators),
        "inputs_storage": attrs(inp.storage),
        "inputs_potentials": pots,
        "inputs_programmes": progs,
        "inputs_years": years,
        "inputs_scalars": scalars,
    }


def solution_tables(result: PlannerResult) -> dict[str, pd.DataFrame]:
    """The solution as tidy tables (empty tables when the solve was not optimal)."""
    out = {
        "status": pd.DataFrame(
            {
                "city_id": [result.city_id],
                "status": [result.status],
                "objective_bncny_pv": [result.objective],
                "messages": [" | ".join(result.messages)],
            }
        )
    }
    for name in ("capacity", "new_by_land", "dispatch", "energy", "cost", "targets", "programmes", "shadow"):
        out[f"solution_{name}"] = getattr(result, name)
    rows = []
    for series, a in result.hourly.items():
        ny, nd, nh = a.shape
        rows.append(
            pd.DataFrame(
                {
                    "year": np.repeat(np.array(result.years), nd * nh),
                    "day": np.tile(np.repeat(np.arange(nd), nh), ny),
                    "hour": np.tile(np.arange(nh), ny * nd),
                    "series": series,
                    "value": a.ravel(),
                    "unit": "GWh" if series.startswith("soc:") else "GW",
                }
            )
        )
    out["solution_hourly"] = pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()
    return out
