"""circular_parks: circular transformation of qualifying parks, complete by a year."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CircularParks


@lever("circular_parks")
def apply(params: CircularParks, ctx: LeverContext, rules: YearRules) -> None:
    """Savings of participating firms rise linearly to the full saving by the completion year."""
    span = max(params.complete_by - ctx.start_year, 1)
    progress = min((ctx.year - ctx.start_year) / span, 1.0)
    rules.circular_participation = params.participation_share
    rules.circular_saving = params.energy_saving_pct / 100.0 * progress
    rules.circular_cost_per_tce = params.cost_cny_per_tce
