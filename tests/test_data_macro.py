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
    cities = pd.read_csv(default_data_dir() / "cities.csv", dtype=str)
    parents = pd.read_csv(mod.SRC / "macro_parents.csv", dtype=str)
    for table in MACRO_TABLES:
        built = mod.build_table(src, table, cities, parents)
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
