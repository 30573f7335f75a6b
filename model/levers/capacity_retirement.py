"""capacity_retirement: 淘汰落后产能 — small coal units and backward industry retired."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CapacityRetirement


@lever("capacity_retirement")
def apply(params: CapacityRetirement, ctx: LeverContext, rules: YearRules) -> None:
    """Retire coal units <= the size limit by the year; backward output phased out linearly."""
    span = max(params.by_year - ctx.start_year, 1)
    progress = min((ctx.year - ctx.start_year) / span, 1.0)
    rules.retire_backward_share = params.backward_share * progress
    if ctx.year >= params.by_year:
        rules.retire_coal_max_mw = params.coal_unit_max_mw
