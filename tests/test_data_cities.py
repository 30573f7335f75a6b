"""Checks of zones.csv, cities.csv, city_history.csv and industry.csv against the schema."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "calibration" / "data"

try:  # the installed package, else the file itself (the package may not be installed yet)
    from zonesim.data import schema
except ImportError:  # pragma: no cover
    _spec = importlib.util.spec_from_file_location("_zonesim_schema", ROOT / "model" / "data" / "schema.py")
    schema = importlib.util.module_from_spec(_spec)
    sys.modules["_zonesim_schema"] = schema
    _spec.loader.exec_module(schema)

MY_TABLES = ("zones", "cities", "city_history", "industry")
YEARS = list(range(2015, 2021))
REQUIRED_VARS = ("gdp", "energy_total", "co2", "electricity")


def load(name: str) -> pd.DataFrame:
    t = schema.TABLES[name]
    return pd.read_csv(DATA / t.file, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def tables() -> dict[str, pd.DataFrame]:
    return {n: load(n) for n in MY_TABLES}


def num(df: pd.DataFrame, col: str = "value") -> pd.Series:
    return pd.to_numeric(df[col], errors="raise")


@pytest.mark.parametrize("name", MY_TABLES)
def test_columns_match_schema(tables, name):
    assert tuple(tables[name].columns) == schema.TABLES[name].column_names


@pytest.mark.parametrize("name", MY_TABLES)
def test_types_nulls_allowed_and_key(tables, name):
    t = schema.TABLES[name]
    df = tables[name]
    assert len(df) > 0
    for c in t.columns:
        s = df[c.name]
        if not c.nullable:
            assert (s.str.strip() != "").all(), f"{name}.{c.name} has empty values"
        nonempty = s[s.str.strip() != ""]
        if c.kind == "int":
            assert nonempty.str.fullmatch(r"-?\d+").all(), f"{name}.{c.name} not int"
        elif c.kind == "float":
            pd.to_numeric(nonempty, errors="raise")
        elif c.kind == "bool":
            assert nonempty.isin(["true", "false"]).all(), f"{name}.{c.name} not bool"
    for col, allowed in t.allowed.items():
        bad = set(df[col]) - set(allowed)
        assert not bad, f"{name}.{col} has values outside the schema: {bad}"
    assert not df.duplicated(list(t.key)).any(), f"{name}: duplicate keys"


@pytest.mark.parametrize("name", MY_TABLES)
def test_provenance(tables, name):
    df = tables[name]
    assert (df["source"].str.strip() != "").all()
    assert df["estimate"].isin(["true", "false"]).all()
    est = df[df["estimate"] == "true"]
    assert (est["method"].str.strip() != "").all(), "estimate without a method"


def test_units(tables):
    h = tables["city_history"]
    units = {
        "gdp": "bnCNY2020",
        "population": "10k persons",
        "secondary_share": "fraction",
        "tertiary_share": "fraction",
        "energy_total": "tce",
        "coal": "tce",
        "electricity": "MWh",
        "co2": "tCO2",
    }
    assert (h["unit"] == h["variable"].map(units)).all()
    ind = tables["industry"]
    exp = ind["variable"].map(lambda v: {"value_added": "bnCNY2020", "electricity": "MWh"}.get(v, "tce"))
    assert (ind["unit"] == exp).all()


def test_zones_and_membership(tables):
    z, c = tables["zones"], tables["cities"]
    assert len(z) == 20
    assert sorted(z["zone_id"]) == [f"Z{i:02d}" for i in range(1, 21)]
    assert (z["batch"] == "1").sum() == 12 and (z["batch"] == "2").sum() == 8
    members = c[c["membership"] != "associated"]
    assert set(members["zone_id"]) == set(z["zone_id"]), "every zone needs a member city"
    assoc = c[c["membership"] == "associated"]
    assert set(assoc["city_id"]) == {"xiangyang", "yibin", "hebi"}
    assert (assoc["zone_id"] == "").all() and (assoc["included_by_default"] == "false").all()
    for cid in ("chongqing_west", "beijing_jingxi", "ningdong"):
        assert c.set_index("city_id").loc[cid, "membership"] == "member_uncertain"
    assert c["city_id"].str.fullmatch(r"[a-z_]+").all()
    assert set(members["province"]) <= set(z["province"])
    lat, lon = num(c, "lat"), num(c, "lon")
    assert lat.between(18, 54).all() and lon.between(73, 135).all()
    assert c["province_code"].str.fullmatch(r"[A-Z]{2}").all()


def wide(h: pd.DataFrame) -> pd.DataFrame:
    h = h.assign(value=num(h), year=h["year"].astype(int))
    return h.pivot_table(index=["city_id", "year"], columns="variable", values="value")


def test_history_complete(tables):
    w = wide(tables["city_history"])
    for cid in tables["cities"]["city_id"]:
        for y in YEARS:
            for v in REQUIRED_VARS:
                assert (cid, y) in w.index and pd.notna(w.loc[(cid, y), v]), (cid, y, v)
    assert (w[list(REQUIRED_VARS) + ["coal", "population"]] > 0).all().all()


def test_history_plausible(tables):
    w = wide(tables["city_history"])
    intensity = w["energy_total"] / (w["gdp"] * 1e5)  # tce per 10k CNY
    assert intensity.between(0.1, 6.5).all(), intensity[~intensity.between(0.1, 6.5)]
    i20 = intensity.xs(2020, level="year")
    assert i20.between(0.1, 5.0).all(), i20
    # resource cities above the median, Beijing Jingxi below it
    med = i20.median()
    for cid in ("ordos", "shizuishan", "ningdong", "liupanshui"):
        assert i20[cid] > med
    assert i20["beijing_jingxi"] < 0.3
    assert (w["coal"] <= w["energy_total"]).all()
    assert (w["secondary_share"] + w["tertiary_share"]).between(0.5, 1.0).all()
    co2_per_tce = w["co2"] / w["energy_total"]
    assert co2_per_tce.between(0.8, 3.5).all()


def test_industry_complete_and_nonnegative(tables):
    ind = tables["industry"]
    cities = set(tables["cities"]["city_id"])
    assert set(ind["city_id"]) == cities
    assert len(ind) == len(cities) * len(schema.SECTORS) * (1 + len(schema.CARRIERS))
    assert (num(ind) >= 0).all()


def test_industry_reconciles(tables):
    ind = tables["industry"].assign(value=lambda d: num(d))
    w = wide(tables["city_history"]).xs(2020, level="year")
    el = ind[ind["variable"] == "electricity"].groupby("city_id")["value"].sum()
    rel = (el - w.loc[el.index, "electricity"]).abs() / w.loc[el.index, "electricity"]
    assert (rel < 1e-6).all(), rel[rel >= 1e-6]
    va = ind[ind["variable"] == "value_added"].groupby("city_id")["value"].sum()
    rel_va = (va - w.loc[va.index, "gdp"]).abs() / w.loc[va.index, "gdp"]
    assert (rel_va < 1e-3).all(), rel_va
    # services VA = tertiary VA; residential has no VA
    svc = ind[(ind["variable"] == "value_added") & (ind["sector"] == "services")].set_index("city_id")[
        "value"
    ]
    assert ((svc - w.loc[svc.index, "gdp"] * w.loc[svc.index, "tertiary_share"]).abs() < 1e-3 * svc).all()
    # energy identity: final fossil + heat + electricity (coal-equivalent) stays within
    # energy_total and leaves a non-trivial share for transformation
    fossil = ind[ind["variable"].isin(["coal", "oil", "gas", "heat"])].groupby("city_id")["value"].sum()
    total = fossil + el * 0.3055
    ratio = total / w.loc[total.index, "energy_total"]
    assert ratio.between(0.6, 1.3).all(), ratio


def test_specialisation_visible(tables):
    ind = tables["industry"].assign(value=lambda d: num(d))
    fuel = ind[ind["variable"].isin(["coal", "oil", "gas", "heat"])]
    by = fuel.pivot_table(index="city_id", columns="sector", values="value", aggfunc="sum")
    share = by.div(by.sum(axis=1), axis=0)
    assert share.loc["tangshan", "steel"] > share["steel"].median()
    assert share.loc["tongling", "nonferrous"] > share["nonferrous"].median()
    assert share.loc["daqing", "chemicals"] > share["chemicals"].median()
