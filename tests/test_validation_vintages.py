"""Out-of-sample validation across published vintages (issue 12).

The yearly national energy-intensity figures are first-published communiqué values on
different accounting bases and GDP vintages; the NDRC's cumulative figures since 2020 are on
the basis without non-fossil and feedstock energy, before (-7.3 %, 2021-2023) and after
(-11.6 %, 2021-2024) the census revision of GDP. These tests pin what the report shows: the
published rows with their vintages, the same-vintage derived points with their arithmetic,
and the model's values computed from pathways; and that none of it reaches the fit.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from zonesim.calibration import recent, validation
from zonesim.calibration.report import append_out_of_sample

ZONE = "Z04"


def _national(base, variable: str, year: int) -> float:
    pub = base.published_outcomes
    row = pub[(pub["scope"] == "national") & (pub["variable"] == variable) & (pub["year"] == year)]
    assert len(row) == 1, (variable, year)
    return float(row["value"].iloc[0])


def _pathways(base) -> pd.DataFrame:
    """Two cities of one zone, 2020-2025, with energy, non-fossil, feedstock and CO2 moving
    differently so that every basis and weighting gives a different number."""
    cities = base.cities[base.cities["zone_id"].eq(ZONE)]["city_id"].tolist()
    cities = (cities + base.cities[base.cities["zone_id"].eq("Z07")]["city_id"].tolist())[:2]
    rows = []
    for k, cid in enumerate(cities):
        for j, y in enumerate(range(2020, 2026)):
            rows.append(
                {
                    "city_id": cid,
                    "zone_id": ZONE,
                    "year": y,
                    "gdp_bn": (100.0 + 50 * k) * 1.06**j,
                    "energy_total_tce": (80.0 + 40 * k) * (1.02 + 0.01 * k) ** j,
                    "nonfossil_primary_tce": 5.0 + (2.0 + k) * j,
                    "feedstock_tce": 3.0 + 0.5 * j * (1 - k),
                    "co2_t": 200.0 * 1.01**j,
                    "co2_incl_imports_t": (220.0 + 30 * k) * (1.0 + 0.005 * k) ** j,
                }
            )
    return pd.DataFrame(rows)


def test_the_cumulative_table_has_the_published_ndrc_rows_on_their_vintages(base):
    pub = validation.published_vintages(base).set_index(["indicator", "year", "kind", "vintage"])
    pre = "energy excl. non-fossil and feedstock; GDP before the census revision"
    rev = "energy excl. non-fossil and feedstock; GDP revised (fifth census)"
    assert pub.loc[("energy", 2023, "published", pre), "published_pct"] == pytest.approx(-7.3)
    assert pub.loc[("energy", 2024, "published", rev), "published_pct"] == pytest.approx(-11.6)
    assert pub.loc[("co2", 2024, "published", "CO2; GDP revised (fifth census)"), "published_pct"] == (
        pytest.approx(-9.3)
    )
    # the Reuters five-year CO2 figure is shown but chained to nothing
    assert pub.loc[("co2", 2025, "published", "vintage not stated"), "published_pct"] == pytest.approx(-12.0)


def test_derived_points_follow_the_yearly_figures_of_the_same_vintage_only(base):
    """-11.6 % (2021-2024, revised GDP) with 2024's -3.8 % and 2025's -5.1 % (revised GDP):
    2021-2023 and 2021-2025 on that vintage; -7.3 % (pre-census) with 2023's -0.5 %
    (pre-census): 2021-2022. 2022's -0.1 % is on total energy and chains to nothing."""
    pub = validation.published_vintages(base)
    der = pub[pub["kind"] == "derived"].set_index(["indicator", "year", "vintage"])["published_pct"]
    c24, c23 = _national(base, "energy_intensity_change_since_2020", 2024), -7.3
    y23, y24, y25 = (_national(base, "energy_intensity_change", y) for y in (2023, 2024, 2025))
    rev = "energy excl. non-fossil and feedstock; GDP revised (fifth census)"
    pre = "energy excl. non-fossil and feedstock; GDP before the census revision"
    assert der[("energy", 2025, rev)] == pytest.approx(100 * ((1 + c24 / 100) * (1 + y25 / 100) - 1))
    assert der[("energy", 2023, rev)] == pytest.approx(100 * ((1 + c24 / 100) / (1 + y24 / 100) - 1))
    assert der[("energy", 2022, pre)] == pytest.approx(100 * ((1 + c23 / 100) / (1 + y23 / 100) - 1))
    # what a reader sees: -16.1 % over 2021-2025, -8.1 % over 2021-2023 on the revised GDP
    assert round(der[("energy", 2025, rev)], 1) == -16.1
    assert round(der[("energy", 2023, rev)], 1) == -8.1
    energy = der.loc["energy"]
    assert 2021 not in energy.index.get_level_values("year")  # 2022's figure is on total energy
    co2 = der.loc["co2"]
    assert set(co2.index.get_level_values("year")) == {2023, 2025}
    how = pub.set_index(["indicator", "year", "kind"]).loc[("energy", 2025, "derived"), "how"]
    assert "(1 -11.6 %) x (1 -5.1 %) - 1" in how


