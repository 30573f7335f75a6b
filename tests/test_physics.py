"""Power, trade and lever physics (issue 11), on small whole-model runs.

* Property: over random valid scenarios (levers drawn with extreme values too), every
  physical quantity of every city-year is finite and >= 0, and the energy, CO2, electricity
  and coal-capacity balances recomputed from the tables close to 1e-9.
* Lever directions on the shipped scenarios, per zone and in total.
* Base year: fossil plants run their province's published hours; trade moves at its pace.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from zonesim.data import load
from zonesim.runner import run
from zonesim.scenario import Scenario, load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FUELS = ("coal", "oil", "gas", "heat")
SMALL = {
    # every zone (the lever directions are asserted per zone) with the shipped firms and
    # representative days, over 2020-2023. With 300 firms instead of 3,000, combined is 2.5 %
    # above each lever in Beijing Jingxi (Z13) in 2023: its few firms leave its dual-control
    # target to be met by exporting gas power, whose CO2 credit the partial area's boundary
    # correction withholds (docs/validation-physics.md, fourth pass)
    "selection": {"zones": "all", "include_associated": False},
    "horizon": {"start_year": 2020, "end_year": 2023},
}
PHYSICAL = (
    *(f"final_{x}_tce" for x in FUELS),
    "final_electricity_mwh",
    "generation_mwh",
    "storage_loss_mwh",
    "power_fossil_tce",
    "power_coal_tce",
    "nonfossil_primary_tce",
    "energy_total_tce",
    "coal_tce",
    "co2_t",
    "co2_power_t",
    "gdp_bn",
)
"""Quantities that exist physically (net import and the accounting residual can be negative)."""
REL = 1e-9
SLOW = settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)


@cache
def _base():
    return load()


@cache
def shipped(name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Pathways and investments of a shipped scenario on the small selection (run once)."""
    r = run(load_scenario(SCENARIOS / f"{name}.yaml", **SMALL), base=_base())
    return r.pathways, r.investments


def check_physics(p: pd.DataFrame, inv: pd.DataFrame) -> None:
    """Every physical quantity finite and >= 0; balances recomputed from the columns."""
    caps = [c for c in p.columns if c.startswith("cap_")]
    for col in (*PHYSICAL, *caps):
        v = p[col].fillna(0.0).to_numpy(float) if col in caps else p[col].to_numpy(float)
        assert np.isfinite(v).all(), col
        bad = p.loc[v < 0, ["city_id", "year", col]]
        assert bad.empty, f"negative {col}:\n{bad}"
    # electricity: final use + storage losses = local generation + net import
    lhs = p["final_electricity_mwh"] + p["storage_loss_mwh"]
    np.testing.assert_allclose(lhs, p["generation_mwh"] + p["net_import_mwh"], rtol=REL, atol=1e-6)
    # primary energy: the sum of its components
    parts = (
        sum(p[f"final_{x}_tce"] for x in FUELS)
        + p["power_fossil_tce"]
        + p["nonfossil_primary_tce"]
        + p["net_import_primary_tce"]
        + p["other_tce"]
    )
    np.testing.assert_allclose(p["energy_total_tce"], parts, rtol=REL)
    # CO2: final fossil use at its factors + power plants + the residual; with imports adds
    # net import at the grid's factor
    ef = _base().emission_factors.set_index("item")["value"]
    factor = {"coal": ef["coal"], "oil": ef["oil"], "gas": ef["gas"], "heat": ef["coal"]}
    final = sum(p[f"final_{x}_tce"] * factor[x] for x in FUELS)
    np.testing.assert_allclose(p["co2_t"], final + p["co2_power_t"] + p["co2_other_t"], rtol=REL)
    np.testing.assert_allclose(p["co2_incl_imports_t"], p["co2_t"] + p["co2_import_t"], rtol=REL)
    # coal capacity: last year's + coal built - every coal retirement in investments
    cap = p.pivot(index="year", columns="city_id", values="cap_coal_mw").fillna(0.0)
    step = (cap - cap.shift(1)).iloc[1:]
    built = inv[inv["tech"] == "coal"].pivot_table(
        index="year", columns="city_id", values="built_mw", aggfunc="sum"
    )
    gone = inv[inv["tech"] == "coal_retired"].pivot_table(
        index="year", columns="city_id", values="built_mw", aggfunc="sum"
    )
    expected = built.reindex_like(step).fillna(0.0) - gone.reindex_like(step).fillna(0.0)
    np.testing.assert_allclose(step.to_numpy(), expected.to_numpy(), rtol=REL, atol=1e-6)
    assert (inv[["planned_mw", "built_mw"]].to_numpy() >= -1e-9).all()


