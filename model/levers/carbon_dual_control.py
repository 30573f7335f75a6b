"""carbon_dual_control: 碳排放双控 — the CO2-intensity target of 2026-2030 enforced in the planner."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CarbonDualControl


@lever("carbon_dual_control")
def apply(params: CarbonDualControl, ctx: LeverContext, rules: YearRules) -> None:
    """From the start year, hold the planner to the straight path toward the CO2-intensity target."""
    if ctx.year < params.start_year:
        return
    rules.enforce_co2_intensity = True
    rules.co2_intensity_reduction_pct = params.intensity_reduction_pct
    rules.co2_target_year = params.target_year
