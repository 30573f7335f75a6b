"""coal_reduction: 煤炭减量替代 — a straight-line falling cap on city coal use."""

from __future__ import annotations

import numpy as np
from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CoalReduction


@lever("coal_reduction")
def apply(params: CoalReduction, ctx: LeverContext, rules: YearRules) -> None:
    """Cap coal use at 2020 x (1 - cut), the cut rising linearly from nothing the year before the
    start year to each target year's cut, held after the last target year (the horizon does not
    change the path)."""
    if ctx.year < params.start_year:
        return
    years = [params.start_year - 1, *sorted(params.cut_pct_by_year)]
    cuts = [0.0, *(params.cut_pct_by_year[y] for y in years[1:])]
    rules.coal_cap_fraction = 1.0 - float(np.interp(ctx.year, years, cuts)) / 100.0
    rules.coal_substitution_ratio = params.substitution_ratio
