"""Behavioural parameters of firms and cities, read from ``agent_parameters.csv``."""

from __future__ import annotations

from dataclasses import dataclass, fields

from zonesim.data import BaseYear
from zonesim.data.calibrated import calibrated_overrides


@dataclass(frozen=True)
class AgentParams:
    """Behavioural parameters (names, units and sources in agent_parameters.csv)."""

    firm_size_sigma: float
    firm_intensity_sigma: float
    hurdle_rate_mean: float
    hurdle_rate_sigma: float
    finance_access_min: float
    vintage_first_year: float
    aeei_pct: float
    growth_intensive_factor: float
    growth_services_factor: float
    growth_residential_factor: float
    entry_rate: float
    entry_status_bonus: float
    entrant_intensity_factor: float
    retrofit_adoption_per_year: float
    profit_share_of_va: float
    profit_sigma: float
    electrification_mwh_per_tce: float
    city_investment_share_of_gdp: float
    feedstock_share_chemicals: float
    rating_excellent: float
    rating_good: float
    rating_average: float
    backward_class_share: float

    @classmethod
    def from_data(cls, base: BaseYear, calibrated: bool = True, **overrides: float) -> AgentParams:
        """Read every field from the data, apply the calibrated values, then ``overrides``.

        Calibrated values (calibration/calibrated_parameters.json, identified parameters only)
        replace the priors of agent_parameters.csv by default; ``calibrated=False`` keeps the
        priors (calibration itself starts from them).
        """
        values = {f.name: base.param(f.name) for f in fields(cls)}
        origin = dict.fromkeys(values, "calibration/data/agent_parameters.csv")
        if calibrated:
            fitted = calibrated_overrides(base.data_dir, base.version)
            values.update(fitted)
            origin.update(dict.fromkeys(fitted, "calibration/calibrated_parameters.json"))
        unknown = set(overrides) - set(values)
        if unknown:
            raise KeyError(f"unknown agent parameter(s) {sorted(unknown)}; known: {sorted(values)}")
        values.update(overrides)
        origin.update(dict.fromkeys(overrides, "the override"))
        for name, v in values.items():
            # a share is a part of a whole: outside [0, 1] the model's arithmetic turns over (a
            # feedstock share above 1 makes efficiency programmes raise counted energy)
            if "share" in name and not 0.0 <= float(v) <= 1.0:
                raise ValueError(
                    f"{origin[name]}: agent parameter {name!r} = {v}; expected a share between 0 and 1"
                )
        return cls(**values)
