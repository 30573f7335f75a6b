"""Numerics guards: a run never writes inf or NaN, nor a negative amount of something that
cannot be negative, and a run the settings break stops with an error naming them.

The runner calls :func:`check_year` after each simulated year and :func:`finish` on the
finished tables; the model itself is not touched. What the guards do:

* amounts that cannot be negative (GDP, energy, coal, CO2, capacity, cost, shares: ``NONNEGATIVE``)
  are clipped to zero when negative, each clip recorded in the run's ``warnings`` table with its
  reason (float noise below ``NOISE`` is set to zero silently); coal use above total energy use
  is clipped to it, recorded the same way, and the coal share recomputed;
* a city whose GDP falls to zero (every firm counted in GDP has closed) stops the run with an
  error naming the settings that close firms;
* any value still not finite stops the run with an error naming the variable, city, year and
  the lever settings in force (a target column may be NaN: no such target in that period);
* capacities of technologies a city does not have in a year are 0 MW (not missing), and the
  slack and marginal cost of a target not in force in a year are 0.
"""

from __future__ import annotations

import fnmatch
import math
from typing import Any

import numpy as np
import pandas as pd
from zonesim.scenario import Scenario, _short

NONNEGATIVE = (
    "gdp_bn",
    "final_*",
    "generation_mwh",
    "storage_loss_mwh",
    "feedstock_tce",
    "power_fossil_tce",
    "power_coal_tce",
    "nonfossil_primary_tce",
    "energy_total_tce",
    "energy_counted_total_tce",
    "energy_counted_intensity_tce",
    "energy_intensity_tce_per_10k",
    "coal_tce",
    "coal_share",
    "nonfossil_share",
    "co2_t",
    "co2_power_t",
    "co2_intensity_t_per_10k",
    "cap_*",
    "capex_bn",
    "carbon_payments_bn",
    "finance_share",
)
"""Pathway variables that cannot be negative (``*`` matches any suffix)."""

NO_TARGET = ("*_target_pct", "*_target", "marginal_*")
"""Target columns: NaN there means the period has no such target (e.g. no energy-intensity
target after 2025), and a marginal cost NaN means the target was missed (its dual is the slack
penalty, no price; ``gap_reason_*`` says why): not numerical failures. Infinities are still
refused."""

NOISE = 1e-6
"""Negative values at or above -NOISE (in the variable's unit) are rounding, set to 0 unrecorded."""

FIRM_CLOSING = {"carbon_price": "path", "capacity_retirement": "backward_share"}
"""Levers whose setting closes firms (carbon cost above profit; mandated retirement)."""

REASONS = {
    "coal_tce": (
        "the base-year residual of coal the city statistics do not attribute to local plants "
        "(carried forward with power-plant fuel) exceeds the coal still used"
    ),
    "coal_over_total": (
        "coal use above total energy use: coal burnt for power the city exports is counted in coal "
        "while the export is netted out of energy use"
    ),
}


ID_COLUMNS = ["city_id", "zone_id"]


class NumericsError(ValueError):
    """A run produced a value it cannot report; the message names the settings behind it."""


def _nonnegative(variable: str) -> bool:
    return any(fnmatch.fnmatchcase(variable, p) for p in NONNEGATIVE)


def settings_in_force(scenario: Scenario, levers: tuple[str, ...] | None = None) -> str:
    """The lever settings in force, as ``levers.<lever>.<field> = value`` (bounded)."""
    parts = []
    for name, lever in scenario.levers.active().items():
        if levers is not None and name not in levers:
            continue
        for key, value in lever.model_dump().items():
            if levers is None or FIRM_CLOSING.get(name) == key:
                parts.append(f"levers.{name}.{key} = {_short(value)}")
    return "; ".join(parts) or "no lever in force"


def _clip(row: dict[str, Any], variable: str, to: float, reason: str, log: list[dict[str, Any]]) -> None:
    """Set ``row[variable]`` to ``to``; record it in ``log`` unless the change is float noise."""
    value = row[variable]
    if abs(value - to) > NOISE * max(1.0, abs(to)):
        log.append(
            {
                "city_id": row.get("city_id"),
                "year": row.get("year"),
                "variable": variable,
                "value": float(value),
                "clipped_to": float(to),
                "reason": reason,
            }
        )
    row[variable] = to


def check_year(
    records: list[dict[str, Any]], year: int, scenario: Scenario, log: list[dict[str, Any]]
) -> None:
    """Guard the pathway rows of ``year`` in place; clips go to ``log``; raises NumericsError."""
    for row in records:
        if row.get("year") != year:
            continue
        gdp = row.get("gdp_bn")
        if gdp is not None and not gdp > 0:
            closing = settings_in_force(scenario, tuple(FIRM_CLOSING))
            raise NumericsError(
                f"{row.get('city_id')} {year}: GDP fell to {gdp} (every firm counted in GDP has closed), so "
                f"energy and CO2 intensities are undefined. Settings that close firms: {closing}. "
                "Lower them (a carbon price closes a firm when its carbon cost exceeds its profit)."
            )
        for variable, value in list(row.items()):
            if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
                continue
            if variable == "coal_share":
                continue  # recomputed from coal_tce below
            if math.isfinite(value) and value < 0 and _nonnegative(variable):
                reason = REASONS.get(variable, f"{variable} cannot be negative")
                _clip(row, variable, 0.0, reason, log)
        coal, total = row.get("coal_tce"), row.get("energy_total_tce")
        if coal is not None and total is not None and coal > total:
            _clip(row, "coal_tce", total, REASONS["coal_over_total"], log)
        if coal is not None and total:
            row["coal_share"] = row["coal_tce"] / total


def fill_absent(pathways: pd.DataFrame, plans: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Capacity of a technology a city lacks is 0 MW; slack and marginal cost of a target not in
    force that year are 0 (the DataFrame would hold NaN where a year's row has no such key)."""
    pathways = pathways.copy()
    cap = [c for c in pathways.columns if c.startswith("cap_")]
    pathways[cap] = pathways[cap].fillna(0.0)
    plans = plans.copy()
    for col in [c for c in plans.columns if c.startswith("slack_")]:
        plans[col] = plans[col].fillna(0.0)
        marginal = "marginal_" + col.removeprefix("slack_")
        if marginal in plans:  # a missed target has no price (NaN, its gap_reason says why)
            missed = plans[col] > 0
            plans.loc[~missed, marginal] = plans.loc[~missed, marginal].fillna(0.0)
    return pathways, plans


def assert_finite(tables: dict[str, pd.DataFrame], scenario: Scenario) -> None:
    """Raise NumericsError if any numeric cell of ``tables`` is NaN or infinite."""
    for name, df in tables.items():
        # identifiers are not quantities: an associated city has no zone (zone_id missing)
        num = df.select_dtypes(include="number").drop(columns=ID_COLUMNS, errors="ignore")
        if num.empty:
            continue
        values = num.to_numpy(dtype=float)
        bad = ~np.isfinite(values)
        no_target = np.array([any(fnmatch.fnmatch(c, p) for p in NO_TARGET) for c in num.columns])
        bad[:, no_target] &= ~np.isnan(values[:, no_target])
        if not bad.any():
            continue
        i, j = map(int, np.argwhere(bad)[0])
        row = df.iloc[i]
        where = " ".join(str(row[k]) for k in ("city_id", "zone_id", "year") if k in df.columns)
        raise NumericsError(
            f"{name}: {num.columns[j]} is {num.iat[i, j]} ({where}; {int(bad.sum())} cell(s) not finite); "
            f"not written. Lever settings in force: {settings_in_force(scenario)}"
        )
