"""pv_storage: "光伏+" with storage planned, built and run together; land opened for PV/wind."""

from __future__ import annotations

from zonesim.levers.registry import lever
from zonesim.levers.rules import LeverContext, YearRules
from zonesim.scenario import PvStorage


@lever("pv_storage")
def apply(params: PvStorage, ctx: LeverContext, rules: YearRules) -> None:
    """Require storage with new wind+PV at the ratio; open the named land classes."""
    rules.storage_power_ratio = params.storage_power_ratio
    rules.storage_duration_h = params.storage_duration_h
    rules.land_classes = frozenset(params.land_classes)
