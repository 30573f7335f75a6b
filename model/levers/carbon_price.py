"""carbon_price: a CO2 price path on firms and power plants."""

from __future__ import annotations

import numpy as np
from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import CarbonPrice


def price_in(params: CarbonPrice, year: int) -> float:
    """Price in ``year``: linear between the path's years, zero before, flat after."""
    years = sorted(params.path)
    if year < years[0]:
        return 0.0
    return float(np.interp(year, years, [params.path[y] for y in years]))


@lever("carbon_price")
def apply(params: CarbonPrice, ctx: LeverContext, rules: YearRules) -> None:
    """Set this year's carbon price."""
    rules.carbon_price = price_in(params, ctx.year)
    rules.carbon_coverage = params.coverage
