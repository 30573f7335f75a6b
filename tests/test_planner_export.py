"""What ``zonesim plan --export`` and ``docs/planner.md`` tell someone who rebuilds the LP.

Each test pins a statement of the doc to the code: both storage-mandate duals with the
documented sign and unit, lifetimes and capital recovery factors beside the annualised
capex, the unit conversions (CNY/kW x 1e-3 = bnCNY/GW), what heat is charged, and the
``plan --help`` text about the existing fleet of a later year.
"""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from test_planner import L, T, battery, gas, micro, solar
from zonesim.cli import main
from zonesim.planner.adapter import baseline_outlook, crf, default_policy, planner_input, tech_value
from zonesim.planner.export import capital_recovery, export
from zonesim.planner.solve import plan

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "calibration" / "data"
YEAR = 2021
CITY = "tangshan"


def mandate_city(stores, ratio: float, hours: float):
    """1 GW of PV built to its potential (carbon price 2000 makes gas dear), a mandate of
    ``ratio`` GW of storage per GW of PV covering ``hours``; no discounting, one year."""
    return micro(
        gens=[gas(1.0), solar(0.0, buildable=True)],
        stores=stores,
        potentials={(T("solar"), L("general")): 1.0},
        storage_power_ratio=ratio,
        storage_duration_h=hours,
        carbon_price=(2000.0,),
    )


def shadow_csv(inp, res, tmp_path) -> pd.DataFrame:
    export(inp, res, tmp_path)
    return pd.read_csv(tmp_path / "solution_shadow.csv").set_index("constraint")


def test_both_storage_mandate_duals_are_exported_when_both_bind(tmp_path):
    """0.2 GW x 3 h per GW of PV from 2 h (0.2 bn/GW/yr) and 4 h (0.3) batteries: 0.1 GW of
    each meets both rows. Duals: mu_p + 2 mu_e = 0.2, mu_p + 4 mu_e = 0.3, so mu_e = 0.05
    bn/GWh = 50 CNY/kWh and mu_p = 0.1 bn/GW = 100 CNY/kW, both positive (binding)."""
    stores = [battery("battery_2h", 2.0), battery("battery_4h", 4.0, capex_annual=0.3)]
    inp = mandate_city(stores, ratio=0.2, hours=3.0)
    res = plan(inp)
    cap = res.capacity.set_index("tech")["new_gw"]
    assert cap["battery_2h"] == pytest.approx(0.1, rel=1e-6)
    assert cap["battery_4h"] == pytest.approx(0.1, rel=1e-6)
    sh = shadow_csv(inp, res, tmp_path)
    assert sh.loc["storage_mandate", "unit"] == "CNY/kW"
    assert sh.loc["storage_mandate", "value"] == pytest.approx(100.0, rel=1e-6)
    assert sh.loc["storage_mandate_energy", "unit"] == "CNY/kWh"
    assert sh.loc["storage_mandate_energy", "value"] == pytest.approx(50.0, rel=1e-6)


@pytest.mark.parametrize(
    ("hours", "power", "energy"),
    [
        (4.0, 0.0, 100.0),  # 2 h batteries for a 4 h mandate: the energy row binds alone
        (1.0, 200.0, 0.0),  # a 1 h mandate met by 2 h batteries: the power row binds alone
    ],
)
def test_storage_mandate_duals_are_the_cost_of_one_more_unit(tmp_path, hours, power, energy):
    """The exported value is what one more kW (kWh) of required storage costs: checked by
    solving again with a slightly larger requirement (finite difference, CNY per unit)."""
    inp = mandate_city([battery()], ratio=0.2, hours=hours)
    res = plan(inp)
    sh = shadow_csv(inp, res, tmp_path)
    assert sh.loc["storage_mandate", "value"] == pytest.approx(power, abs=1e-6)
    assert sh.loc["storage_mandate_energy", "value"] == pytest.approx(energy, abs=1e-6)
    step = 0.01  # GWh of energy requirement per GW of PV (1 GW of PV is built)
    more = plan(mandate_city([battery()], ratio=0.2, hours=hours + step / 0.2))
    assert (more.objective - res.objective) / step * 1e3 == pytest.approx(energy, abs=1e-4)


