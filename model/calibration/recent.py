"""The recent stage of the calibration: 2021-2022 against the published record, 2023-2025 held out.

The 2015-2019 backcast (:mod:`zonesim.calibration.fit`) cannot tell how fast firms take up
efficiency from structure and autonomous improvement: its loss is flat in the hurdle rate and
in ``aeei_pct``, and the yearly take-up (``retrofit_adoption_per_year``, the share of the
firms for which the efficiency package pays that take it in a year) is an assumption. The
first simulated years can tell them: the full model (firms, planner, accounting) is run on the
retrospective scenario (realised GDP, industry and product output, the ETS as it was) through
the last fit year (``recent_fit_last_year`` in constants.csv), and the parameters of
:data:`PARAMETERS` are chosen to minimise the squared error of each zone's yearly
energy-intensity change against the published one (``published_outcomes.csv``) over the fit
years, by coordinate descent (a bounded Brent search per parameter, in turn, until none moves).
AEEI was held at its literature prior (1 %/yr, Webster et al. 2008) until the fifth session; it
is now fitted within the same literature range. The later published years (2023-2025) are
never used here: they are the out-of-sample check (:mod:`zonesim.calibration.validation`).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from zonesim.calibration.validation import out_of_sample
from zonesim.data import BaseYear

PARAMETERS: dict[str, tuple[float, float]] = {
    # from no take-up to half of the firms for which the package pays in a year (it would then
    # be taken by nearly all within five years, faster than any efficiency-gap estimate suggests)
    "retrofit_adoption_per_year": (0.0, 0.5),
    # autonomous energy-efficiency improvement, %/yr: none to the top of the CGE range
    # (0.4-1.5 %/yr, Webster et al. 2008) with room above it; the backcast's bounds are 0-4
    "aeei_pct": (0.0, 2.5),
}
"""The parameters the recent stage fits, with their bounds."""
TOLERANCE = {"retrofit_adoption_per_year": 0.005, "aeei_pct": 0.05}
"""Brent's absolute tolerance per parameter, and the move below which a cycle counts as settled."""
SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "retrospective_2021_2025.yaml"


def fit_years(base: BaseYear) -> tuple[int, ...]:
    """The recent stage's fit years (constants.csv ``recent_fit_first_year``..``_last_year``)."""
    first, last = int(base.constant("recent_fit_first_year")), int(base.constant("recent_fit_last_year"))
    return tuple(range(first, last + 1))


def loss(pathways, base: BaseYear, years: Sequence[int]) -> float:
    """Mean squared zone-year error (pp^2) of the yearly energy-intensity change in ``years``."""
    zone = out_of_sample(pathways, base)["zone"]
    err = zone.loc[zone["year"].isin(years), "error_pp"].to_numpy(float)
    if err.size == 0:
        raise ValueError(
            f"published_outcomes.csv: no energy-intensity change for the fit years {list(years)}"
        )
    return float(np.mean(err**2))


