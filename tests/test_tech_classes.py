"""The planner's technology taxonomy is data (tech_classes.csv), and the adapter reads it."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from zonesim.data import load
from zonesim.data.load import default_data_dir
from zonesim.planner.adapter import baseline_outlook, default_policy, planner_input

CITY, YEARS = "baotou", (2021, 2022)


def _input(base):
    return planner_input(
        base, CITY, YEARS, baseline_outlook(base, CITY, YEARS), default_policy(base, CITY, YEARS), 4
    )


@pytest.fixture(scope="module")
def shipped():
    base = load()
    return base, _input(base)


def test_generators_follow_the_table(shipped):
    base, inp = shipped
    tc = base.tech_classes.set_index("tech")
    assert inp.generators, "no generators"
    for g in inp.generators:
        assert tc.loc[g.name, "role"] == "generator"
        assert g.kind == tc.loc[g.name, "kind"], g.name
        assert g.renewable == bool(tc.loc[g.name, "renewable"]), g.name
    order = [t for t in tc.index if t in {g.name for g in inp.generators}]
    assert [g.name for g in inp.generators] == order  # the table's row order
    fixed = tc[(tc["role"] == "storage") & tc["duration_h"].notna()]
    got = {s.name: s.duration_h for s in inp.storage}
    for name, row in fixed.iterrows():
        assert got[name] == row["duration_h"]


def test_changing_the_table_changes_the_planner_input(tmp_path):
    dst = tmp_path / "data"
    shutil.copytree(default_data_dir(), dst)
    path = dst / "tech_classes.csv"
    tc = pd.read_csv(path, dtype=str, keep_default_na=False)
    tc.loc[tc["tech"] == "battery_4h", "duration_h"] = "6.0"
    tc.loc[tc["tech"] == "solar", "renewable"] = "false"
    tc.to_csv(path, index=False)
    inp = _input(load(dst))
    assert {s.name: s.duration_h for s in inp.storage}["battery_4h"] == 6.0
    assert not {g.name: g.renewable for g in inp.generators}["solar"]
