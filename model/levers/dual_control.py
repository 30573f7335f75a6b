"""dual_control: 能耗双控 — intensity and total-energy targets enforced in the planner."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import DualControl


@lever("dual_control")
def apply(params: DualControl, ctx: LeverContext, rules: YearRules) -> None:
    """Enforce the targets (the city's own unless overridden) toward the target year."""
    rules.enforce_targets = True
    rules.intensity_reduction_pct = params.intensity_reduction_pct
    rules.total_growth_pct_per_year = params.total_growth_pct_per_year
    rules.target_year = params.target_year