lever_sets = st.fixed_dictionaries(
    {},
    optional={
        "coal_reduction": st.builds(
            lambda cut, ratio: {
                "cut_pct_by_year": {2022: cut},
                "substitution_ratio": ratio,
                "start_year": 2021,
            },
            st.floats(0.0, 60.0),
            st.floats(1.0, 2.0),
        ),
        "carbon_price": st.builds(
            lambda a, b: {"path": {2021: a, 2023: b}}, st.floats(0.0, 500.0), st.floats(0.0, 500.0)
        ),
        "pv_storage": st.builds(
            lambda r, h: {
                "storage_power_ratio": r,
                "storage_duration_h": h,
                "land_classes": ["general", "rooftop", "desert", "subsidence"],
            },
            st.floats(0.0, 0.5),
            st.sampled_from([2.0, 4.0]),
        ),
        "capacity_retirement": st.builds(
            lambda mw, share, by: {"coal_unit_max_mw": mw, "backward_share": share, "by_year": by},
            st.floats(0.0, 700.0),
            st.floats(0.0, 0.3),
            st.integers(2021, 2023),
        ),
    },
)


@SLOW
@given(
    zones=st.lists(st.sampled_from(["Z05", "Z07", "Z10", "Z12", "Z13"]), min_size=2, max_size=3, unique=True),
    end=st.integers(2021, 2023),
    levers=lever_sets,
    seed=st.integers(0, 10_000),
)
def test_random_scenarios_keep_physics(zones, end, levers, seed):
    sc = Scenario.model_validate(
        {
            **load_scenario(SCENARIOS / "baseline.yaml").model_dump(),
            **SMALL,
            "selection": {"zones": zones, "include_associated": False},
            "horizon": {"start_year": 2020, "end_year": end},
            "seed": seed,
            "levers": levers,
        }
    )
    r = run(sc, base=_base())
    check_physics(r.pathways, r.investments)


# ------------------------------------------------------------------ base year and trade


@cache
def every_city_base_year() -> pd.DataFrame:
    """The baseline's base year for all 29 default cities (the year's dispatch, 2020-2021 run)."""
    over = {"horizon": {"start_year": 2020, "end_year": 2021}, "planner": {"n_days": 2, "mode": "rolling"}}
    r = run(load_scenario(SCENARIOS / "baseline.yaml", **over), base=_base())
    return r.pathways


def test_base_year_fossil_plants_run_their_provinces_published_hours():
    """Each province's coal plants within 10 % of its 2020 coal-unit hours (utilisation_hours.csv);
    every city's fossil fleet between 3,000 and 6,500 h (Chongqing's statistic, 2,938 h for its
    large units, is raised to the 3,000 h floor: +2.1 %, planner_parameters.csv)."""
    p = every_city_base_year()
    b = p[p["year"] == 2020].set_index("city_id")
    assert len(b) == 29
    base = _base()
    hours = base.tables["utilisation_hours"]
    coal_h = hours[(hours["year"] == 2020) & (hours["variable"] == "coal_unit_utilisation_hours")]
    coal_h = coal_h.set_index("region")["value"]
    cities = base.cities.set_index("city_id")
    hr = {}  # heat rate of the city's coal units, tce/MWh, to turn coal burnt into MWh
    units = base.power_units
    for cid in b.index:
        u = units[(units["city_id"] == cid) & (units["tech"] == "coal")]
        u = u[u["heat_rate_gce_per_kwh"].notna()]
        if not u.empty:
            hr[cid] = np.average(u["heat_rate_gce_per_kwh"], weights=u["capacity_mw"]) / 1e3
    by_prov: dict[str, list[float]] = {}
    for cid, row in b.iterrows():
        if row.get("cap_coal_mw", 0) > 0 and cid in hr:
            mwh = row["power_coal_tce"] / hr[cid]
            h = mwh / row["cap_coal_mw"]
            prov = cities.loc[cid, "province_code"]
            by_prov.setdefault(prov, [0.0, 0.0])
            by_prov[prov][0] += mwh
            by_prov[prov][1] += row["cap_coal_mw"]
            assert 3000.0 * (1 - 1e-9) <= h <= 6500.0, (cid, h)
    assert by_prov
    for prov, (mwh, mw) in by_prov.items():
        assert mwh / mw == pytest.approx(coal_h[prov], rel=0.10), prov


