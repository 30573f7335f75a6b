"""Coal and gas prices and tariffs by province (zonesim.planner.prices, prices.csv) and the price paths."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pandas as pd
import pytest
from zonesim.data import load
from zonesim.planner import prices
from zonesim.planner.adapter import baseline_outlook, default_policy, planner_input
from zonesim.scenario import Prices, Scenario, ScenarioError, load_scenario
from zonesim.units import KILO, MILLI

YEARS = (2020, 2021, 2022, 2025, 2030)
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@cache
def _base():
    return load()


def _row(item: str) -> float:
    t = _base().tables["coal_prices_regional"]
    return float(t[(t["item"] == item) & (t["unit"] == "CNY/tce")]["value"].iloc[0])


def test_mine_mouth_where_the_table_has_it_else_the_port():
    b = _base()
    port = prices.coal_price(b, "JS", YEARS)
    assert port[0] == pytest.approx(_row("qhd_2020_mean"))
    assert port[2:] == pytest.approx((_row("ndrc303_qhd_mid"),) * 3)  # 303 corridor from 2022, flat
    assert port[1] == pytest.approx((port[0] + port[2]) / 2)  # linear between
    nm = prices.coal_price(b, "NM", YEARS)
    assert nm[0] == pytest.approx(_row("mine_mouth_2020_nm"))
    assert nm[-1] == pytest.approx(_row("ndrc303_nmw_mid"))
    sx = prices.coal_price(b, "SX", YEARS)
    assert sx[0] == pytest.approx(_row("mine_mouth_2020_sx"))
    assert sx[-1] == pytest.approx(_row("ndrc303_sx_mid"))
    # plants at the mine pay less than plants buying at the port, every year
    for y in range(len(YEARS)):
        assert nm[y] < sx[y] < port[y]
    # no mine-mouth series compiled for Ningxia or Guizhou: the port price
    assert prices.coal_basis(b, "NX").basis == prices.PORT
    assert prices.coal_basis(b, "GZ").basis == prices.PORT


def test_national_basis_is_the_old_single_path():
    b = _base()
    pr = b.prices
    coal = pr[(pr["item"] == "coal") & (pr["region"] == "national")].set_index("year")["value"]
    got = prices.coal_price(b, "NM", (2020, 2025), Prices(coal_basis="national"))
    assert got == pytest.approx((coal[2020], coal[2025]))


def test_tariff_is_the_provincial_benchmark_and_the_scenario_shifts_it():
    b = _base()
    t = b.tables["tariffs"]
    nx = float(t[(t["region"] == "NX") & (t["item"] == "coal_benchmark")]["value"].iloc[0]) * KILO
    assert prices.tariff(b, "NX", YEARS) == pytest.approx((nx,) * len(YEARS))
    s = Prices(tariff_change_pct={2022: 0.0, 2024: 10.0}, coal_price_change_pct={2021: -20.0})
    got = prices.tariff(b, "NX", (2021, 2023, 2030), s)
    assert got == pytest.approx((nx, nx * 1.05, nx * 1.10))
    coal = prices.coal_price(b, "SX", (2020, 2030), s)
    assert coal == pytest.approx(tuple(0.8 * v for v in prices.coal_price(b, "SX", (2020, 2030))))


def test_planner_sees_the_regional_prices():
    b = _base()
    years = (2021, 2022)
    for city, prov in (("ordos", "NM"), ("xuzhou", "JS")):
        inp = planner_input(
            b, city, years, baseline_outlook(b, city, years), default_policy(b, city, years), 2
        )
        coal = tuple(v / MILLI for v in inp.market.fuel_price["coal"])
        assert coal == pytest.approx(prices.coal_price(b, prov, years))
        assert tuple(v / MILLI for v in inp.market.import_price) == pytest.approx(
            prices.tariff(b, prov, years)
        )
    s = Prices(coal_price_change_pct={2020: 50.0})
    inp = planner_input(
        b, "ordos", years, baseline_outlook(b, "ordos", years), default_policy(b, "ordos", years), 2, prices=s
    )
    assert inp.market.fuel_price["coal"][0] / MILLI == pytest.approx(
        1.5 * prices.coal_price(b, "NM", years)[0]
    )


def _gas(region: str) -> float:
    pr = _base().prices
    return float(pr[(pr["item"] == "gas") & (pr["region"] == region)]["value"].iloc[0])


def test_planner_buys_gas_at_the_provincial_city_gate_price_else_the_marker():
    """Xuzhou pays Jiangsu's benchmark city-gate price, not the international marker (which
    undercut every provincial coal tariff and built gas baseload); a province without a
    compiled benchmark (Shandong, for Zibo) still falls back on the national row."""
    b = _base()
    years = (2021, 2025)
    assert _gas("JS") > _gas("national")
    for city, region in (("xuzhou", "JS"), ("shaoguan", "GD"), ("zibo", "national")):
        inp = planner_input(
            b, city, years, baseline_outlook(b, city, years), default_policy(b, city, years), 2
        )
        gas = tuple(v / MILLI for v in inp.market.fuel_price["gas"])
        assert gas == pytest.approx((_gas(region),) * len(years))


def test_provincial_gas_rows_keep_the_city_gate_conversion():
    """Every provincial gas row is its source list's CNY/m3 over gas_kgce_per_m3 (CNY/tce)."""
    b = _base()
    src = pd.read_csv(
        Path(__file__).resolve().parents[1] / "calibration/build/sources/supply_gas_city_gate_prices.csv"
    )
    c = b.tables["constants"]
    kgce = float(c[c["name"] == "gas_kgce_per_m3"]["value"].iloc[0])
    assert len(src) >= 13
    for g in src.itertuples():
        assert _gas(g.region) == pytest.approx(g.value / kgce * 1000, abs=0.05)


def test_price_settings_are_validated():
    base = load_scenario(BASELINE)
    assert base.prices == Prices()  # the shipped baseline states the defaults
    with pytest.raises(ValueError, match="tariff_change_pct"):
        Scenario.model_validate({**base.model_dump(), "prices": {"tariff_change_pct": {2025: 25.0}}})
    with pytest.raises(ValueError, match="coal_basis"):
        Scenario.model_validate({**base.model_dump(), "prices": {"coal_basis": "port"}})
    with pytest.raises(ScenarioError, match="coal_price_change_pct"):
        load_scenario(BASELINE, prices={"coal_price_change_pct": {2025: -95.0}})
