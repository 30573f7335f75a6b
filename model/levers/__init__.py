"""Policy levers: each a small module, found by name through :data:`REGISTRY`.

A lever turns its validated scenario parameters into this year's rules
(:class:`~zonesim.levers.rules.YearRules`). Levers compose: each edits only its own
fields of the rules, in the order of :data:`ORDER`. A scenario with no levers leaves the
rules at their permissive defaults: that is the baseline.
"""

from zonesim.levers import (  # noqa: F401  (imports register the levers)
    capacity_retirement,
    carbon_dual_control,
    carbon_price,
    circular_parks,
    coal_reduction,
    curb_two_highs,
    dual_control,
    evaluation,
    green_finance,
    pv_storage,
)
from zonesim.levers.registry import ORDER, REGISTRY, apply_levers, lever
from zonesim.levers.rules import YearRules

__all__ = ["ORDER", "REGISTRY", "YearRules", "apply_levers", "lever"]
