"""Checks of the power-sector statistics tables (built by calibration/build/build_power_data.py).

Reads only ``calibration/data`` through the loader; then provenance on every row and
plausibility: utilisation hours and availability in physical ranges, grid factors in range
and each regional factor inside its member provinces' range, coal prices ordered mine <
port, tariffs in the range of Chinese coal benchmarks, and coverage of the zone provinces.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from zonesim.data import load
from zonesim.data.load import read_table
from zonesim.data.schema import GRID_REGIONS, TABLES

DATA = Path(__file__).resolve().parents[1] / "calibration" / "data"

POWER_TABLES = (
    "utilisation_hours",
    "availability",
    "grid_emission_factors",
    "coal_prices_regional",
    "tariffs",
)


def _zone_provinces() -> set[str]:
    return set(read_table("cities")["province_code"])


@pytest.mark.parametrize("name", POWER_TABLES)
def test_table_loads_and_carries_provenance(name: str) -> None:
    """Each table is declared, loads through the loader, and every row names its source."""
    assert name in TABLES
    df = read_table(name)
    assert len(df) > 0
    raw = pd.read_csv(DATA / TABLES[name].file, dtype=str, keep_default_na=False)
    assert (raw["source"].str.strip() != "").all()
    est = raw["estimate"].str.lower() == "true"
    assert (raw.loc[est, "method"].str.strip() != "").all()
    # every source names a document or an address, not a bare word
    assert raw["source"].str.len().min() > 20


def test_power_tables_are_in_the_loaded_base_year() -> None:
    base = load()
    for name in POWER_TABLES:
        assert len(getattr(base, name)) == len(read_table(name))


def test_national_thermal_hours_2020_is_the_nea_figure() -> None:
    util = read_table("utilisation_hours")
    row = util[
        (util["region"] == "national")
        & (util["year"] == 2020)
        & (util["variable"] == "thermal_utilisation_hours")
    ]
    assert len(row) == 1
    assert row["value"].iloc[0] == pytest.approx(4216)
    assert not row["estimate"].iloc[0]


def test_coal_utilisation_hours_cover_zone_provinces_in_range() -> None:
    """Every zone province has a 2020 coal-unit figure; all but Beijing lie in 2,000-6,500 h.

    Beijing's four coal units were held as reserve in 2020 (1,282 h, standby 5,799 h); the only
    Beijing zone unit (Jingxi) burns gas, so the figure is kept but not used as a target.
    """
    util = read_table("utilisation_hours")
    coal = util[(util["variable"] == "coal_unit_utilisation_hours") & (util["year"] == 2020)]
    coal = coal.set_index("region")["value"]
    zone = _zone_provinces()
    assert zone <= set(coal.index), sorted(zone - set(coal.index))
    checked = coal[coal.index.isin(zone - {"BJ"})]
    assert checked.between(2000, 6500).all(), checked[~checked.between(2000, 6500)]
    assert coal["BJ"] < 2000
    # the sample's average is close to the national thermal figure (4,216 h)
    assert 3800 < coal.mean() < 4600


def test_hours_never_exceed_the_period() -> None:
    util = read_table("utilisation_hours")
    assert (util["value"] > 0).all()
    assert (util["value"] <= 8784).all()
    util_only = util[util["variable"].str.endswith("utilisation_hours")]
    non_nuclear = util_only[util_only["variable"] != "nuclear_utilisation_hours"]
    assert non_nuclear["value"].between(1000, 6500).all()


def test_availability_is_a_fraction_and_consistent() -> None:
    av = read_table("availability")
    assert av["value"].between(0, 1).all()
    wide = av.pivot_table(
        index=["tech", "region", "year", "season"], columns="parameter", values="value"
    ).dropna()
    assert (wide["availability"] + wide["outage_share"]).sub(1).abs().max() < 1e-3
    coal = av[(av["tech"] == "coal") & (av["parameter"] == "availability")]
    assert coal["value"].between(0.8, 1.0).all()
    nat = coal[coal["region"] == "national"].set_index("year")["value"]
    assert 0.90 <= nat[2020] <= 0.95
    zone = _zone_provinces()
    assert zone <= set(coal[coal["year"] == 2020]["region"])
    assert {"coal", "nuclear"} <= set(av["tech"])


def test_grid_factors_in_range_and_regions_consistent() -> None:
    gef = read_table("grid_emission_factors")
    avg = gef[gef["factor_type"] == "average"]
    assert avg["value"].between(0.1, 1.1).all()
    fossil = gef[gef["factor_type"] == "fossil"]
    assert fossil["value"].between(0.7, 1.1).all()
    nat = avg[avg["region"] == "national"].set_index("year")["value"]
    assert nat[2022] == pytest.approx(0.5366)
    # values falling year on year, as published
    assert nat[2021] > nat[2022] > nat[2023]
    prov = avg[(avg["scope"] == "province") & (avg["year"] == 2022)]
    assert prov["regional_grid"].notna().all()
    assert set(prov["regional_grid"]) == set(GRID_REGIONS)
    assert _zone_provinces() <= set(prov["region"])
    for year in (2022, 2023):
        assert set(avg[(avg["scope"] == "regional") & (avg["year"] == year)]["region"]) == set(GRID_REGIONS)
    regional = avg[(avg["scope"] == "regional") & (avg["year"] == 2022)].set_index("region")
    for grid, members in prov.groupby("regional_grid"):
        lo, hi = members["value"].min(), members["value"].max()
        assert lo <= regional.loc[grid, "value"] <= hi, grid
    # the zone factors the issue cares about: the production-heavy northern grid is the highest
    assert regional["value"].idxmax() == "north"


def test_coal_prices_conversion_and_ordering() -> None:
    cp = read_table("coal_prices_regional")
    per_t = cp[cp["unit"] == "CNY/t"].set_index("item")
    per_tce = cp[cp["unit"] == "CNY/tce"].set_index("item")
    assert set(per_t.index) == set(per_tce.index)
    ratio = per_tce["value"] / per_t["value"].reindex(per_tce.index)
    expected = 7000 / per_t["calorific_kcal_per_kg"].reindex(per_tce.index)
    assert (ratio - expected).abs().max() < 1e-3
    # mine-mouth below port, and NDRC ranges ordered low < high
    port = per_t.loc["qhd_2020_mean", "value"]
    mines = per_t[per_t["basis"] == "mine_mouth_estimate"]
    assert {"SX", "SN", "NM"} <= set(mines["region"])
    assert (mines["value"] < port).all()
    for series in ("ndrc303_qhd", "ndrc303_sx", "ndrc303_sn", "ndrc303_nmw", "ndrc303_nme"):
        assert per_t.loc[f"{series}_low", "value"] < per_t.loc[f"{series}_high", "value"]
    assert per_tce["value"].between(200, 2500).all()


def test_tariffs_cover_zone_provinces() -> None:
    tar = read_table("tariffs")
    assert tar["value"].between(0.2, 0.5).all()
    prov = tar[(tar["year"] == 2020) & (tar["region"] != "national")]
    assert _zone_provinces() <= set(prov["region"])
    nat = tar[tar["region"] == "national"]["value"].iloc[0]
    assert prov["value"].min() < nat < prov["value"].max()
