"""Energy and CO2 accounting of a city-year, under the scenario's accounting rule.

Primary energy of a city (tce) is the sum of five components::

    fossil_final   coal + oil + gas + heat used by firms and households (final use)
    power_fossil   coal and gas burnt in local power plants
    nonfossil_old  local non-fossil generation of plants existing in 2020 x conversion factor
    nonfossil_new  local non-fossil generation of plants built after 2020 x conversion factor
    net_import     net electricity import x conversion factor (exports count negative)
    other          base-year calibration residual: transformation losses and statistical
                   difference against the compiled data, carried forward with fossil final use

Where a rule removes non-fossil energy from a measure, it removes the city's non-fossil
*consumption*: its own non-fossil generation serves its own consumption first, and what it
generates beyond its consumption is exported and not deducted (otherwise a city exporting
wind power would earn a credit for energy the rule no longer counts). See :func:`deducted`.

The conversion factor is the coal-equivalent (发电煤耗) or the calorific value of
electricity, as the scenario says. Feedstock (a share of the chemical sector's fossil use)
is part of ``fossil_final`` and reported separately so that the rules can remove it.

The rules decide what counts toward the total-energy check and the intensity check:
``pre2021`` counts all; ``renewable_exclusion_2021`` removes new renewables and feedstock
from the total; ``nonfossil_exclusion_2024`` removes all local non-fossil generation and
feedstock from both; ``staged`` applies each from the year it took effect. Imported
electricity counts in full under every rule (its fossil/non-fossil origin is not traced).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

RULE_START = {"renewable_exclusion_2021": 2021, "nonfossil_exclusion_2024": 2024}


def rule_in_year(rule: str, year: int) -> str:
    """The concrete rule in force in ``year`` (resolves ``staged``)."""
    if rule != "staged":
        return rule
    if year >= RULE_START["nonfossil_exclusion_2024"]:
        return "nonfossil_exclusion_2024"
    if year >= RULE_START["renewable_exclusion_2021"]:
        return "renewable_exclusion_2021"
    return "pre2021"


@dataclass(frozen=True)
class Counting:
    """Which components count toward the total check and the intensity check."""

    nonfossil_old_in_total: bool
    nonfossil_new_in_total: bool
    nonfossil_in_intensity: bool
    feedstock_in_total: bool
    feedstock_in_intensity: bool


def counting(rule: str, year: int) -> Counting:
    """The counting flags of ``rule`` in ``year``."""
    concrete = rule_in_year(rule, year)
    if concrete == "pre2021":
        return Counting(True, True, True, True, True)
    if concrete == "renewable_exclusion_2021":
        return Counting(True, False, True, False, True)
    if concrete == "nonfossil_exclusion_2024":
        return Counting(False, False, False, False, False)
    raise ValueError(f"unknown accounting rule {rule!r}")


@dataclass(frozen=True)
class EnergyComponents:
    """Primary-energy components of a city-year, tce (see module docstring).

    The fields may also be arrays or Pyomo expressions: the planner builds its target rows
    with :func:`counted_energy` over the same components (``zonesim.planner.measures``).
    """

    fossil_final: Any
    feedstock: Any
    power_fossil: Any
    nonfossil_old: Any
    nonfossil_new: Any
    net_import: Any
    other: Any = 0.0
    consumption: Any = 0.0
    """Local electricity consumption (demand and storage losses = generation + net import)
    x conversion factor, tce: the most non-fossil energy a rule can remove."""

    @property
    def total(self) -> Any:
        """All primary energy, tce."""
        return counted_energy(self, 0.0, 0.0)

    def deducted_total(self, c: Counting) -> float:
        """Non-fossil consumption removed from the total check, tce (see :func:`deducted`)."""
        if not c.nonfossil_old_in_total:
            return deducted(self.nonfossil_old + self.nonfossil_new, self.consumption)
        if not c.nonfossil_new_in_total:
            return deducted(self.nonfossil_new, self.consumption)
        return 0.0

    def deducted_intensity(self, c: Counting) -> float:
        """Non-fossil consumption removed from the intensity check, tce."""
        if c.nonfossil_in_intensity:
            return 0.0
        return deducted(self.nonfossil_old + self.nonfossil_new, self.consumption)

    def counted_total(self, c: Counting) -> float:
        """Energy counted toward the total-energy check, tce."""
        return counted_energy(self, 0.0 if c.feedstock_in_total else self.feedstock, self.deducted_total(c))

    def counted_intensity(self, c: Counting) -> float:
        """Energy counted toward the intensity check, tce."""
        feedstock = 0.0 if c.feedstock_in_intensity else self.feedstock
        return counted_energy(self, feedstock, self.deducted_intensity(c))


def deducted(nonfossil: Any, consumption: Any) -> Any:
    """Non-fossil energy a rule removes: the city's own non-fossil generation it consumes.

    A city's non-fossil generation serves its own consumption first; only what it generates
    beyond its consumption is exported, and exported non-fossil electricity is not deducted
    (it is not the city's consumption). The deduction is therefore the smaller of the two,
    which the planner's LP represents exactly (``zonesim.planner.measures``).
    """
    return np.minimum(nonfossil, consumption)


def counted_energy(x: EnergyComponents, feedstock_out: Any, nonfossil_out: Any) -> Any:
    """Energy a check counts: all primary energy less the feedstock and the non-fossil
    consumption the rule removes (tce; Mtce in the planner). The one definition used by the
    accounting, the planner's target rows and its results."""
    return (
        x.fossil_final
        - feedstock_out
        + x.power_fossil
        + x.nonfossil_old
        + x.nonfossil_new
        + x.net_import
        + x.other
        - nonfossil_out
    )


def counted_co2(final: Any, power: Any, imports: Any, other: Any) -> Any:
    """CO2 a target counts: final fossil use, local power plants, imported electricity at its
    grid's factor (0 for territorial CO2) and the base-year residual (t; Mt in the planner)."""
    return final + power + imports + other
