"""Backcast product anchors (RECIPE.md, "Product anchors in the backcast"): the energy-intensive
sectors the baseline scenario anchors follow realised product output 2016-2020 where
product_output.csv has it; everything else is as without anchors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import SCENARIOS
from zonesim.agents.firms import SECTOR_INDEX
from zonesim.calibration import backcast as bc
from zonesim.calibration import stats
from zonesim.scenario import load_scenario

# Dalian (Liaoning): provincial cement 2015-2019 and crude steel 2018-2019 are in the data.
# Beijing Jingxi: Beijing's cement is in the data, but Beijing makes no steel, so with steel
# alone anchored nothing is anchored there.
ANCHORED, UNANCHORED = "dalian", "beijing_jingxi"
CITIES = [UNANCHORED, ANCHORED]
STEEL_ONLY = bc.Anchors({"steel": "crude_steel"}, ("city", "province"))


@pytest.fixture(scope="module")
def refs(base):
    """The same small reference run with the baseline scenario's anchors, with steel alone
    anchored, and without anchors."""
    kw = {"cities": CITIES, "n_firms": 300}
    return {
        "baseline": bc.reference(base, product_anchors=True, **kw),
        "steel": bc.reference(base, product_anchors=STEEL_ONLY, **kw),
        "off": bc.reference(base, product_anchors=False, **kw),
    }


def _level(base, region: str, product: str, year: int) -> float:
    t = base.tables["product_output"]
    row = t[(t["region"] == region) & (t["product"] == product) & (t["year"] == year) & (t["unit"] == "Mt")]
    assert len(row) == 1, (region, product, year)
    return float(row["value"].iloc[0])


def test_anchors_are_the_baseline_scenarios(refs):
    macro = load_scenario(SCENARIOS / "baseline.yaml").macro
    on, off = refs["baseline"], refs["off"]
    assert on.anchors is not None and off.anchors is None and off.product_pct == {}
    assert dict(on.anchors.products) == dict(macro.product_anchors)
    assert on.anchors.scopes == tuple(macro.product_anchor_scopes)


@pytest.mark.parametrize(
    ("city_id", "province", "sector", "year"),
    [("dalian", "Liaoning", "steel", 2019), ("beijing_jingxi", "Beijing", "building_materials", 2018)],
)
def test_anchored_sector_grows_with_realised_output(refs, base, city_id, province, sector, year):
    """The city's sector output grows as its province's published output of the anchored
    product, to 1e-9, in a year the capacity cut closes capacity of that very sector (the cut
    shifts the mix, it does not remove output a second time)."""
    on = refs["baseline"]
    product = on.anchors.products[sector]
    city = CITIES.index(city_id)
    want = _level(base, province, product, year) / _level(base, province, product, year - 1) - 1.0
    run = bc.Backcast(on, on.prior)
    f = run.firms

    def output() -> float:
        mine = (f.city == city) & (f.sector == SECTOR_INDEX[sector]) & f.alive
        return float(f.output[mine].sum())

    while run.year < year - 1:
        run.step()
    before = output()
    grown: dict[str, float] = {}
    hold = run.behaviour.restore_anchored_output

    def spy() -> None:  # the sector's output after growth and the cut, before the hold
        grown["cut"] = output()
        hold()

    run.behaviour.restore_anchored_output = spy
    run.step()
    assert run.year == year and before > 0
    assert grown["cut"] / before - 1.0 < want - 1e-3, "the cut must close capacity of this sector this year"
    assert output() / before - 1.0 == pytest.approx(want, abs=1e-9)


def test_unanchored_cities_and_years_unchanged(refs):
    """Without data nothing changes: with steel anchored, Beijing Jingxi (no steel series) in
    every year and Dalian before its first anchored steel year (2019) equal the backcast without
    anchors; Dalian 2019 differs."""
    steel, off = refs["steel"], refs["off"]
    first = 2019
    assert np.isnan(
        steel.product_pct["steel"][CITIES.index(ANCHORED), : first - steel.periods.start - 1]
    ).all()
    a, b = bc.run_backcast(steel, {}), bc.run_backcast(off, {})
    pd.testing.assert_frame_equal(a.loc[UNANCHORED], b.loc[UNANCHORED], rtol=1e-12)
    early = list(range(steel.periods.start, first))
    pd.testing.assert_frame_equal(a.loc[ANCHORED].loc[early], b.loc[ANCHORED].loc[early], rtol=1e-12)
    assert not np.isclose(a.loc[(ANCHORED, first), "energy_total"], b.loc[(ANCHORED, first), "energy_total"])


def test_report_states_the_anchors(refs, tmp_path):
    """The calibration report says which products anchored the backcast (or that none did)."""
    from zonesim.calibration.report import write_report

    for key, want in (("baseline", "steel -> crude_steel"), ("off", "Product anchors in the backcast: off")):
        ref = refs[key]
        result = {"model": bc.run_backcast(ref, {}), "obs": bc.observations(ref.base, ref.city_ids)}
        settings = {"cities": ref.city_ids, "quick": True, **stats.anchor_settings(ref)}
        record = {"data_version": ref.base.version, "schema": "test", "settings": settings, "parameters": {}}
        page = write_report(tmp_path / key, result, record).read_text(encoding="utf-8")
        assert want in page, key
