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
from zonesim.scenario import load_scenario

# Dalian: Liaoning's crude steel is published for 2018 and 2019 (so steel is anchored in 2019);
# Beijing Jingxi: no product series for Beijing, nothing anchored
ANCHORED, UNANCHORED = "dalian", "beijing_jingxi"
YEAR = 2019
CITIES = [UNANCHORED, ANCHORED]


@pytest.fixture(scope="module")
def refs(base):
    """The same small reference run with the anchors of the baseline scenario, and without."""
    on = bc.reference(base, cities=CITIES, n_firms=300, product_anchors=True)
    off = bc.reference(base, cities=CITIES, n_firms=300, product_anchors=False)
    return on, off


def _level(base, region: str, product: str, year: int) -> float:
    t = base.tables["product_output"]
    row = t[(t["region"] == region) & (t["product"] == product) & (t["year"] == year) & (t["unit"] == "Mt")]
    assert len(row) == 1, (region, product, year)
    return float(row["value"].iloc[0])


def test_anchors_are_the_baseline_scenarios(refs):
    macro = load_scenario(SCENARIOS / "baseline.yaml").macro
    on, off = refs
    assert on.anchors is not None and off.anchors is None and off.product_pct == {}
    assert dict(on.anchors.products) == dict(macro.product_anchors)
    assert on.anchors.scopes == tuple(macro.product_anchor_scopes)


def test_anchored_sector_grows_with_realised_output(refs, base):
    """Dalian's steel output 2018 -> 2019 grows as Liaoning's published crude steel, to 1e-9,
    although the mandated retirement acts in that year (it shifts the mix, not the output)."""
    on, _ = refs
    product = on.anchors.products["steel"]
    city = CITIES.index(ANCHORED)
    want = _level(base, "Liaoning", product, YEAR) / _level(base, "Liaoning", product, YEAR - 1) - 1.0

    run = bc.Backcast(on, on.prior)
    steel = SECTOR_INDEX["steel"]

    def output() -> float:
        f = run.firms
        mine = (f.city == city) & (f.sector == steel) & f.alive
        return float(f.output[mine].sum())

    while run.year < YEAR - 1:
        run.step()
    before, retired = output(), run.behaviour.backward_retired[city]
    run.step()
    assert run.year == YEAR
    assert before > 0
    assert run.behaviour.backward_retired[city] > retired, "the retirement must act in the tested year"
    assert output() / before - 1.0 == pytest.approx(want, abs=1e-9)
    first = YEAR - on.periods.start - 1  # 2016-2018: no provincial series, not anchored
    assert np.isnan(on.product_pct["steel"][city, :first]).all()


def test_unanchored_cities_and_years_unchanged(refs):
    """Without data nothing changes: the unanchored city in every year and the anchored city
    before its first anchored year equal the backcast without anchors; the anchored year differs."""
    on, off = refs
    a, b = bc.run_backcast(on, {}), bc.run_backcast(off, {})
    pd.testing.assert_frame_equal(a.loc[UNANCHORED], b.loc[UNANCHORED], rtol=1e-12)
    early = list(range(on.periods.start, YEAR))
    pd.testing.assert_frame_equal(a.loc[ANCHORED].loc[early], b.loc[ANCHORED].loc[early], rtol=1e-12)
    assert not np.isclose(a.loc[(ANCHORED, YEAR), "energy_total"], b.loc[(ANCHORED, YEAR), "energy_total"])
