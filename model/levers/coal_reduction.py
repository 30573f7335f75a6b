"""coal_reduction: 煤炭减量替代 — a straight-line falling cap on city coal use."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CoalReduction


@lever("coal_reduction")
def apply(params: CoalReduction, ctx: LeverContext, rules: YearRules) -> None:
    """Cap coal use at 2020 x (1 - cut x progress), progress rising linearly to the end year."""
    if ctx.year < params.start_year:
        return
    span = max(ctx.end_year - params.start_year + 1, 1)
    progress = min((ctx.year - params.start_year + 1) / span, 1.0)
    rules.coal_cap_fraction = 1.0 - params.cut_pct_by_end / 100.0 * progress
    rules.coal_substitution_ratio = params.substitution_ratio
