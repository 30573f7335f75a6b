"""Annual evaluation: zones rated on their progress; status and support change (plan §(十二)-(十五))."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from zonesim.agents.city import CityAgent
from zonesim.levers.rules import YearRules
from zonesim.year.setting import Setting


def evaluate(
    s: Setting, year: int, rules: YearRules, cities: Sequence[CityAgent], records: list[dict[str, Any]]
) -> None:
    """Rate each zone by its cities' progress on the straight path to the period's binding target.

    The binding target is the period's: energy intensity against 2020 in 2021-2025 (or the
    dual_control lever's target year), CO2 intensity against 2025 in 2026-2030. A zone's rating
    is the mean progress (achieved / required cut to date) of its cities; the rating and
    status are written into this year's rows of ``records``. Under the evaluation
    lever a rating of good or better earns a budget bonus, three excellent years running
    more demonstration parks (2019 notice), and ``poor_years_to_lose_status`` poor years the
    loss of zone status.
    """
    p = s.params
    thresholds = (p.rating_excellent, p.rating_good, p.rating_average)
    this_year = {r["city_id"]: r for r in records if r["year"] == year}
    period = s.period(year)
    start = period.base_year
    end = period.target_year
    if period.binding == "energy_intensity_reduction" and rules.target_year is not None:
        end = rules.target_year
    span = max(end - start, 1)
    elapsed = min(year - start, span)
    measure = {"energy_intensity_reduction": "intensity", "co2_intensity_reduction": "co2_intensity"}
    column = measure[period.binding]
    zones: dict[str, list[float]] = {}
    for city in cities:
        r = this_year[city.city_id]
        required = r[f"{column}_target_pct"] * elapsed / span  # negative, percent
        achieved = r[f"{column}_change_pct"]
        progress = achieved / required if required < 0 else 1.0
        zones.setdefault(city.zone_id or city.city_id, []).append(progress)
    for city in cities:
        progress = float(np.mean(zones[city.zone_id or city.city_id]))
        rating = city.rate(progress, thresholds)
        this_year[city.city_id]["rating"] = rating
        if rules.poor_years_to_lose_status is not None and city.has_status:
            city.support_bonus = rules.excellent_bonus if rating in ("excellent", "good") else 0.0
            city.extra_parks = city.extra_parks or city.streak("excellent") >= s.base.constant(
                "excellent_years_for_more_parks"
            )
            if city.poor_streak() >= rules.poor_years_to_lose_status:
                city.has_status = False
                city.support_bonus = 0.0
                city.extra_parks = False
        this_year[city.city_id]["status"] = "zone" if city.has_status else "no_status"
