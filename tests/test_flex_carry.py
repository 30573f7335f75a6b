"""Coal flexibility retrofits chosen by a city's plan are carried into its state (issue 10).

With the retrofit made nearly free (1 CNY/kW instead of 1,000) and the coal minimum load
raised from 0.4 to 1.0 (so that the plan hours need it), cities with coal retrofit in their first planned
year; the next year that capacity is in place (the LP's existing
flexible coal) and is not bought again, and the state never exceeds the coal in place.
"""

from __future__ import annotations

import pandas as pd
import pytest
from zonesim.data import BaseYear
from zonesim.model import TransitionModel
from zonesim.runner import with_overrides


@pytest.fixture(scope="module")
def model(base):
    tech = base.technologies.copy()
    rows = (tech["tech"] == "coal_flex_retrofit") & (tech["parameter"] == "capex_power")
    tech.loc[rows, "value"] = 1.0
    par = base.planner_parameters.copy()
    par.loc[par["name"] == "coal_min_load", "value"] = 1.0
    tables = {**base.tables, "technologies": tech, "planner_parameters": par}
    cheap = BaseYear(base.data_dir, base.version + "+cheap-flex", tables)
    scenario = with_overrides(
        "scenarios/baseline.yaml",
        horizon={"start_year": 2020, "end_year": 2023},
        selection={"zones": ["Z04", "Z08"]},
        firms={"n_firms": 300},
    )
    m = TransitionModel(scenario, base=cheap)
    states = []
    while m.year < 2023:
        m.step()
        for c in m.cities:
            inp = m.planner.last_input[c.city_id]
            states.append(
                {
                    "city_id": c.city_id,
                    "year": m.year,
                    "existing_flex_mw": inp.existing_flex_gw * 1e3,  # what the LP started from
                    "flexible_mw": c.state.coal_flexible_mw,
                    "coal_mw": c.state.capacity("coal"),
                }
            )
    return m, pd.DataFrame(states).set_index(["city_id", "year"])


def test_retrofit_is_carried_and_not_bought_again(model):
    m, st = model
    inv = pd.DataFrame(m.investments)
    retro = inv[inv["tech"] == "coal_flex_retrofit"].set_index(["city_id", "year"])["built_mw"]
    first = retro[retro.index.get_level_values("year") == 2021]
    assert len(first) >= 2 and (first > 1.0).all()  # several cities retrofit in 2021
    for city, mw in first.items():
        city = city[0]
        # in place in 2022: the LP of 2022 starts from it (less what retired with its units)
        assert st.loc[(city, 2021), "flexible_mw"] == pytest.approx(min(mw, st.loc[(city, 2021), "coal_mw"]))
        assert st.loc[(city, 2022), "existing_flex_mw"] == pytest.approx(
            min(st.loc[(city, 2021), "flexible_mw"], st.loc[(city, 2022), "coal_mw"] + 1e-9), rel=1e-9
        )
        # not bought again: later retrofits only add to what is there
        again = retro.get((city, 2022), 0.0)
        assert st.loc[(city, 2022), "flexible_mw"] == pytest.approx(
            min(st.loc[(city, 2022), "existing_flex_mw"] + again, st.loc[(city, 2022), "coal_mw"]), rel=1e-9
        )
        assert again < 0.5 * mw
    assert (st["flexible_mw"] <= st["coal_mw"] + 1e-6).all()