def test_net_import_moves_at_most_ten_percent_of_demand_a_year():
    p, _ = shipped("baseline")
    p = p.sort_values(["city_id", "year"])
    step = p.groupby("city_id")["net_import_mwh"].diff().abs() / p["final_electricity_mwh"]
    assert step.dropna().max() <= 0.10, step.dropna().max()


def test_plants_outside_a_partial_areas_boundary_are_not_its_export():
    """Ningdong's fleet burns more than the area's statistics hold (a negative CO2 residual
    moving with power-plant fuel); the power of that share is not counted as the area's export
    in CO2 with imports, while a city without such a residual counts net import x factor."""
    from zonesim.planner.adapter import grid_factor

    p, _ = shipped("baseline")
    for cid, outside in (("ningdong", True), ("shizuishan", False)):
        q = p[p["city_id"] == cid]
        gef = np.array([grid_factor(_base(), "NX", int(y)) for y in q["year"]])
        plain = gef * q["net_import_mwh"].to_numpy()
        got = q["co2_import_t"].to_numpy()
        if outside:
            assert (q["co2_other_t"] < 0).all()
            assert (got > plain + 1e5).all(), (got, plain)
        else:
            np.testing.assert_allclose(got, plain, rtol=1e-12)


# ------------------------------------------------------------------ lever directions


def _by_zone(p: pd.DataFrame, col: str, year: int | None = None) -> pd.Series:
    year = year or int(p["year"].max())
    return p[p["year"] == year].groupby("zone_id")[col].sum()


def _cap(p, tech) -> pd.Series:
    cols = [c for c in p.columns if c.startswith(tech)]
    q = p.copy()
    q["_x"] = q[cols].fillna(0.0).sum(axis=1) if cols else 0.0
    return _by_zone(q, "_x")


def test_pv_storage_raises_pv_and_storage_and_not_co2():
    base, _ = shipped("baseline")
    lever, _ = shipped("pv_storage")
    pv0, pv1 = _cap(base, "cap_solar"), _cap(lever, "cap_solar")
    st0, st1 = _cap(base, "cap_storage_"), _cap(lever, "cap_storage_")
    assert (pv1 >= pv0 - 1e-6).all() and pv1.sum() > pv0.sum() + 1.0, (pv0, pv1)
    assert (st1 >= st0 - 1e-6).all() and st1.sum() > st0.sum() + 1.0, (st0, st1)
    for col in ("co2_t", "co2_incl_imports_t"):
        c0, c1 = _by_zone(base, col), _by_zone(lever, col)
        assert (c1 <= c0 * (1 + 1e-6)).all(), (col, c0, c1)


