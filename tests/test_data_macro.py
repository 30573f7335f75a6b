"""The realised macro record 2021-2025 and the published outcomes (issue 12, data part).

macro_realised.csv, product_output.csv and published_outcomes.csv are built from the
hand-compiled source list calibration/build/sources/macro_sources.csv by
calibration/build/build_macro.py. These tests check that the shipped tables are what the
build makes of the source list, that every value carries its source, that values lie in
plausible ranges, that a city row resolved to its province carries the province's figure,
and that no fitting code reads the validation table.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest
from zonesim.data import DataError, default_data_dir, load

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "calibration" / "build" / "build_macro.py"
MACRO_TABLES = ("macro_realised", "product_output", "published_outcomes")


def _build_module():
    spec = importlib.util.spec_from_file_location("build_macro", BUILD)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def data_copy(tmp_path):
    dst = tmp_path / "data"
    shutil.copytree(default_data_dir(), dst)
    return dst


def test_shipped_tables_are_what_the_build_makes_of_the_source_list():
    mod = _build_module()
    src = mod.read_sources()
    derived = mod.read_derived(src)
    cities = pd.read_csv(default_data_dir() / "cities.csv", dtype=str)
    parents = pd.read_csv(mod.SRC / "macro_parents.csv", dtype=str)
    for table in MACRO_TABLES:
        built = mod.build_table(src, table, cities, parents, derived)
        if table == "product_output":
            built = built.rename(columns={"variable": "product"}).drop(columns="resolved_from")
        shipped = pd.read_csv(default_data_dir() / f"{table}.csv", dtype=str, keep_default_na=False)
        built = built.astype(str).replace({"nan": "", "None": ""})
        assert list(shipped.columns) == list(built.columns), table
        pd.testing.assert_frame_equal(
            shipped.reset_index(drop=True),
            built.reset_index(drop=True),
            check_dtype=False,
            obj=f"{table}.csv (rerun calibration/build/build_macro.py)",
        )


def test_every_value_names_a_source_with_an_address_or_document(base):
    for name in MACRO_TABLES:
        df = getattr(base, name)
        assert len(df) > 0, name
        # a URL or a named statistical document (公报 / bulletin / communiqué) on every row
        cited = df["source"].str.contains(r"https?://|公报|[Cc]ommuniqu|CSMAR", regex=True)
        assert cited.all(), df.loc[~cited, ["region", "year", "source"]].head()
        est = df[df["estimate"]]
        assert est["method"].notna().all(), name


def test_national_series_covers_every_year_2021_2025(base):
    nat = base.macro_realised[base.macro_realised["scope"] == "national"]
    gdp = nat[nat["variable"] == "gdp_real_growth"].set_index("year")["value"]
    assert sorted(gdp.index) == [2021, 2022, 2023, 2024, 2025]
    # NBS preliminary figures: 2022 was the 3 % year, every other year above 5 %
    assert gdp[2022] == pytest.approx(3.0)
    assert (gdp.drop(2022) >= 5.0).all()
    ei = base.published_outcomes
    ei = ei[(ei["scope"] == "national") & (ei["variable"] == "energy_intensity_change")]
    assert sorted(ei["year"]) == [2021, 2022, 2023, 2024, 2025]
    # the record the model must recognise: a weak 2022-2023, far from -13.5 % over five years
    byyear = ei.set_index("year")["value"]
    assert byyear[2022] > -1.0 and byyear[2023] > -1.0
    assert byyear[2021] < -2.0


def test_values_lie_in_plausible_ranges(base):
    m = base.macro_realised
    assert m["value"].between(-10.0, 20.0).all(), m.loc[~m["value"].between(-10, 20)]
    p = base.published_outcomes
    yearly = p[p["unit"] == "percent y/y"]
    assert yearly["value"].between(-20.0, 20.0).all()
    cum = p[p["unit"] == "percent vs 2020"]
    assert cum["value"].between(-40.0, 20.0).all()
    po = base.product_output
    levels = po[po["unit"] != "percent y/y"]
    assert (levels["value"] > 0).all()
    steel = levels[(levels["product"] == "crude_steel") & (levels["scope"] == "national")]
    assert steel["value"].between(800.0, 1200.0).all(), "national crude steel in Mt"


def test_city_rows_resolved_to_a_province_carry_the_province_figure(base):
    m = base.macro_realised
    cities = base.cities.set_index("city_id")["province"]
    prov = m[m["scope"] == "province"].set_index(["region", "year", "variable"])["value"]
    resolved = m[(m["scope"] == "city") & (m["resolved_from"] == "province")]
    assert len(resolved) > 0
    for r in resolved.itertuples():
        assert r.estimate and "provincial figure applied to city" in r.method
        assert r.value == prov[(cities[r.region], r.year, r.variable)]
    own = m[(m["scope"] == "city") & (m["resolved_from"] == "city")]
    assert not own["estimate"].any()


def test_every_simulated_city_has_its_2021_gdp_growth(base):
    m = base.macro_realised
    rows = m[(m["scope"] == "city") & (m["year"] == 2021) & (m["variable"] == "gdp_real_growth")]
    have = set(rows["region"])
    simulated = set(base.cities[base.cities["included_by_default"]]["city_id"])
    assert simulated <= have, sorted(simulated - have)


def test_unknown_city_in_a_macro_table_is_named(data_copy):
    path = data_copy / "macro_realised.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    i = df.index[df["scope"] == "city"][0]
    df.loc[i, "region"] = "atlantis"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match=r"macro_realised.csv.*'atlantis'.*not a city_id"):
        load(data_copy)


def test_validation_tables_stay_out_of_the_data_version(data_copy):
    """The calibration is stamped with the data version; tables the model does not read
    must not invalidate it."""
    v1 = load(data_copy).version
    path = data_copy / "published_outcomes.csv"
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    df.loc[0, "value"] = str(float(df.loc[0, "value"]) - 1.0)
    df.to_csv(path, index=False)
    assert load(data_copy).version == v1


def test_source_list_with_an_empty_source_is_refused(tmp_path):
    mod = _build_module()
    bad = pd.read_csv(mod.SRC / "macro_sources.csv", dtype=str, keep_default_na=False, nrows=3)
    bad.loc[1, "source"] = ""
    path = tmp_path / "sources.csv"
    bad.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 3: column 'source' is empty"):
        mod.read_sources(path)


# Files allowed to name the validation table: the loader's reference check and the calibration
# *report* (out-of-sample comparison); its declaration is data (model/data/tables.yaml). Fitting
# code may not read it.
_ALLOWED = {
    "model/data/load.py",
    "model/calibration/report.py",
    "model/calibration/validation.py",  # the out-of-sample check: reads it, fits nothing
    "model/calibration/retrospective.py",  # the 2021-2025 report: reads it, fits nothing
    # the recent stage fits the first simulated years (constants.csv recent_fit_*: 2021-2022)
    # and nothing later: test_the_recent_stage_never_sees_the_held_out_years
    "model/calibration/recent.py",
}


def test_no_fitting_code_reads_published_outcomes():
    offenders = []
    for path in sorted((ROOT / "model").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel in _ALLOWED:
            continue
        if re.search(r"published_outcomes", path.read_text(encoding="utf-8")):
            offenders.append(rel)
    assert not offenders, f"validation-only table read outside the report: {offenders}"


def test_the_recent_stage_never_sees_the_held_out_years(base):
    """The recent stage's loss changes with the fit years' errors and not at all with 2023-2025."""
    from zonesim.calibration import recent

    years = recent.fit_years(base)
    assert years == (2021, 2022)
    cities = base.cities[base.cities["zone_id"].eq("Z04")]["city_id"].tolist()
    rows = []
    for cid in cities:
        for y, g in zip(range(2020, 2026), (100, 110, 120, 130, 140, 150), strict=True):
            rows.append(
                {
                    "city_id": cid,
                    "zone_id": "Z04",
                    "year": y,
                    "gdp_bn": g,
                    "energy_total_tce": 100.0,
                    "nonfossil_primary_tce": 1.0,
                    "feedstock_tce": 1.0,
                }
            )
    p = pd.DataFrame(rows)
    base_loss = recent.loss(p, base, years)
    later = p.copy()
    later.loc[later["year"] >= 2023, "energy_total_tce"] *= 1.5  # held-out years only
    assert recent.loss(later, base, years) == base_loss
    fit = p.copy()
    fit.loc[fit["year"] == 2022, "energy_total_tce"] *= 1.05
    assert recent.loss(fit, base, years) != base_loss


def test_a_derived_level_is_the_previous_level_times_the_stated_growth(base):
    """Where a release states only a growth rate, the level is derived from the previous
    year's published level and flagged as an estimate with its method."""
    mod = _build_module()
    src = mod.read_sources()
    spec = pd.read_csv(mod.SRC / "macro_derived.csv", dtype=str, keep_default_na=False)
    assert len(spec) > 0
    po = base.product_output.set_index(["scope", "region", "product", "unit", "year"])
    for r in spec[spec["table"] == "product_output"].itertuples():
        year = int(r.year)
        prev = po.loc[(r.scope, r.region, r.variable, r.unit, year - 1)]
        row = po.loc[(r.scope, r.region, r.variable, r.unit, year)]
        assert not prev["estimate"], "a derived level must rest on a published one"
        assert row["estimate"] and "derived" in row["method"]
        assert row["value"] == pytest.approx(prev["value"] * (1 + float(r.growth_pct) / 100), abs=0.01)
    assert len(src) > len(spec)


