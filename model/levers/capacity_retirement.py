"""capacity_retirement: 淘汰落后产能 — small coal units and backward industry retired."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CapacityRetirement


@lever("capacity_retirement")
def apply(params: CapacityRetirement, ctx: LeverContext, rules: YearRules) -> None:
    """Coal units <= the size limit and backward output both phased out linearly to the year:
    by each year the same share of both is retired (units oldest first), all by ``by_year``."""
    span = max(params.by_year - ctx.start_year, 1)
    progress = min((ctx.year - ctx.start_year) / span, 1.0)
    rules.retire_backward_share = params.backward_share * progress
    if progress > 0:
        rules.retire_coal_max_mw = params.coal_unit_max_mw
        rules.retire_coal_share = progress
