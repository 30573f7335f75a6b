"""The city planner: one Pyomo LP per city and year, solved by HiGHS (docs/planner.md).

Names are imported lazily, so ``import zonesim.planner`` does not load Pyomo::

    from zonesim.planner import Planner, PlannerInput, PlannerPolicy, plan, planner_input
"""

from __future__ import annotations

import importlib

_NAMES = {
    "PlannerInput": "inputs",
    "PlannerPolicy": "inputs",
    "Counting": "inputs",
    "CityOutlook": "inputs",
    "Planner": "solve",
    "plan": "solve",
    "plan_rolling": "solve",
    "advance": "solve",
    "PlannerResult": "results",
    "planner_input": "adapter",
    "default_policy": "adapter",
    "baseline_outlook": "adapter",
    "export": "export",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str):
    if name in _NAMES:
        return getattr(importlib.import_module(f"zonesim.planner.{_NAMES[name]}"), name)
    raise AttributeError(f"module 'zonesim.planner' has no attribute {name!r}")