@pytest.fixture(scope="module")
def real_input(base):
    years = (YEAR,)
    return planner_input(
        base, CITY, years, baseline_outlook(base, CITY, years), default_policy(base, CITY, years), n_days=2
    )


@pytest.fixture(scope="module")
def exported(real_input, tmp_path_factory):
    out = tmp_path_factory.mktemp("export")
    export(real_input, None, out)
    return {name: pd.read_csv(out / f"{name}.csv") for name in ("inputs_generators", "inputs_storage")}


def attribute(table: pd.DataFrame, tech: str, name: str) -> float:
    row = table[(table["tech"] == tech) & (table["attribute"] == name)]
    assert len(row) == 1, f"{tech}.{name}: {len(row)} rows"
    return float(row["value"].iloc[0])


def test_export_has_lifetime_and_crf_beside_the_annualised_capex(base, real_input, exported):
    """For every technology with a capex: crf = capex_annual / capex, and the lifetime is the
    one of technologies.csv in the planning year (the one the adapter annualised with)."""
    r = real_input.params.discount_rate
    gens = exported["inputs_generators"]
    cost_tech = {x.name: x.name for x in real_input.generators}
    cost_tech |= {"battery_2h": "battery", "battery_4h": "battery", "pumped_hydro": "pumped_hydro"}
    checked = []
    for table, items in ((gens, real_input.generators), (exported["inputs_storage"], real_input.storage)):
        for g in items:
            if g.capex <= 0:  # existing fleet only: no annuity, no lifetime
                assert math.isnan(attribute(table, g.name, "crf"))
                assert math.isnan(attribute(table, g.name, "lifetime"))
                continue
            life = tech_value(base, cost_tech[g.name], "lifetime", YEAR)
            assert attribute(table, g.name, "lifetime") == pytest.approx(life, rel=1e-9)
            assert attribute(table, g.name, "crf") == pytest.approx(crf(r, life), rel=1e-12)
            assert attribute(table, g.name, "capex_annual") == pytest.approx(
                attribute(table, g.name, "capex") * crf(r, life), rel=1e-12
            )
            checked.append(g.name)
    assert {"coal", "gas", "solar", "wind", "battery_2h"} <= set(checked)
    units = gens.set_index("attribute")["unit"]
    assert units["crf"].iloc[0] == "1/yr" and units["lifetime"].iloc[0] == "yr"


def test_capital_recovery_inverts_the_annuity():
    for rate, life in ((0.05, 25.0), (0.08, 20.5), (0.0, 40.0)):
        factor, back = capital_recovery(2.0, 2.0 * crf(rate, life), rate)
        assert factor == pytest.approx(crf(rate, life), rel=1e-12)
        assert back == pytest.approx(life, rel=1e-9)
    assert all(math.isnan(v) for v in capital_recovery(0.0, 0.0, 0.05))


def test_capex_in_cny_per_kw_times_1e3_is_the_exported_bncny_per_gw(exported):
    """docs/planner.md: 1 bnCNY/GW = 1,000 CNY/kW. technologies.csv (CNY2020/kW, read here
    without the adapter and interpolated to the planning year) x 1e-3 = the export."""
    tech = pd.read_csv(DATA / "technologies.csv")
    gens = exported["inputs_generators"]
    for name in ("solar", "wind", "coal", "gas"):
        rows = tech[(tech["tech"] == name) & (tech["parameter"] == "capex_power")].sort_values("year")
        assert set(rows["unit"]) == {"CNY2020/kW"}
        cny_per_kw = float(np.interp(YEAR, rows["year"], rows["value"]))
        assert attribute(gens, name, "capex") == pytest.approx(cny_per_kw * 1e-3, rel=1e-12)
        units = gens[(gens["tech"] == name) & (gens["attribute"] == "capex")]["unit"]
        assert list(units) == ["bnCNY/GW"]


