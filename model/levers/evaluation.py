"""evaluation: annual rating of zones; status lost after a run of poor years."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import Evaluation


@lever("evaluation")
def apply(params: Evaluation, ctx: LeverContext, rules: YearRules) -> None:
    """Switch on the consequences of ratings (ratings are always computed and reported)."""
    rules.poor_years_to_lose_status = params.poor_years_to_lose_status
    rules.excellent_bonus = params.excellent_bonus_pct / 100.0
