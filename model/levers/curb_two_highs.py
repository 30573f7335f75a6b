"""curb_two_highs: 遏制"两高" — expansion of energy-intensive output capped."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CurbTwoHighs


@lever("curb_two_highs")
def apply(params: CurbTwoHighs, ctx: LeverContext, rules: YearRules) -> None:
    """From the first year, energy-intensive firms grow at most the allowance."""
    if ctx.year >= params.from_year:
        rules.intensive_growth_cap = params.max_expansion_pct_per_year / 100.0