def test_fuel_price_in_cny_per_tce_times_1e3_is_the_exported_bncny_per_mtce(real_input, tmp_path):
    export(real_input, None, tmp_path)
    years = pd.read_csv(tmp_path / "inputs_years.csv")
    # Tangshan buys at the port (zonesim.planner.prices): the 2020 Qinhuangdao mean, then the
    # NDRC 303 midpoint from 2022, linear between (coal_prices_regional.csv, read here directly)
    prices = pd.read_csv(DATA / "coal_prices_regional.csv")
    prices = prices[prices["unit"] == "CNY/tce"].set_index("item")["value"]
    expected = float(np.interp(YEAR, [2020, 2022], prices[["qhd_2020_mean", "ndrc303_qhd_mid"]])) * 1e-3
    assert years["fuel_price_coal_bncny_per_mtce"].iloc[0] == pytest.approx(expected, rel=1e-12)
    assert "fuel_price_heat_bncny_per_mtce" not in years  # heat has no price (pi = 0)


def test_the_doc_states_the_money_units_right():
    doc = (ROOT / "docs" / "planner.md").read_text()
    assert "(= CNY/kW)" not in doc
    assert "| bnCNY/GW | 1,000 CNY/kW |" in doc
    assert "costs nothing in the objective" not in doc


def test_heat_is_charged_the_final_carbon_price_only(tmp_path):
    """docs/planner.md: heat has no price; one Mtce of it costs CP_fin x eps_heat (2.7 in
    the micro city), and the power plants' carbon price does not reach it."""

    def objective(heat: float) -> float:
        inp = micro(gens=[gas(1.0)], fossil={"heat": heat}, carbon_price=(100.0,), final_carbon_price=(40.0,))
        return plan(inp).objective

    assert objective(1.0) - objective(0.0) == pytest.approx(40.0 * 1e-3 * 2.7, rel=1e-9)
    inp = micro(gens=[gas(1.0)], carbon_price=(100.0,), final_carbon_price=(40.0,))
    export(inp, None, tmp_path)
    years = pd.read_csv(tmp_path / "inputs_years.csv")
    assert years["final_carbon_price_cny_per_t"].iloc[0] == 40.0
    assert years["carbon_price_cny_per_t"].iloc[0] == 100.0
    export(micro(gens=[gas(1.0)], carbon_price=(100.0,)), None, tmp_path)  # None = carbon_price
    assert pd.read_csv(tmp_path / "inputs_years.csv")["final_carbon_price_cny_per_t"].iloc[0] == 100.0


def test_plan_help_says_the_fleet_of_a_later_year_is_simulated(capsys):
    with pytest.raises(SystemExit):
        main(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "the existing fleet (existing_gw) is what the simulation built in the years before" in text
    assert "--year" in text


def test_cost_items_sum_to_the_objective_when_final_carbon_price_differs():
    """docs/planner.md: the items of ``cost`` sum to the objective, also under ETS coverage."""
    inp = micro(
        gens=[gas(1.0)], fossil={"coal": 5.0, "heat": 1.0}, carbon_price=(100.0,), final_carbon_price=(0.0,)
    )
    res = plan(inp)
    assert res.cost["bn_cny_pv"].sum() == pytest.approx(res.objective, rel=1e-9)


def test_trade_limits_and_the_coal_rule_are_exported(tmp_path):
    """The trade pace, last year's net import, the export cap and a generator's
    ``adequacy_only`` reach the CSVs, so the exported LP can be rebuilt with its trade rows."""
    inp = micro(gens=[gas(1.0)], export_limit=1.0, export_price=0.5)
    market = replace(inp.market, trade_pace=0.05, net_import_prev_twh=-2.0, export_cap_twh=3.0)
    inp = replace(inp, market=market)
    export(inp, plan(inp), tmp_path)
    sc = pd.read_csv(tmp_path / "inputs_scalars.csv").set_index("name")
    assert float(sc.loc["trade_pace", "value"]) == 0.05
    assert float(sc.loc["net_import_prev_twh", "value"]) == -2.0
    assert float(sc.loc["export_cap_twh", "value"]) == 3.0
    assert sc.loc["export_cap_twh", "unit"] == "TWh"
    gen = pd.read_csv(tmp_path / "inputs_generators.csv")
    row = gen[(gen["tech"] == "gas") & (gen["attribute"] == "adequacy_only")]
    assert len(row) == 1
