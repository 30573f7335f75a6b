"""Macro drivers: GDP follows the scenario's path exactly; levers that remove output deviate."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from zonesim.macro import gdp_path, history_path, interpolate
from zonesim.model import TransitionModel
from zonesim.scenario import load_scenario
from zonesim.year.setting import select_cities

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
SMALL = {
    "selection": {"zones": ["Z04", "Z07", "Z09"], "include_associated": False},
    "horizon": {"start_year": 2020, "end_year": 2023},
    "firms": {"n_firms": 400},
    "planner": {"n_days": 2, "mode": "rolling"},
}


def records(base, **over) -> pd.DataFrame:
    m = TransitionModel(load_scenario(SCENARIOS / "baseline.yaml", **{**SMALL, **over}), base=base)
    m.run()
    return pd.DataFrame(m.records).set_index(["city_id", "year"]).sort_index()


def test_interpolate_is_linear_between_and_flat_outside():
    assert list(interpolate({2026: 5.0, 2030: 4.0}, [2025, 2026, 2028, 2030, 2031])) == [
        5.0,
        5.0,
        4.5,
        4.0,
        4.0,
    ]


def test_realised_growth_comes_from_the_city_else_its_province_else_the_nation(base):
    scenario = load_scenario(SCENARIOS / "baseline.yaml", **SMALL)
    table = select_cities(base, scenario)
    path = gdp_path(base, scenario, table, np.zeros(len(table)))
    pub = base.tables["macro_realised"]
    pub = pub[pub["variable"] == "gdp_real_growth"].set_index(["scope", "region", "year"])["value"]
    for i, row in enumerate(table.itertuples()):
        for j, y in enumerate(path.years):
            origin = path.origin[i, j]
            expect = {
                "realised_city": ("city", row.city_id),
                "realised_province": ("province", row.province),
                "realised_national": ("national", "China"),
            }[origin]
            assert path.growth_pct[i, j] == pytest.approx(float(pub.loc[(*expect, y)]))
            if origin != "realised_city":
                assert ("city", row.city_id, y) not in pub.index


def test_baseline_gdp_equals_the_macro_path(base):
    rec = records(base)
    assert np.allclose(rec["gdp_bn"], rec["gdp_path_bn"], rtol=1e-9, atol=0)
    growth = rec["gdp_bn"].groupby(level=0).pct_change().dropna()
    assert growth.std() > 0.005  # realised growth differs by city and year, not one trend


def test_retirement_shows_as_a_gdp_deviation_below_the_path(base):
    lever = {
        "capacity_retirement": {
            "coal_unit_max_mw": 0.0,
            "backward_share": 0.1,
            "by_year": 2022,
        }
    }
    rec = records(base, levers=lever)
    dev = rec["gdp_deviation_pct"]
    assert (dev <= 1e-9).all() and dev.min() < -0.5


def test_history_path_reproduces_city_history_growth(base):
    cities = ["tangshan", "ordos"]
    path = history_path(base, cities, 2015, 2020)
    gdp = base.history("gdp")
    for i, c in enumerate(cities):
        for j, y in enumerate(path.years):
            assert path.growth_pct[i, j] == pytest.approx(100 * (gdp[(c, y)] / gdp[(c, y - 1)] - 1))


def test_calibration_report_gets_the_out_of_sample_section(base, tmp_path):
    from zonesim.calibration.report import append_out_of_sample

    rec = records(base).reset_index()
    page = tmp_path / "README.md"
    page.write_text("# report\n")
    append_out_of_sample(page, rec, base, "small")
    text = page.read_text()
    assert "## Out of sample: 2021-2025 against the published record" in text
    table = pd.read_csv(tmp_path / "out_of_sample_all_zones.csv")
    assert list(table["year"]) == [2021, 2022, 2023]
    # the national published series where no city or province figure exists
    assert table.set_index("year").loc[2022, "published_pct"] == pytest.approx(-0.1)
    assert np.allclose(table["error_pp"], table["model_pct"] - table["published_pct"])


def test_modelled_change_compares_both_years_on_the_published_basis(base):
    """From the year the published figures exclude non-fossil energy and feedstock (2023,
    constants.csv), both years of the model's change are on that basis; before it, total."""
    from zonesim.calibration.validation import modelled_change, nonfossil_excluded_from

    first = nonfossil_excluded_from(base)
    assert first == 2023
    p = pd.DataFrame(
        {
            "city_id": ["a"] * 4,
            "zone_id": ["Z"] * 4,
            "year": [2021, 2022, 2023, 2024],
            "gdp_bn": [100.0, 110.0, 121.0, 133.1],
            "energy_total_tce": [100.0, 110.0, 121.0, 133.1],
            "nonfossil_primary_tce": [10.0, 10.0, 20.0, 40.0],
            "feedstock_tce": [0.0, 0.0, 1.0, 1.0],
        }
    )
    out = modelled_change(p, first).set_index("year")
    assert out.loc[2022, "model_pct"] == pytest.approx(0.0)  # total energy grows with GDP
    assert out.loc[2022, "basis"] == "total"
    # 2023: (121 - 20 - 1) / 121 against (110 - 10 - 0) / 110
    assert out.loc[2023, "model_pct"] == pytest.approx(100 * ((100 / 121) / (100 / 110) - 1))
    assert out.loc[2024, "model_pct"] == pytest.approx(100 * ((92.1 / 133.1) / (100 / 121) - 1))
    assert out.loc[2024, "basis"] == "excl_nonfossil_feedstock"