def fit(
    base: BaseYear,
    overrides: dict[str, float],
    scenario: Path | str = SCENARIO,
    run_overrides: dict[str, Any] | None = None,
    parameters: Sequence[str] = tuple(PARAMETERS),
    cycles: int = 3,
    maxiter: int = 8,
    progress: Callable[[str], None] = print,
) -> dict[str, dict[str, Any]]:
    """Fit ``parameters`` on the fit years, the others at ``overrides``; one entry per parameter.

    Coordinate descent: each free parameter in turn by a bounded Brent search with the others
    at their current values (each evaluation one model run through the last fit year), until
    no parameter moves by more than its tolerance or after ``cycles`` rounds. Intervals and
    correlations come from :func:`joint_uncertainty`. The rule of the 2015-2019 stage decides
    what is used: a parameter is identified when its 95 % interval is narrower than half its
    range and its |correlation| with every other fitted parameter is below 0.95; otherwise the
    least determined goes back to its prior (``agent_parameters.csv``) and the rest are refitted
    without it (the runs already made are reused). An estimate at a bound says so in its note.
    """
    from zonesim.agents.params import AgentParams
    from zonesim.runner import run

    years = fit_years(base)
    extra = dict(run_overrides or {})
    extra["horizon"] = {**extra.get("horizon", {}), "end_year": max(years)}
    names = tuple(parameters)
    cache: dict[tuple[float, ...], float] = {}
    priors = AgentParams.from_data(base, calibrated=False)
    shipped = AgentParams.from_data(base)  # the start where the overrides do not say
    current = {name: float(overrides.get(name, getattr(shipped, name))) for name in names}
    for name in names:
        lo, hi = PARAMETERS[name]
        current[name] = min(max(current[name], lo), hi)

    def evaluate(point: dict[str, float]) -> float:
        key = tuple(round(point[n], 4) for n in names)
        if key not in cache:
            values = {**overrides, **dict(zip(names, key, strict=True))}
            with warnings.catch_warnings():  # the file being refitted is stale by definition
                warnings.filterwarnings("ignore", message="calibrated_parameters.json was fitted to")
                res = run(scenario, base=base, agent_params=values, **extra)
            cache[key] = loss(res.pathways, base, years)
            shown = ", ".join(f"{n}={v:.3f}" for n, v in zip(names, key, strict=True))
            progress(f"  recent stage: {shown} -> {cache[key]:.3f} pp^2")
        return cache[key]

    out: dict[str, dict[str, Any]] = {}
    free = list(names)
    while free:
        profiles: dict[str, dict[float, float]] = {}
        for _ in range(2):  # a second descent only from an off-axis run that did better
            profiles.update(_descend(evaluate, current, free, cycles, maxiter))
            best = evaluate(current)
            _diagonals(evaluate, current, free)
            sub = {k: v for k, v in cache.items() if _matches(k, names, current, free)}
            lowest = min(sub, key=sub.get)
            current.update({n: v for n, v in zip(names, lowest, strict=True) if n in free})
            if sub[lowest] >= best:
                break
        best = sub[lowest]
        joint = joint_uncertainty(sub, free, current, best, len(base.zones), names)
        entries = {n: _entry(n, current, joint, profiles[n], free, years, best, scenario) for n in free}
        dropped = [n for n in free if not entries[n]["identified"]]
        if not dropped or len(free) == 1:
            out.update(entries)
            break
        # the least determined (widest interval relative to its range) goes back to its prior
        worst = max(dropped, key=lambda n: (entries[n]["ci95"][1] - entries[n]["ci95"][0]) / _span(n))
        entries[worst]["value"] = float(getattr(priors, worst))
        entries[worst]["note"] += "; value: the prior (not identified), the others refitted without it"
        out[worst] = entries[worst]
        current[worst] = entries[worst]["value"]
        free.remove(worst)
    return {n: out[n] for n in names}


DIAGONAL_STEP = 0.1
"""Off-axis runs around the optimum, as a share of each parameter's range: coordinate descent
only moves along the axes, which cannot show whether two parameters trade off."""


def _diagonals(
    evaluate: Callable[[dict[str, float]], float], current: dict[str, float], free: Sequence[str]
) -> None:
    """Run the model at the optimum moved by +-DIAGONAL_STEP along each pair's two diagonals
    (clipped to the bounds), for the cross terms of :func:`joint_uncertainty`."""
    for i, a in enumerate(free):
        for b in free[i + 1 :]:
            for sa, sb in ((1, 1), (-1, -1), (1, -1), (-1, 1)):
                point = dict(current)
                for name, sign in ((a, sa), (b, sb)):
                    lo, hi = PARAMETERS[name]
                    point[name] = min(max(current[name] + sign * DIAGONAL_STEP * (hi - lo), lo), hi)
                evaluate(point)


def _span(name: str) -> float:
    lo, hi = PARAMETERS[name]
    return hi - lo


def _matches(
    key: tuple[float, ...], names: Sequence[str], current: dict[str, float], free: list[str]
) -> bool:
    """The runs made with the fixed parameters at their current values."""
    return all(round(current[n], 4) == v for n, v in zip(names, key, strict=True) if n not in free)


def _descend(
    evaluate: Callable[[dict[str, float]], float],
    current: dict[str, float],
    free: Sequence[str],
    cycles: int,
    maxiter: int,
) -> dict[str, dict[float, float]]:
    """Coordinate descent over ``free`` (``current`` updated in place); each one's last search."""
    profiles: dict[str, dict[float, float]] = {}
    for _ in range(cycles):
        moved = False
        for name in free:
            bounds = PARAMETERS[name]
            profile: dict[float, float] = {}

            def objective(x: float, name: str = name, profile: dict[float, float] = profile) -> float:
                x = round(float(x), 4)
                profile[x] = evaluate({**current, name: x})
                return profile[x]

            for x in bounds:
                objective(x)
            opt = minimize_scalar(
                objective,
                bounds=bounds,
                method="bounded",
                options={"xatol": TOLERANCE[name], "maxiter": maxiter},
            )
            x = round(float(opt.x), 4)
            if objective(x) > objective(current[name]):
                x = round(current[name], 4)
            moved |= abs(x - current[name]) > TOLERANCE[name]
            current[name] = x
            profiles[name] = profile
        if not moved or len(free) == 1:
            break
    return profiles