def test_coal_reduction_lowers_coal_in_every_city_or_reports_a_gap():
    base, _ = shipped("baseline")
    lever, _ = shipped("coal_reduction")
    plans = run(load_scenario(SCENARIOS / "coal_reduction.yaml", **SMALL), base=_base()).plans
    last = int(base["year"].max())
    c0 = base[base["year"] == last].set_index("city_id")["coal_tce"]
    c1 = lever[lever["year"] == last].set_index("city_id")["coal_tce"]
    gap = plans.groupby("city_id")["slack_coal"].max() if "slack_coal" in plans else pd.Series(dtype=float)
    # where the cap does not bind in the last year (its dual is 0: the city's coal already lies
    # below the lever's path, e.g. Tangshan after Hebei's 2021 steel cut, binding from 2024) the
    # lever leaves coal as it is
    dual = plans[plans["year"] == last].set_index("city_id")["marginal_coal"]
    for cid in c0.index:
        slack = dual.get(cid) == 0.0 and c1[cid] <= c0[cid] * (1 + 1e-9)
        assert c1[cid] < c0[cid] or gap.get(cid, 0.0) > 0 or slack, cid
    assert (c1 <= c0 * (1 + 1e-9)).all()
    assert c1.sum() < c0.sum()
    # a missed coal cap carries a reason and no price
    if "slack_coal" in plans:
        missed = plans[plans["slack_coal"] > 1e-9]
        assert missed["marginal_coal"].isna().all()
        assert (missed["gap_reason_coal"].str.len() > 0).all()


def test_capacity_retirement_lowers_coal_capacity_and_shows_in_investments():
    base, _ = shipped("baseline")
    lever, inv = shipped("capacity_retirement")
    k0, k1 = _cap(base, "cap_coal_mw"), _cap(lever, "cap_coal_mw")
    assert k1.sum() < k0.sum(), (k0, k1)
    # lower in every zone with units at or below the size limit (300 MW); where there are none
    # (Tongling) the lever retires no coal and only the planner's new build may differ (< 1 %)
    units = _base().power_units
    small = set(units.loc[(units["tech"] == "coal") & (units["capacity_mw"] <= 300), "city_id"])
    zones_small = set(lever.loc[lever["city_id"].isin(small), "zone_id"])
    for z in k0.index:
        if z in zones_small:
            assert k1[z] < k0[z], z
        else:
            assert k1[z] <= k0[z] * 1.01, z
    retired = inv[inv["tech"] == "coal_retired"].groupby("year")["built_mw"].sum()
    assert (retired > 0).sum() >= 2  # over the years, not in one cliff
    # nothing falls by more than the lever orders: each year at most a fifth (2021-2025) of
    # the city's 2020 small-unit capacity retires
    cap = lever.pivot(index="year", columns="city_id", values="cap_coal_mw").fillna(0.0)
    small_mw = units[(units["tech"] == "coal") & (units["capacity_mw"] <= 300)].groupby("city_id")[
        "capacity_mw"
    ]
    order = small_mw.sum().reindex(cap.columns).fillna(0.0) / (2025 - 2020)
    drop = -cap.diff().dropna()
    gone = inv[inv["tech"] == "coal_retired"].pivot_table(
        index="year", columns="city_id", values="built_mw", aggfunc="sum"
    )
    assert (drop <= gone.reindex_like(drop).fillna(0.0) + 1e-6).all().all()
    # plus the units that reach their lifetime that year (technologies.csv coal lifetime;
    # Anshan retires 100 MW by age in 2021)
    tech = _base().tables["technologies"]
    life = float(
        tech[(tech["tech"] == "coal") & (tech["parameter"] == "lifetime")]
        .sort_values("year")["value"]
        .iloc[0]
    )
    coal = units[units["tech"] == "coal"]
    aged = (
        pd.DataFrame(
            {
                y: coal[
                    (coal["start_year"] + life <= y)
                    & (coal["start_year"] + life > (y - 1 if y > 2021 else -1e9))
                ]
                .groupby("city_id")["capacity_mw"]
                .sum()
                for y in drop.index
            }
        )
        .T.reindex(index=drop.index, columns=drop.columns)
        .fillna(0.0)
    )
    allowed = aged + order.to_numpy()[None, :]
    assert (drop <= allowed + 1e-6).all().all(), (drop, allowed)


