"""Representative days for the planner, chosen from one province's hourly year.

:func:`representative_days` reduces the 365 days of a province's ``profiles`` (load,
PV and wind, 8760 hours) to ``n_days`` real days with integer weights (days of the year
each stands for), using tsam's hierarchical (Ward) clustering with medoid representation:

* the day holding the peak-load hour is held out and returned as its own day with weight
  1, so the planner's hourly balance always sees the annual peak (the same idea as tsam's
  ``ExtremeConfig(method="append")``, done by hand because tsam drops the extra period
  when the peak day already is a medoid, which would return one day too few);
* the other 364 days are clustered into ``n_days - 1`` groups and each group is
  represented by its medoid, a real day, whose values are copied from the input unchanged;
* medoids do not keep annual means: on the shipped (synthetic, noisy) wind profiles the
  weighted mean of wind is off by up to ~30 % at D = 4 and ~15 % at D = 12 (load within
  ~4 %, PV within ~28 % / 8 %). ``rescale=True`` multiplies each series of the medoid days
  (not the peak day) by one factor, capped at 1 for capacity factors and at the annual
  peak for load, so that the weighted means equal the annual means (as tsam's
  ``preserve_column_means`` does); the days then keep their real chronology and
  co-occurrence but not their exact values;
* ``n_days == 1`` returns the medoid of the whole year (the peak cannot be kept);
  ``n_days == 365`` returns every day with weight 1 (the year itself).

The function is pure and deterministic: the same profiles give the same days. Callers can
cache the result per (province, n_days). A call takes a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize
from zonesim.units import DAYS_PER_YEAR, HOURS_PER_DAY, HOURS_PER_YEAR

SERIES = ("load_pu", "solar_cf", "wind_cf")
REQUIRED_COLUMNS = ("hour", *SERIES)


@dataclass(frozen=True)
class RepresentativeDays:
    """Representative days of one province, sorted by day of year.

    Attributes:
        weights: shape (D,), int; days of the year each representative day stands for;
            positive, summing to 365.
        load_pu: shape (D, 24); load / annual mean load, hour 0 = 00:00-01:00 CST.
        solar_cf: shape (D, 24); PV capacity factor.
        wind_cf: shape (D, 24); wind capacity factor.
        day_of_year: shape (D,), int; the real day (1 = 1 January) chosen as medoid of each
            cluster, or the held-out peak-load day (weight 1).

    All arrays are read-only.
    """

    weights: np.ndarray
    load_pu: np.ndarray
    solar_cf: np.ndarray
    wind_cf: np.ndarray
    day_of_year: np.ndarray

    @property
    def n_days(self) -> int:
        """Number of representative days D."""
        return int(self.weights.shape[0])


def _validate(profiles: pd.DataFrame, n_days: int) -> np.ndarray:
    """Check the inputs; return the series as an array of shape (365, 24, 3)."""
    if isinstance(n_days, bool) or not isinstance(n_days, (int, np.integer)):
        raise ValueError(f"n_days must be an integer between 1 and 365, got {n_days!r}")
    if not 1 <= n_days <= DAYS_PER_YEAR:
        raise ValueError(f"n_days must be between 1 and 365, got {n_days}")
    if not isinstance(profiles, pd.DataFrame):
        raise ValueError(
            f"profiles must be a pandas DataFrame with columns {list(REQUIRED_COLUMNS)}, "
            f"got {type(profiles).__name__}"
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in profiles.columns]
    if missing:
        raise ValueError(
            f"profiles must have columns {list(REQUIRED_COLUMNS)} for one province; missing {missing}"
        )
    if len(profiles) != HOURS_PER_YEAR:
        raise ValueError(f"profiles must have 8760 rows (one province, hours 0..8759), got {len(profiles)}")
    hour = profiles["hour"].to_numpy()
    order = np.argsort(hour, kind="stable")
    if not np.array_equal(hour[order], np.arange(HOURS_PER_YEAR)):
        raise ValueError("profiles['hour'] must hold each hour 0..8759 exactly once")
    values = profiles[list(SERIES)].to_numpy(dtype=float)[order]
    if not np.isfinite(values).all():
        bad = [s for i, s in enumerate(SERIES) if not np.isfinite(values[:, i]).all()]
        raise ValueError(f"profiles columns {bad} must be finite (no NaN or inf)")
    return values.reshape(DAYS_PER_YEAR, HOURS_PER_DAY, len(SERIES))


def _medoid_clusters(days: np.ndarray, n_clusters: int) -> tuple[np.ndarray, np.ndarray]:
    """Cluster days (shape (N, 24, 3)) with tsam; return (medoid index, count) per cluster."""
    import tsam  # deferred: keeps ``import zonesim.data`` light

    n = days.shape[0]
    frame = pd.DataFrame(
        days.reshape(n * HOURS_PER_DAY, len(SERIES)),
        columns=list(SERIES),
        # tsam reads only the spacing; the held-out peak day leaves no gap in this index.
        index=pd.date_range("2001-01-01", periods=n * HOURS_PER_DAY, freq="h"),
    )
    result = tsam.aggregate(
        frame,
        n_clusters=n_clusters,
        period_duration=HOURS_PER_DAY,
        temporal_resolution=1.0,
        cluster=tsam.ClusterConfig(method="hierarchical", representation="medoid"),
        preserve_column_means=False,
    )
    centers = np.asarray(result.clustering.cluster_centers, dtype=np.int64)
    assignment = np.asarray(result.cluster_assignments, dtype=np.int64)
    counts = np.bincount(assignment, minlength=len(centers))
    if len(centers) != n_clusters or counts.sum() != n or (counts == 0).any():
        raise RuntimeError(
            f"tsam returned {len(centers)} clusters with counts {counts.tolist()} "
            f"for {n_clusters} clusters of {n} days"
        )
    return centers, counts


def _rescale(days: np.ndarray, weights: np.ndarray, target: float, cap: float) -> np.ndarray:
    """Scale ``days`` (shape (K, 24)) by one factor f so that the weighted sum of
    min(cap, f * days) equals ``target``; return ``days`` unchanged when impossible."""
    total = float(weights @ days.sum(axis=1))
    if total <= 0 or target <= 0:
        return days

    def gap(f: float) -> float:
        return float(weights @ np.minimum(cap, f * days).sum(axis=1) - target)

    hi = target / total
    while gap(hi) < 0:
        hi *= 2.0
        if hi > 1e6:
            return days  # the cap binds everywhere: the target cannot be reached
    f = optimize.brentq(gap, 0.0, hi, xtol=1e-15, rtol=4 * np.finfo(float).eps)
    return np.minimum(cap, f * days)


def _readonly(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a


def representative_days(
    profiles: pd.DataFrame, n_days: int, seed: int = 0, *, rescale: bool = False
) -> RepresentativeDays:
    """Choose ``n_days`` real days, with weights, that stand for the year.

    Args:
        profiles: one province's hourly profiles: columns ``hour`` (0..8759),
            ``load_pu``, ``solar_cf``, ``wind_cf``; 8760 rows (any row order).
            Other columns (e.g. ``province_code``) are ignored.
        n_days: number D of representative days, 1..365. For D >= 2 the peak-load day
            is one of them, with weight 1.
        seed: accepted for a stable signature and cache keys. Hierarchical clustering
            is deterministic, so the result does not depend on it.
        rescale: scale the medoid days (not the peak day) per series so that the
            weighted means equal the annual means exactly (see the module docstring).
            False (default) returns the real days unchanged.

    Returns:
        RepresentativeDays with D days sorted by day of year, weights summing to 365.

    Raises:
        ValueError: when n_days is not an integer in 1..365, or profiles lack the
            columns, the 8760 hours or finite values.
    """
    del seed  # deterministic algorithm; see docstring
    year = _validate(profiles, n_days)
    n = int(n_days)

    if n == DAYS_PER_YEAR:
        chosen = np.arange(DAYS_PER_YEAR)
        weights = np.ones(DAYS_PER_YEAR, dtype=np.int64)
    elif n == 1:
        centers, counts = _medoid_clusters(year, 1)
        chosen, weights = centers, counts
    else:
        peak_day = int(np.argmax(year[:, :, 0].max(axis=1)))  # first day with the peak
        rest = np.delete(np.arange(DAYS_PER_YEAR), peak_day)
        centers, counts = _medoid_clusters(year[rest], n - 1)
        chosen = np.append(rest[centers], peak_day)
        weights = np.append(counts, 1)

    picked = year[chosen].copy()
    if rescale and n < DAYS_PER_YEAR:
        k = n - 1 if n > 1 else 1  # for D >= 2 the last day is the peak day, kept as is
        w = weights.astype(float)
        for i, name in enumerate(SERIES):
            cap = float(year[:, :, i].max()) if name == "load_pu" else 1.0
            target = float(year[:, :, i].sum() - w[k:] @ picked[k:, :, i].sum(axis=1))
            picked[:k, :, i] = _rescale(picked[:k, :, i], w[:k], target, cap)

    order = np.argsort(chosen, kind="stable")
    chosen = chosen[order]
    picked = picked[order]
    return RepresentativeDays(
        weights=_readonly(weights[order].astype(np.int64)),
        load_pu=_readonly(picked[:, :, 0]),
        solar_cf=_readonly(picked[:, :, 1]),
        wind_cf=_readonly(picked[:, :, 2]),
        day_of_year=_readonly((chosen + 1).astype(np.int64)),
    )