def _entry(
    name: str,
    current: dict[str, float],
    joint: dict[str, Any],
    profile: dict[float, float],
    free: Sequence[str],
    years: Sequence[int],
    best: float,
    scenario: Path | str,
) -> dict[str, Any]:
    """The calibration record's entry of one fitted parameter."""
    bounds, x = PARAMETERS[name], current[name]
    lo, hi = joint["ci95"][name]
    ci95 = [round(max(bounds[0], lo), 4), round(min(bounds[1], hi), 4)]
    narrow = ci95[1] - ci95[0] < 0.5 * (bounds[1] - bounds[0])
    corr = max((abs(v) for k, v in joint["correlation"][name].items() if k != name), default=0.0)
    identified = bool(narrow and corr < 0.95 and joint["curvature_ok"])
    at_bound = not bounds[0] + 2 * TOLERANCE[name] < x < bounds[1] - 2 * TOLERANCE[name]
    others = [n for n in free if n != name]
    return {
        "method": "recent",
        "estimate": x,
        "identified": identified,
        "value": x,
        "fit_years": list(years),
        "loss_pp2": best,
        "ci95": ci95,
        "correlation": joint["correlation"][name],
        "profile": sorted([float(k), float(v)] for k, v in profile.items()),
        "bounds": list(bounds),
        "fitted_with": {n: current[n] for n in others},
        "scenario": Path(scenario).stem,
        "note": (
            ("identified" if identified else "not identified (" + _why(narrow, corr, joint) + ")")
            + (" at a bound of its range: the fit years would want a value beyond it" if at_bound else "")
            + "; fitted "
            + (f"jointly with {', '.join(others)}" if others else "alone")
            + " to each zone's published yearly energy-intensity change (city, else province, "
            "else nation) in the fit years, later years out of sample"
        ),
    }


def _why(narrow: bool, corr: float, joint: dict[str, Any]) -> str:
    if not joint["curvature_ok"]:
        return "the loss has no clear minimum near the estimate"
    if not narrow:
        return "95 % interval wider than half its range"
    return f"interchangeable with another fitted parameter, |correlation| {corr:.2f}"


def joint_uncertainty(
    cache: dict[tuple[float, ...], float],
    parameters: Sequence[str],
    current: dict[str, float],
    best: float,
    clusters: int,
    names: Sequence[str] | None = None,
) -> dict[str, Any]:
    """Joint 95 % intervals and correlations of the fitted parameters from the runs already made.

    A quadratic surface is fitted (least squares, parameters scaled to their ranges) to the
    evaluations nearest the optimum; with H its Hessian, the profile of parameter i (the others
    re-optimised) rises as (t_i - t_i*)^2 / (2 (H^-1)_ii), and the interval is where the profile
    stays within the rule G log(L / L_min) <= 3.84 (G the zones, the clusters of the residuals).
    Correlations are those of H^-1. Costs no model run.
    """
    k = len(parameters)
    lo = np.array([PARAMETERS[n][0] for n in parameters])
    span = np.array([PARAMETERS[n][1] - PARAMETERS[n][0] for n in parameters])
    keys = list(names or parameters)
    cols_of = [keys.index(n) for n in parameters]
    pts = np.array([[key[i] for i in cols_of] for key in cache], dtype=float)
    vals = np.array(list(cache.values()), dtype=float)
    t = (pts - lo) / span
    t0 = (np.array([current[n] for n in parameters]) - lo) / span
    n_coef = 1 + k + k * (k + 1) // 2
    # the evaluations nearest the optimum in loss, enough for the surface with some to spare
    order = np.argsort(vals)
    use = order[: max(n_coef + 3, int(np.sum(vals <= 1.3 * best)))]
    d = t[use] - t0
    cols = [np.ones(len(use))] + [d[:, i] for i in range(k)]
    pairs = [(i, j) for i in range(k) for j in range(i, k)]
    cols += [d[:, i] * d[:, j] * (0.5 if i == j else 1.0) for i, j in pairs]
    design = np.stack(cols, axis=1)
    coef, *_ = np.linalg.lstsq(design, vals[use], rcond=None)
    hess = np.zeros((k, k))
    for c, (i, j) in zip(coef[1 + k :], pairs, strict=True):
        hess[i, j] = hess[j, i] = c
    names = list(parameters)
    eig = np.linalg.eigvalsh(hess) if len(use) >= n_coef else np.array([-1.0])
    curvature_ok = bool(np.all(eig > 0))
    allowed = best * (np.exp(3.84 / clusters) - 1.0)
    if curvature_ok:
        cov = np.linalg.inv(hess)
        half = np.sqrt(2.0 * allowed * np.diag(cov)) * span
        sd = np.sqrt(np.diag(cov))
        corr = cov / np.outer(sd, sd)
    else:  # no minimum: every interval spans the range
        half = span.copy()
        corr = np.eye(k)
    centre = np.array([current[n] for n in parameters])
    return {
        "ci95": {n: (float(centre[i] - half[i]), float(centre[i] + half[i])) for i, n in enumerate(names)},
        "correlation": {
            n: {m: round(float(corr[i, j]), 3) for j, m in enumerate(names)} for i, n in enumerate(names)
        },
        "curvature_ok": curvature_ok,
        "points": int(len(use)),
    }