def test_carbon_price_lowers_co2_including_imports():
    base, _ = shipped("baseline")
    lever, _ = shipped("carbon_price")
    c0, c1 = _by_zone(base, "co2_incl_imports_t"), _by_zone(lever, "co2_incl_imports_t")
    assert c1.sum() < c0.sum(), (c0, c1)
    # in every zone over the years simulated (1e-6: solver noise). Z12 rose 0.3 % until
    # 2026-11-30: a merge had left the outside-boundary correction of co2_import_t dead, so
    # Ningdong's plants outside its statistical boundary counted as its export
    cum0 = base[base["year"] > 2020].groupby("zone_id")["co2_incl_imports_t"].sum()
    cum1 = lever[lever["year"] > 2020].groupby("zone_id")["co2_incl_imports_t"].sum()
    assert (cum1 <= cum0 * (1 + 1e-6)).all(), (cum0, cum1)
    # and in the last year within 0.05 %: the price moves investment, not only dispatch. In
    # Tongling (Z07, 2023, +0.014 %) it buys more PV (+30 MW 2021-22) and 25 MW less new gas, so
    # evening hours are imported at the grid's 0.55 t/MWh instead of made by gas at 0.48;
    # over 2021-2023 the zone's CO2 still falls (-29 kt)
    assert (c1 <= c0 * (1 + 5e-4)).all(), (c0, c1)


def test_combined_is_at_least_as_good_as_each_lever_on_co2():
    """Per zone and in total, CO2 including imported electricity: summed over the simulated
    years in every zone, and in the last year in every zone that is a whole statistical area.

    Zones with a boundary correction of their CO2 (``co2_boundary_t``: plants outside the
    statistical area; Beijing Jingxi, Ningdong and a Z09 city) are held to the sum only. Under
    `combined` Beijing Jingxi (Z13) meets its energy dual-control target by exporting more gas
    power, whose CO2 the boundary correction does not
    credit back (docs/validation-physics.md), so its 2023 CO2 is 0.28 % above
    `capacity_retirement`'s with the session-5 take-up (0.0165; 0.002 % above `pv_storage`'s)
    while its 2021-2023 sum is 0.5 % below."""
    combined, _ = shipped("combined")
    zone = _by_zone(combined, "co2_incl_imports_t")
    cum = combined[combined["year"] > 2020].groupby("zone_id")["co2_incl_imports_t"].sum()
    partial = set(combined.loc[combined["co2_boundary_t"].abs() > 0, "zone_id"])
    assert "Z13" in partial and len(partial) <= 3, partial  # Jingxi, Ningdong, a Z09 city's plants
    whole = ~zone.index.isin(sorted(partial))
    for name in ("pv_storage", "coal_reduction", "capacity_retirement", "carbon_price"):
        p, _ = shipped(name)
        other = _by_zone(p, "co2_incl_imports_t")
        assert zone.sum() <= other.sum() * (1 + 1e-6), name
        other_cum = p[p["year"] > 2020].groupby("zone_id")["co2_incl_imports_t"].sum()
        assert (cum <= other_cum * (1 + 1e-6)).all(), (name, cum, other_cum)
        assert (zone[whole] <= other[whole] * (1 + 1e-6)).all(), (name, zone, other)


def test_shipped_scenarios_keep_physics():
    for name in ("baseline", "combined", "capacity_retirement"):
        p, inv = shipped(name)
        check_physics(p, inv)


def test_backward_retirement_is_a_share_of_capacity():
    """A 1 % backward-capacity target retires 1 % of each city's energy-intensive output."""
    from zonesim.agents.firms import INTENSIVE_MASK
    from zonesim.model import TransitionModel

    sc = load_scenario(
        SCENARIOS / "baseline.yaml",
        **{**SMALL, "horizon": {"start_year": 2020, "end_year": 2021}},
    )
    m = TransitionModel(sc, base=_base())
    f = m.firms
    cand = INTENSIVE_MASK[f.sector] & ~f.entrant & f.alive
    before = np.bincount(f.city[cand], weights=f.output[cand], minlength=len(m.cities))
    m.behaviour.retire_backward(0.01, 2021)
    after = np.bincount(f.city[cand], weights=(f.output * f.alive)[cand], minlength=len(m.cities))
    np.testing.assert_allclose(1 - after / before, 0.01, rtol=1e-9)
