"""Each lever on a hand-checkable case; the registry; composition."""

from __future__ import annotations

import pytest
from zonesim.levers import ORDER, REGISTRY, YearRules, apply_levers
from zonesim.levers.carbon_price import price_in
from zonesim.levers.rules import LeverContext
from zonesim.scenario import (
    CapacityRetirement,
    CarbonPrice,
    CircularParks,
    CoalReduction,
    CurbTwoHighs,
    DualControl,
    Evaluation,
    GreenFinance,
    Levers,
    PvStorage,
)


def ctx(year: int) -> LeverContext:
    return LeverContext(year=year, start_year=2020, end_year=2025)


def test_registry_holds_every_schema_lever():
    assert set(REGISTRY) == set(Levers.model_fields)
    assert len(ORDER) == len(REGISTRY)


def test_no_levers_leaves_baseline_rules():
    assert apply_levers({}, ctx(2023)) == YearRules()


def test_unknown_lever_is_a_clear_error():
    with pytest.raises(KeyError, match="unknown lever 'coal_cut'"):
        apply_levers({"coal_cut": None}, ctx(2021))


def test_coal_reduction_straight_line():
    p = CoalReduction(cut_pct_by_year={2025: 10}, substitution_ratio=1.2, start_year=2021)
    caps = [apply_levers({"coal_reduction": p}, ctx(y)).coal_cap_fraction for y in range(2021, 2026)]
    assert caps == pytest.approx([0.98, 0.96, 0.94, 0.92, 0.90])
    assert apply_levers({"coal_reduction": p}, ctx(2021)).coal_substitution_ratio == 1.2
    late = CoalReduction(cut_pct_by_year={2025: 10}, substitution_ratio=1.0, start_year=2024)
    assert apply_levers({"coal_reduction": late}, ctx(2023)).coal_cap_fraction is None
    assert apply_levers({"coal_reduction": late}, ctx(2025)).coal_cap_fraction == pytest.approx(0.9)


def test_capacity_retirement_phases_backward_share_and_units_at_deadline():
    p = CapacityRetirement(coal_unit_max_mw=300, backward_share=0.05, by_year=2025)
    r22 = apply_levers({"capacity_retirement": p}, ctx(2022))
    assert r22.retire_backward_share == pytest.approx(0.02)
    # small units go over the years to the deadline, not in one cliff: 2 of 5 years by 2022
    assert r22.retire_coal_max_mw == 300
    assert r22.retire_coal_share == pytest.approx(0.4)
    r25 = apply_levers({"capacity_retirement": p}, ctx(2025))
    assert (r25.retire_coal_max_mw, r25.retire_coal_share) == (300, 1.0)
    assert apply_levers({"capacity_retirement": p}, ctx(2020)).retire_coal_max_mw is None


def test_carbon_price_interpolates():
    p = CarbonPrice(path={2021: 50.0, 2025: 100.0})
    assert price_in(p, 2020) == 0.0
    assert price_in(p, 2023) == pytest.approx(75.0)
    assert price_in(p, 2030) == pytest.approx(100.0)


def test_curb_pv_storage_finance_evaluation_dual_control_parks():
    levers = {
        "curb_two_highs": CurbTwoHighs(from_year=2022, max_expansion_pct_per_year=1.0),
        "pv_storage": PvStorage(storage_power_ratio=0.15, storage_duration_h=4, land_classes=["desert"]),
        "green_finance": GreenFinance(
            rate_discount_pp=1.0, loan_volume_bn_cny_per_year=5, eligible=["solar"]
        ),
        "evaluation": Evaluation(poor_years_to_lose_status=2, excellent_bonus_pct=10),
        "dual_control": DualControl(
            intensity_reduction_pct=None, total_growth_pct_per_year=2.5, target_year=2025
        ),
        "circular_parks": CircularParks(
            participation_share=0.5, energy_saving_pct=5, cost_cny_per_tce=800, complete_by=2025
        ),
    }
    r21 = apply_levers(levers, ctx(2021))
    assert r21.intensive_growth_cap is None
    r = apply_levers(levers, ctx(2022))
    assert r.intensive_growth_cap == pytest.approx(0.01)
    assert r.storage_power_ratio == 0.15 and r.storage_duration_h == 4
    assert r.land_classes == frozenset({"desert"})
    assert r.rate_discount == pytest.approx(0.01) and r.extra_finance_bn == 5
    assert r.poor_years_to_lose_status == 2 and r.excellent_bonus == pytest.approx(0.1)
    assert r.enforce_targets and r.total_growth_pct_per_year == 2.5
    assert r.circular_saving == pytest.approx(0.05 * 2 / 5)


def test_levers_compose_without_touching_each_other():
    a = {"carbon_price": CarbonPrice(path={2021: 80.0})}
    b = {"coal_reduction": CoalReduction(cut_pct_by_year={2025: 10}, substitution_ratio=1, start_year=2021)}
    ra, rb, rab = (apply_levers(x, ctx(2023)) for x in (a, b, {**a, **b}))
    assert rab.carbon_price == ra.carbon_price and rab.coal_cap_fraction == rb.coal_cap_fraction
