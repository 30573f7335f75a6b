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
    """Rate each zone by its cities' progress on the straight path to the intensity target.

    A zone's rating is the mean progress (achieved / required cut to date) of its cities; the
    rating and status are written into this year's rows of ``records``. Under the evaluation
    lever a rating of good or better earns a budget bonus, three excellent years running
    more demonstration parks (2019 notice), and ``poor_years_to_lose_status`` poor years the
    loss of zone status.
    """
    p = s.params
    thresholds = (p.rating_excellent, p.rating_good, p.rating_average)
    this_year = {r["city_id"]: r for r in records if r["year"] == year}
    start = s.scenario.horizon.start_year
    end = rules.target_year or s.scenario.horizon.end_year
    span = max(end - start, 1)
    elapsed = min(year - start, span)
    zones: dict[str, list[float]] = {}
    for city in cities:
        r = this_year[city.city_id]
        required = r["intensity_target_pct"] * elapsed / span  # negative, percent
        achieved = r["intensity_change_pct"]
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
