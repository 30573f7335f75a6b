"""IAMC output: files pyam opens, common-definitions names and units, regions, stamp in meta."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import SCENARIOS

pyam = pytest.importorskip("pyam", reason="pyam-iamc is in the dev extra")

SMALL = {
    "selection": {"zones": ["Z04", "Z07"], "include_associated": False},
    "horizon": {"start_year": 2020, "end_year": 2022},
    "planner": {"n_days": 2, "mode": "rolling"},
    "firms": {"n_firms": 300},
}


@pytest.fixture(scope="module")
def written(tmp_path_factory, base):
    from zonesim.runner import run

    out = tmp_path_factory.mktemp("iamc")
    res = run(SCENARIOS / "baseline.yaml", out=out, base=base, iamc=True, **SMALL)
    return res, out


@pytest.mark.parametrize("name", ["iamc.xlsx", "iamc.csv"])
def test_pyam_opens_the_file_and_concatenates_with_a_standard_frame(written, name):
    res, out = written
    df = pyam.IamDataFrame(out / name)
    assert df.model == ["zonesim 0.1.0"]  # no commit hash in the model name
    assert df.scenario == ["baseline"]
    assert set(df.year) == {2020, 2021, 2022}
    assert {"Emissions|CO2", "Primary Energy|Coal", "Capacity|Electricity|Solar"} <= set(df.variable)
    assert set(df.region) >= {"Tangshan", "Tongling", "Z04 Tangshan", "Z07 Tongling", "All zones"}
    units = df.data.groupby("variable")["unit"].first()
    assert units["Emissions|CO2"] == "Mt CO2/yr"
    assert units["Primary Energy|Coal"] == "EJ/yr"
    assert units["Capacity|Electricity|Solar"] == "GW"
    # a frame as another model would write it: the same five index columns, other values
    other = pyam.IamDataFrame(
        pd.DataFrame(
            [["MESSAGEix-China", "SSP2", "China", "Emissions|CO2", "Mt CO2/yr", 2020, 11000.0]],
            columns=["model", "scenario", "region", "variable", "unit", "year", "value"],
        )
    )
    both = pyam.concat([df, other])
    assert set(both.model) == {"zonesim 0.1.0", "MESSAGEix-China"}
    # units convert with pyam's unit registry (iam-units)
    mt = df.filter(variable="Primary Energy|Coal").convert_unit("EJ/yr", to="PJ/yr")
    assert (mt.data["value"] > 0).all()


def test_values_are_the_model_values_in_iamc_units(written, base):
    res, out = written
    df = pyam.IamDataFrame(out / "iamc.xlsx")
    p = res.pathways
    tangshan = p[(p["city_id"] == "tangshan") & (p["year"] == 2022)].iloc[0]
    co2 = df.filter(region="Tangshan", variable="Emissions|CO2", year=2022).data["value"].iloc[0]
    assert co2 == pytest.approx(tangshan["co2_t"] / 1e6)
    coal = df.filter(region="Tangshan", variable="Primary Energy|Coal", year=2022).data["value"].iloc[0]
    assert coal == pytest.approx(tangshan["coal_tce"] * base.constant("tce_gj") * 1e-9)
    solar = df.filter(region="Tangshan", variable="Capacity|Electricity|Solar", year=2022).data["value"]
    assert solar.iloc[0] == pytest.approx(tangshan["cap_solar_mw"] / 1e3)
    # zone and all-zone totals are sums of their cities
    year = p[p["year"] == 2022]
    total = df.filter(region="All zones", variable="Emissions|CO2", year=2022).data["value"].iloc[0]
    assert total == pytest.approx(year["co2_t"].sum() / 1e6)


def test_stamp_is_in_meta_not_in_the_index(written):
    from zonesim import iamc

    res, out = written
    df = pyam.IamDataFrame(out / "iamc.xlsx")
    assert list(df.dimensions) == ["model", "scenario", "region", "variable", "unit", "year"]
    meta = df.meta
    for key in ("scenario_hash", "seed", "data_version", "code_version"):
        assert str(meta[key].iloc[0]) == str(res.stamp[key])
    csv_meta = iamc.read_meta(out / "iamc.csv")
    assert csv_meta.loc[("zonesim 0.1.0", "baseline"), "scenario_hash"] == res.stamp["scenario_hash"]


def test_unknown_suffix_is_a_clear_error(written, tmp_path):
    from zonesim import iamc

    with pytest.raises(ValueError, match=r"\.xlsx or \.csv"):
        iamc.write(written[0], tmp_path / "out.parquet")
