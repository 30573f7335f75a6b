"""Pure scale factors between the units the model uses (no physical constants: those live in
calibration/data/constants.csv)."""

from __future__ import annotations

TEN_K_PER_BN = 1e5
"""10k CNY per bn CNY: intensities are per 10k CNY (万元), GDP is held in bn CNY."""

CNY_PER_BN = 1e9
"""CNY per bn CNY."""
