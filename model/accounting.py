"""Energy and CO2 accounting of a city-year, under the scenario's accounting rule.

Primary energy of a city (tce) is the sum of five components::

    fossil_final   coal + oil + gas + heat used by firms and households (final use)
    power_fossil   coal and gas burnt in local power plants
    nonfossil_old  local non-fossil generation of plants existing in 2020 x conversion factor
    nonfossil_new  local non-fossil generation of plants built after 2020 x conversion factor
    net_import     net electricity import x conversion factor (exports count negative)
    other          base-year calibration residual: transformation losses and statistical
                   difference against the compiled data, carried forward with fossil final use

Net exports of a city that generates non-fossil power are split by the local generation
mix (``export_nonfossil_old/new``): where a rule removes non-fossil generation from a
measure, the exported non-fossil part is not deducted either (otherwise a city exporting
nuclear or wind power would earn a credit for energy the rule no longer counts).

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
    """Primary-energy components of a city-year, tce (see module docstring)."""

    fossil_final: float
    feedstock: float
    power_fossil: float
    nonfossil_old: float
    nonfossil_new: float
    net_import: float
    other: float = 0.0
    export_nonfossil_old: float = 0.0
    export_nonfossil_new: float = 0.0

    @property
    def total(self) -> float:
        """All primary energy, tce."""
        return (
            self.fossil_final
            + self.power_fossil
            + self.nonfossil_old
            + self.nonfossil_new
            + self.net_import
            + self.other
        )

    def counted_total(self, c: Counting) -> float:
        """Energy counted toward the total-energy check, tce."""
        return (
            self.fossil_final
            - (0.0 if c.feedstock_in_total else self.feedstock)
            + self.power_fossil
            + (self.nonfossil_old if c.nonfossil_old_in_total else 0.0)
            + (self.nonfossil_new if c.nonfossil_new_in_total else self.export_nonfossil_new)
            + (0.0 if c.nonfossil_old_in_total else self.export_nonfossil_old)
            + self.net_import
            + self.other
        )

    def counted_intensity(self, c: Counting) -> float:
        """Energy counted toward the intensity check, tce."""
        nonfossil = self.nonfossil_old + self.nonfossil_new
        exported = self.export_nonfossil_old + self.export_nonfossil_new
        return (
            self.fossil_final
            - (0.0 if c.feedstock_in_intensity else self.feedstock)
            + self.power_fossil
            + (nonfossil if c.nonfossil_in_intensity else exported)
            + self.net_import
            + self.other
        )
