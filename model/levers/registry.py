"""The lever registry: name -> function(params, context, rules)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from zonesim.levers.rules import LeverContext, YearRules

LeverFn = Callable[[Any, LeverContext, YearRules], None]
REGISTRY: dict[str, LeverFn] = {}
ORDER: list[str] = []


def lever(name: str) -> Callable[[LeverFn], LeverFn]:
    """Register a lever function under ``name`` (the scenario's key)."""

    def wrap(fn: LeverFn) -> LeverFn:
        if name in REGISTRY:
            raise ValueError(f"lever {name!r} registered twice")
        REGISTRY[name] = fn
        ORDER.append(name)
        return fn

    return wrap


def apply_levers(levers: dict[str, Any], context: LeverContext) -> YearRules:
    """This year's rules from the levers in force, composed in :data:`ORDER` whatever the order of
    the scenario file (unknown names raise KeyError)."""
    for name in levers:
        if name not in REGISTRY:
            raise KeyError(f"unknown lever {name!r}; known levers: {sorted(REGISTRY)}")
    rules = YearRules()
    for name in sorted(levers, key=ORDER.index):
        REGISTRY[name](levers[name], context, rules)
    return rules