def test_a_derived_row_without_a_published_base_year_is_refused(tmp_path):
    mod = _build_module()
    src = mod.read_sources()
    spec = pd.read_csv(mod.SRC / "macro_derived.csv", dtype=str, keep_default_na=False).head(1)
    spec.loc[0, "year"] = "2031"
    path = tmp_path / "derived.csv"
    spec.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"row 2: no published 2030 level"):
        mod.read_derived(src, path)


def test_national_output_levels_cover_2020_2025_for_the_anchored_products(base):
    """The energy-intensive sectors are anchored to realised output 2021-2025 with 2020 as
    the base year: steel (crude steel, pig iron), building materials (cement), nonferrous
    (ten metals, primary aluminium) need a level every year; the growth rows are separate."""
    po = base.product_output
    nat = po[(po["scope"] == "national") & (po["unit"] != "percent y/y")]
    for product in ("crude_steel", "pig_iron", "cement", "nonferrous_ten", "aluminium"):
        years = sorted(nat.loc[nat["product"] == product, "year"])
        assert set(range(2020, 2026)) <= set(years), (product, years)  # earlier years: the backcast's
    # the 2021-2025 record the model must reproduce: steel and cement fell, nonferrous rose
    lvl = nat.set_index(["product", "year"])["value"]
    assert lvl[("crude_steel", 2025)] < lvl[("crude_steel", 2020)]
    assert lvl[("cement", 2025)] < 0.75 * lvl[("cement", 2020)]
    assert lvl[("nonferrous_ten", 2025)] > 1.2 * lvl[("nonferrous_ten", 2020)]
    growth = po[(po["scope"] == "national") & (po["unit"] == "percent y/y")]
    assert growth["value"].between(-20.0, 25.0).all()