def test_anchored_sectors_follow_realised_product_output_and_gdp_still_meets_the_path(base):
    """Tangshan's steel output grows at Hebei's published 2021 crude-steel rate (the city has
    no 2020 level, its province a rate); the rest of the economy makes up the GDP path."""
    from zonesim.agents.firms import SECTOR_INDEX

    sc = load_scenario(
        SCENARIOS / "baseline.yaml",
        **{**SMALL, "horizon": {"start_year": 2020, "end_year": 2021}},
    )
    assert sc.macro.product_anchors["steel"] == "crude_steel"
    po = base.tables["product_output"]
    rate = po[
        (po["region"] == "Hebei")
        & (po["product"] == "crude_steel")
        & (po["year"] == 2021)
        & (po["unit"] == "percent y/y")
    ]["value"]
    assert len(rate) == 1 and float(rate.iloc[0]) < -9.0
    m = TransitionModel(sc, base=base)
    f = m.firms
    mine = (f.sector == SECTOR_INDEX["steel"]) & f.in_gdp & (f.city == m.city_ids.index("tangshan"))
    before = float((f.output * f.alive)[mine].sum())
    m.step()
    after = float((m.firms.output * m.firms.alive)[mine].sum())
    assert 100 * (after / before - 1) == pytest.approx(float(rate.iloc[0]), abs=1e-9)
    rec = pd.DataFrame(m.records)
    assert np.allclose(rec["gdp_bn"], rec["gdp_path_bn"], rtol=1e-9, atol=0)


def test_an_unknown_anchor_product_is_named_in_the_error(base):
    with pytest.raises(ValueError, match=r"macro.product_anchors.steel.*'pig_steel'.*product_output.csv"):
        TransitionModel(
            load_scenario(
                SCENARIOS / "baseline.yaml", **SMALL, macro={"product_anchors": {"steel": "pig_steel"}}
            ),
            base=base,
        )


def test_anchor_scopes_without_the_nation_anchor_only_where_the_place_publishes(base):
    from zonesim.macro import product_growth

    cities = base.cities.set_index("city_id").loc[["tangshan", "tongling"]].reset_index()
    years = [2021, 2022]
    anchors = {"steel": "crude_steel"}
    every = product_growth(base, cities, years, anchors, 2025)["steel"]
    local = product_growth(base, cities, years, anchors, 2025, scopes=("city", "province"))["steel"]
    assert every[1, 0] == pytest.approx(-3.0)  # Tongling (Anhui, no 2021 figure): the nation's
    assert np.isnan(local[1, 0])  # ... and nothing without the nation
    assert local[0, 0] == pytest.approx(every[0, 0])  # Tangshan: Hebei's 2021 cut either way
    assert local[0, 0] < -9.0


def test_a_level_that_breaks_the_series_is_not_read_as_growth(base):
    """Inner Mongolia's 2017 cement level halves with the region's statistical correction
    (basis marked 'series break'): no growth for 2017 from the level ratio, 2018 from 2018/2017."""
    from zonesim.macro import SERIES_BREAK, product_growth

    t = base.tables["product_output"]
    im = t[(t["region"] == "Inner Mongolia") & (t["product"] == "cement") & (t["unit"] == "Mt")].set_index(
        "year"
    )
    assert SERIES_BREAK in im.loc[2017, "basis"]
    cities = base.cities.set_index("city_id").loc[["baotou"]].reset_index()
    years = [2016, 2017, 2018]
    g = product_growth(
        base, cities, years, {"building_materials": "cement"}, 2019, scopes=("city", "province")
    )
    g = g["building_materials"][0]
    assert g[0] == pytest.approx(100 * (im.loc[2016, "value"] / im.loc[2015, "value"] - 1))
    assert np.isnan(g[1])  # the reset is not a 51 % fall of output
    assert g[2] == pytest.approx(100 * (im.loc[2018, "value"] / im.loc[2017, "value"] - 1))
    # without the marker the same levels would give the reset as growth
    unmarked = base.tables["product_output"].copy()
    unmarked["basis"] = unmarked["basis"].str.replace(SERIES_BREAK, "", regex=False)
    base.tables["product_output"], saved = unmarked, t
    try:
        raw = product_growth(
            base, cities, years, {"building_materials": "cement"}, 2019, scopes=("city", "province")
        )
    finally:
        base.tables["product_output"] = saved
    assert raw["building_materials"][0][1] < -40
