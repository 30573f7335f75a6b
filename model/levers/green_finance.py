"""green_finance: CDB special loans and bonds — cheaper, larger finance for eligible projects."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import GreenFinance


@lever("green_finance")
def apply(params: GreenFinance, ctx: LeverContext, rules: YearRules) -> None:
    """Lower the rate and add finance for the eligible project types."""
    rules.rate_discount = params.rate_discount_pp / 100.0
    rules.extra_finance_bn = params.loan_volume_bn_cny_per_year
    rules.finance_eligible = frozenset(params.eligible)
