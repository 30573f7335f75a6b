"""Fit behavioural parameters to 2015-2019 city history (RECIPE.md).

Two groups, fitted in order with ``scipy.optimize.least_squares`` on bounded parameters,
residuals ``log(modelled / observed)`` per city and year 2016-2019 (2015 is the constructed
start; 2020 is left out of the fit: COVID-19 and 2020 city values extrapolated from 2019):

* ``growth``: sector growth factors and the entry rate against GDP and the tertiary share;
* ``energy``: AEEI, coal-to-electricity switching and residential growth against energy
  total, coal and electricity (the growth group held at its fit); the hurdle rate, whose
  loss is a step function of it (firms retrofit or not), by a profile over a grid with the
  smooth parameters refitted at each point (a global search in one dimension).

CO2 is not fitted: it follows from the fitted firm state, and its error is the validation.

Identifiability: the 95 % interval of each parameter from the Jacobian at the optimum with a
cluster-robust (by city) covariance, or from the profile (``G log(SSR/SSR_min) <= 3.84``,
G cities); a parameter whose interval is wider than half its plausible range, or that
correlates beyond 0.95 with another, is not identified: it is put back to its prior and the
group refitted without it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import least_squares
from zonesim.calibration.backcast import EXTRA_PRIORS, Reference, observations, run_backcast

NOT_BEHAVIOUR = {
    ("tertiary_share", 2019): "the fourth economic census (2018) revised city value added by sector; "
    "the revision shows as 2019 jumps of 8-11 points in the tertiary share of Huangshi, Tongling "
    "and Shizuishan: a statistical break, not structural change to fit",
}
"""Observations left out of the fit, with the reason."""
CI_FRACTION = 0.5  # identified if the 95 % interval is narrower than this share of the range
MAX_CORR = 0.95
CHI2_95 = 3.841


@dataclass(frozen=True)
class Spec:
    """A calibrated parameter: group, bounds with their reasoning, fitting method."""

    name: str
    group: str
    lower: float
    upper: float
    reason: str
    method: str = "lsq"  # "lsq" | "profile"


SPECS: tuple[Spec, ...] = (
    Spec(
        "growth_intensive_factor",
        "energy",
        -0.5,
        1.2,
        "relative growth of energy-intensive output within the GDP path: it may shrink while "
        "GDP grows (去产能, falling heavy-industry share: negative factor) but cannot outgrow "
        "the rest by much while the secondary share fell in almost every zone city 2015-2019",
    ),
    Spec(
        "growth_services_factor",
        "growth",
        0.8,
        2.5,
        "relative growth of services within the GDP path: the tertiary share rose in every zone "
        "city 2015-2019, so services grew at least about as fast as the rest; 2.5x is beyond "
        "any city's observed share shift",
    ),
    Spec(
        "entry_rate",
        "growth",
        0.0,
        0.05,
        "value added of new firms per year as a share of GDP; 5 % a year would double the "
        "'new industries' share of a typical zone city (10-15 %) within three years",
    ),
    Spec(
        "aeei_pct",
        "energy",
        0.0,
        4.0,
        "CGE models use 0.4-1.5 %/yr (Webster et al. 2008); China's energy intensity fell about "
        "3-4 %/yr 2015-2020 including structural change, so the technical part is below 4",
    ),
    Spec(
        "coal_electricity_switch_pct",
        "energy",
        0.0,
        4.0,
        "share of firms' coal use switched to electricity per year; the electricity share of "
        "China's final energy rose about 1 point a year 2015-2020 (from about 21 %), i.e. a few "
        "percent of coal use a year at most",
    ),
    Spec(
        "growth_residential_factor",
        "energy",
        0.0,
        1.5,
        "household energy service grows with income, between flat (saturation, population "
        "decline in north-east cities) and 1.5x GDP growth (catch-up of heating and appliances)",
    ),
    Spec(
        "hurdle_rate_mean",
        "energy",
        0.05,
        0.6,
        "implicit discount rates of efficiency investments range from the cost of capital "
        "(about 5 %) to 60 % and more (Jaffe & Stavins 1994; Hausman 1979)",
        method="profile",
    ),
)

GROUP_TARGETS = {
    "growth": ("gdp", "tertiary_share"),
    # GDP stays a target of the energy group: the intensive growth factor moves GDP too
    "energy": ("energy_total", "coal", "electricity", "gdp"),
}
NOT_FITTED = {
    "entry_status_bonus": "only 2017-2019 separate status years from others; confounded with entry_rate",
    "entrant_intensity_factor": "entrants are a small share of city energy; confounded with aeei_pct",
    "firm_size_sigma": "structural heterogeneity, not visible in city aggregates",
    "firm_intensity_sigma": "structural heterogeneity, not visible in city aggregates",
    "hurdle_rate_sigma": "spread of hurdles: confounded with the mean in a one-off retrofit wave",
    "profit_share_of_va": "acts only under a carbon price, absent 2015-2020",
    "electrification_mwh_per_tce": "engineering conversion, not behaviour",
}


def prior_value(ref: Reference, name: str) -> float:
    if name in EXTRA_PRIORS:
        return EXTRA_PRIORS[name]
    return float(getattr(ref.prior, name))


@dataclass
class Target:
    """Observations aligned to the backcast rows of the fit."""

    obs: pd.DataFrame
    cities: list[str]
    years: tuple[int, ...]  # the fit years (Periods.fit)

    def residuals(self, model: pd.DataFrame, variables: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """log(model/obs) over variables x cities x years, and the city index of each residual."""
        res, city = [], []
        for v in variables:
            for ci, c in enumerate(self.cities):
                for y in self.years:
                    if (v, y) in NOT_BEHAVIOUR:
                        continue
                    o = self.obs.at[(c, y), v] if (c, y) in self.obs.index else np.nan
                    m = model.at[(c, y), v]
                    if np.isfinite(o) and o > 0 and m > 0:
                        res.append(np.log(m / o))
                        city.append(ci)
        return np.array(res), np.array(city)


@dataclass
class GroupFit:
    group: str
    names: list[str]
    x: np.ndarray
    se: np.ndarray
    corr: np.ndarray
    ssr: float
    n_obs: int
    nfev: int
    profile: dict[str, list[tuple[float, float]]] = field(default_factory=dict)


def _robust_cov(jac: np.ndarray, r: np.ndarray, cluster: np.ndarray) -> np.ndarray:
    """Cluster-robust (sandwich) covariance of least-squares parameters, clusters = cities."""
    bread = np.linalg.pinv(jac.T @ jac)
    groups = np.unique(cluster)
    meat = np.zeros((jac.shape[1], jac.shape[1]))
    for g in groups:
        s = jac[cluster == g].T @ r[cluster == g]
        meat += np.outer(s, s)
    n_g = len(groups)
    return bread @ meat @ bread * (n_g / max(n_g - 1, 1))


def _fit_lsq(
    ref: Reference,
    target: Target,
    fixed: dict[str, float],
    specs: list[Spec],
    variables: tuple[str, ...],
    x0: np.ndarray | None = None,
) -> tuple[GroupFit, Any]:
    names = [s.name for s in specs]
    lo = np.array([s.lower for s in specs])
    hi = np.array([s.upper for s in specs])
    start = np.clip(x0 if x0 is not None else [prior_value(ref, n) for n in names], lo, hi)
    # finite-difference step of 2 % of the range: firm decisions make the loss slightly rough
    scale = hi - lo

    def fun(z: np.ndarray) -> np.ndarray:
        x = lo + z * scale
        model = run_backcast(ref, {**fixed, **dict(zip(names, x, strict=True))})
        return target.residuals(model, variables)[0]

    sol = least_squares(
        fun, (start - lo) / scale, bounds=(0.0, 1.0), diff_step=0.02, x_scale=1.0, xtol=1e-6, ftol=1e-8
    )
    x = lo + sol.x * scale
    r, cluster = target.residuals(run_backcast(ref, {**fixed, **dict(zip(names, x, strict=True))}), variables)
    # own forward-difference Jacobian at the optimum, stepping inwards at a bound (the solver's
    # Jacobian has zero columns for parameters held at an active bound)
    jac = np.empty((len(r), len(names)))
    for i in range(len(names)):
        h = 0.02 * scale[i] * (1.0 if x[i] + 0.02 * scale[i] <= hi[i] else -1.0)
        xi = x.copy()
        xi[i] += h
        ri, _ = target.residuals(run_backcast(ref, {**fixed, **dict(zip(names, xi, strict=True))}), variables)
        jac[:, i] = (ri - r) / h
    cov = _robust_cov(jac, r, cluster)
    se = np.sqrt(np.maximum(np.diag(cov), 0.0))
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = cov / np.outer(se, se)
    fit = GroupFit(specs[0].group, names, x, se, np.nan_to_num(corr), float(r @ r), len(r), int(sol.nfev))
    return fit, sol


def _identified(spec: Spec, lo95: float, hi95: float, max_corr: float) -> tuple[bool, str]:
    width = hi95 - lo95
    if not np.isfinite(width) or width > CI_FRACTION * (spec.upper - spec.lower):
        return False, f"95 % interval {width:.3g} wider than {CI_FRACTION:.0%} of the range (flat loss)"
    if max_corr > MAX_CORR:
        return False, f"correlation {max_corr:.2f} with another parameter of the group"
    return True, "identified"


def fit_group(
    ref: Reference, target: Target, group: str, fixed: dict[str, float], quick: bool = False
) -> tuple[dict[str, dict[str, Any]], dict[str, float]]:
    """Fit one group; returns per-parameter entries and the values to hold for later groups."""
    variables = GROUP_TARGETS[group]
    specs = [s for s in SPECS if s.group == group]
    lsq = [s for s in specs if s.method == "lsq"]
    prof = [s for s in specs if s.method == "profile"]
    entries: dict[str, dict[str, Any]] = {}
    held = dict(fixed)
    free = list(lsq)
    profile_values: dict[str, float] = {s.name: prior_value(ref, s.name) for s in prof}
    # profile (global 1-D search) of each rough parameter, smooth ones refitted at each point
    for s in prof:
        grid = np.geomspace(s.lower, s.upper, 5 if quick else 9)
        curve = []
        for v in grid:
            fit, _ = _fit_lsq(ref, target, {**held, **profile_values, s.name: v}, free, variables)
            curve.append((float(v), fit.ssr, fit.n_obs))
        ssr = np.array([c[1] for c in curve])
        best = int(np.argmin(ssr))
        g = len(target.cities)
        inside = grid[g * np.log(ssr / ssr[best]) <= CHI2_95]
        lo95, hi95 = float(inside.min()), float(inside.max())
        # the interval reaches at least the neighbouring grid points
        lo95 = min(lo95, float(grid[max(best - 1, 0)]))
        hi95 = max(hi95, float(grid[min(best + 1, len(grid) - 1)]))
        ok, why = _identified(s, lo95, hi95, 0.0)
        value = float(grid[best]) if ok else prior_value(ref, s.name)
        profile_values[s.name] = value
        entries[s.name] = {
            "method": "profile",
            "estimate": float(grid[best]),
            "ci95": [lo95, hi95],
            "profile": [[v, ssr_v] for v, ssr_v, _ in curve],
            "identified": ok,
            "note": why,
            "value": value,
        }
    held.update(profile_values)
    # smooth parameters: fit, drop the non-identified one by one, refit
    while free:
        fit, sol = _fit_lsq(ref, target, held, free, variables)
        status = []
        for i, s in enumerate(free):
            lo95, hi95 = fit.x[i] - 1.96 * fit.se[i], fit.x[i] + 1.96 * fit.se[i]
            others = np.abs(np.delete(fit.corr[i], i)) if len(free) > 1 else np.zeros(1)
            ok, why = _identified(s, lo95, hi95, float(others.max()))
            status.append((ok, why, fit.x[i], fit.se[i], lo95, hi95, fit.x[i] - s.lower, s.upper - fit.x[i]))
        bad = [i for i, st in enumerate(status) if not st[0]]
        if not bad:
            break
        # drop the least determined (widest relative interval) and refit the rest
        worst = max(bad, key=lambda i: status[i][3] / (free[i].upper - free[i].lower))
        s = free.pop(worst)
        st = status[worst]
        entries[s.name] = {
            "method": "lsq",
            "estimate": float(st[2]),
            "se": float(st[3]),
            "ci95": [float(st[4]), float(st[5])],
            "identified": False,
            "note": st[1],
            "value": prior_value(ref, s.name),
        }
        held[s.name] = prior_value(ref, s.name)
    if free:
        for i, s in enumerate(free):
            st = status[i]
            at_bound = min(st[6], st[7]) < 1e-3 * (s.upper - s.lower)
            entries[s.name] = {
                "method": "lsq",
                "estimate": float(st[2]),
                "se": float(st[3]),
                "ci95": [float(st[4]), float(st[5])],
                "identified": True,
                "note": "identified" + (" (at a bound of the plausible range)" if at_bound else ""),
                "value": float(st[2]),
                "correlation": {
                    free[j].name: round(float(fit.corr[i, j]), 3) for j in range(len(free)) if j != i
                },
            }
            held[s.name] = float(st[2])
        entries["_group"] = {"ssr": fit.ssr, "n_obs": fit.n_obs, "nfev": fit.nfev}
    for s in specs:
        held.setdefault(s.name, entries[s.name]["value"])
    return entries, held


def calibrate(ref: Reference, quick: bool = False, log=print) -> dict[str, Any]:
    """Run both groups and return the calibration record (values, intervals, statistics)."""
    t0 = time.time()
    obs = observations(ref.base, ref.city_ids)
    target = Target(obs, ref.city_ids, ref.periods.fit)
    params: dict[str, dict[str, Any]] = {}
    held: dict[str, float] = {}
    groups = {}
    for group in ("growth", "energy"):
        t = time.time()
        entries, held = fit_group(ref, target, group, held, quick=quick)
        groups[group] = entries.pop("_group", {})
        groups[group]["targets"] = list(GROUP_TARGETS[group])
        groups[group]["seconds"] = round(time.time() - t, 1)
        params.update(entries)
        log(f"group {group}: " + ", ".join(f"{k}={v['value']:.4g}" for k, v in entries.items()))
    for s in SPECS:
        params[s.name].update(
            {
                "group": s.group,
                "prior": prior_value(ref, s.name),
                "bounds": [s.lower, s.upper],
                "reason": s.reason,
            }
        )
    values = {k: v["value"] for k, v in params.items()}
    model = run_backcast(ref, values)
    return {
        "parameters": params,
        "values": values,
        "not_fitted": NOT_FITTED,
        "groups": groups,
        "model": model,
        "obs": obs,
        "seconds": round(time.time() - t0, 1),
    }
