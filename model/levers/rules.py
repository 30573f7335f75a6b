"""The rules a year runs under, as the levers set them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class LeverContext:
    """What a lever may read: the year and the horizon."""

    year: int
    start_year: int
    end_year: int


@dataclass
class YearRules:
    """This year's rules. Defaults are the baseline: nothing constrained or supported.

    Units: coal cap as a fraction of the city's 2020 coal use; prices CNY2020/tCO2;
    finance in bnCNY2020 per zone per year.
    """

    coal_cap_fraction: float | None = None  # city coal use <= fraction * 2020 coal use
    coal_substitution_ratio: float = 1.0
    storage_power_ratio: float = 0.0
    storage_duration_h: float | None = None
    land_classes: frozenset[str] | None = None  # None = every class in data
    retire_coal_max_mw: float | None = None  # retire coal units at or below this size
    retire_coal_share: float = 1.0  # share of those units' capacity retired by now (oldest first)
    retire_backward_share: float = 0.0  # share of energy-intensive output to have retired by now
    enforce_targets: bool = False
    intensity_reduction_pct: float | None = None  # None = city's own target from data
    total_growth_pct_per_year: float | None = None
    target_year: int | None = None
    intensive_growth_cap: float | None = None  # max output growth of energy-intensive firms, fraction/yr
    enforce_co2_intensity: bool = False  # carbon dual control: CO2-intensity path in the planner
    co2_intensity_reduction_pct: float | None = None  # None = the city's period target from data
    co2_target_year: int | None = None
    carbon_price: float = 0.0
    carbon_coverage: str = "all"  # "all" or "ets" (the sectors covered in the year, from data)
    rate_discount: float = 0.0  # fraction per year
    extra_finance_bn: float = 0.0
    finance_eligible: frozenset[str] = field(default_factory=frozenset)
    poor_years_to_lose_status: int | None = None
    excellent_bonus: float = 0.0  # fraction of budget
    circular_saving: float = 0.0  # fraction of energy saved by participating firms, reached by now
    circular_participation: float = 0.0
    circular_cost_per_tce: float = 0.0
