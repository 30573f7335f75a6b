"""The one vocabulary of unit-scale factors used in model code.

Pure scales between the units the model uses (no physical constants: those live in
calibration/data/constants.csv). Convert by multiplying or dividing by one of these names,
never by a bare ``1e3``/``1e6`` literal, so that the unit of every quantity can be read off
the code. Units: energy tce (Mtce in the planner), electricity MWh (TWh), capacity MW (GW),
CO2 t (Mt), money CNY (bnCNY), intensities per 10k CNY (万元).
"""

from __future__ import annotations

MILLI = 1e-3
"""CNY per unit -> bnCNY per million units: CNY/tce -> bnCNY/Mtce, CNY/kW -> bnCNY/GW,
CNY/MWh -> bnCNY/TWh, CNY/tCO2 -> bnCNY/MtCO2 (the planner's money units)."""

KILO = 1e3
"""MW per GW, GWh per TWh, kgce per tce; also bnCNY per million units -> CNY per unit."""

MEGA = 1e6
"""t per Mt, tce per Mtce, MWh per TWh."""

TEN_K_PER_BN = 1e5
"""10k CNY per bn CNY: intensities are per 10k CNY (万元), GDP is held in bn CNY."""

CNY_PER_BN = 1e9
"""CNY per bn CNY."""

PER_BN_TO_PER_10K = MEGA / TEN_K_PER_BN
"""Mtce (MtCO2) per bnCNY -> tce (tCO2) per 10k CNY (= 10)."""

HOURS_PER_DAY = 24
DAYS_PER_YEAR = 365
HOURS_PER_YEAR = HOURS_PER_DAY * DAYS_PER_YEAR
"""8760: the hours of the (non-leap) profile year."""