def test_the_model_side_is_the_zones_change_since_2020_on_each_figures_basis(base):
    p = _pathways(base)
    cum = validation.cumulative_comparison(p, base)
    z = p.groupby("year").sum(numeric_only=True)
    excl = (z["energy_total_tce"] - z["nonfossil_primary_tce"] - z["feedstock_tce"]) / z["gdp_bn"]
    co2 = z["co2_incl_imports_t"] / z["gdp_bn"]
    for r in cum.itertuples():
        series = excl if r.indicator == "energy" else co2
        assert r.model_pct == pytest.approx(100 * (series[r.year] / series[2020] - 1))
        assert r.error_pp == pytest.approx(r.model_pct - r.published_pct)
    # the GDP-weighted variant compounds the cities' yearly changes weighted by last year's GDP
    q = p.sort_values(["city_id", "year"]).set_index(["city_id", "year"])
    ratio = (q["energy_total_tce"] - q["nonfossil_primary_tce"] - q["feedstock_tce"]) / q["gdp_bn"]
    level = 1.0
    for y in range(2021, 2025):
        w = q["gdp_bn"].xs(y - 1, level="year")
        r_y = ratio.xs(y, level="year") / ratio.xs(y - 1, level="year")
        level *= float((w * r_y).sum() / w.sum())
    row = cum[(cum["indicator"] == "energy") & (cum["year"] == 2024) & (cum["kind"] == "published")]
    assert float(row["model_weighted_pct"].iloc[0]) == pytest.approx(100 * (level - 1))
    assert float(row["model_pct"].iloc[0]) != pytest.approx(float(row["model_weighted_pct"].iloc[0]))


def test_periods_on_one_vintage_split_the_chain_and_annualise(base):
    cum = validation.cumulative_comparison(_pathways(base), base)
    per = validation.vintage_periods(cum)
    rev = per[per["vintage"] == "energy excl. non-fossil and feedstock; GDP revised (fifth census)"]
    assert list(rev["period"]) == ["2020-2023", "2023-2024", "2024-2025"]
    one = rev.set_index("period")
    # a one-year period on one vintage is that year's published figure
    assert one.loc["2024-2025", "published_pct"] == pytest.approx(
        _national(base, "energy_intensity_change", 2025)
    )
    assert one.loc["2023-2024", "published_pct"] == pytest.approx(
        _national(base, "energy_intensity_change", 2024)
    )
    block = one.loc["2020-2023"]
    assert block["published_pct_per_year"] == pytest.approx(
        100 * ((1 + block["published_pct"] / 100) ** (1 / 3) - 1)
    )
    assert np.allclose(per["error_pp_per_year"], per["model_pct_per_year"] - per["published_pct_per_year"])


def test_the_calibration_report_shows_both_tables_with_vintages(base, tmp_path):
    p = _pathways(base)
    page = tmp_path / "README.md"
    page.write_text("# report\n")
    append_out_of_sample(page, p, base, "synthetic")
    text = page.read_text()
    assert "### All zones, change since 2020, on each published vintage" in text
    assert "### Changes on one consistent vintage" in text
    lines = {ln for ln in text.splitlines() if ln.startswith("| energy ") or ln.startswith("| co2 ")}
    shown = [ln for ln in lines if "| published |" in ln and "|         2024 |" in ln and "-11.6 " in ln]
    assert len(shown) == 1 and "GDP revised (fifth census)" in shown[0]
    assert any(
        "|         2023 |" in ln and "-7.3 " in ln and "before the census revision" in ln for ln in lines
    )
    # the model's figure printed in the row is the one computed from the pathways
    csv = pd.read_csv(tmp_path / "out_of_sample_cumulative.csv")
    row = csv[(csv["indicator"] == "energy") & (csv["year"] == 2024) & (csv["kind"] == "published")].iloc[0]
    assert f"{row['model_pct']:.2f}".rstrip("0").rstrip(".") in shown[0]
    # the yearly table keeps its rows and now names each year's vintage
    yearly = pd.read_csv(tmp_path / "out_of_sample_all_zones.csv").set_index("year")
    assert yearly.loc[2022, "published_pct"] == pytest.approx(-0.1)
    assert "first published 2023-02: total energy" in yearly.loc[2022, "national_vintage"]
    assert "GDP revised" in yearly.loc[2024, "national_vintage"]
    assert (tmp_path / "out_of_sample_vintage_periods.csv").exists()


def test_a_national_row_without_a_vintage_is_refused_by_name():
    with pytest.raises(
        ValueError, match=r"published_outcomes.csv: national energy_intensity_change 2021: field 'basis'"
    ):
        validation.vintage_of("preliminary (communique)", 2021, "energy_intensity_change")
    assert validation.vintage_of("vintage 2025-07 (NDRC): x", 2024, "v") == "2025-07"
    assert validation.vintage_of("vintage not stated (Reuters)", 2025, "v") is None


def test_the_cumulative_figures_never_reach_the_recent_fit(base, monkeypatch):
    """The recent stage's loss is the same whatever the cumulative and CO2 rows say."""
    p = _pathways(base)
    years = recent.fit_years(base)
    before = recent.loss(p, base, years)
    pub = base.tables["published_outcomes"].copy()
    other = ~pub["variable"].eq(validation.INDICATOR)
    pub.loc[other, "value"] = pub.loc[other, "value"] - 7.0
    monkeypatch.setitem(base.tables, "published_outcomes", pub)
    assert recent.loss(p, base, years) == before
    assert validation.published_vintages(base)["published_pct"].min() < -16.0  # the change took effect


def test_the_retrospective_page_ends_with_the_vintage_comparison(base, tmp_path):
    from zonesim.calibration import retrospective

    p = _pathways(base).assign(intensity_change_pct=-10.0, intensity_target_pct=-13.5)
    page = retrospective.write(p, base, tmp_path, "synthetic")
    text = page.read_text()
    assert "#### All zones, change since 2020, on each published vintage" in text
    assert text.index("## Each zone, 2020-2025") < text.index("#### All zones, change since 2020")
    cum = pd.read_csv(tmp_path / "retrospective_cumulative.csv")
    assert set(cum["kind"]) == {"published", "derived"}
    assert (tmp_path / "retrospective_vintage_periods.csv").exists()
