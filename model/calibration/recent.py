"""The recent stage of the calibration: 2021-2022 against the published record, 2023-2025 held out.

The 2015-2019 backcast (:mod:`zonesim.calibration.fit`) cannot tell how fast firms take up
efficiency from structure and autonomous improvement: its loss is flat in the hurdle rate and
in ``aeei_pct``, and the yearly take-up (``retrofit_adoption_per_year``, the share of the
firms for which the efficiency package pays that take it in a year) is an assumption. The
first simulated years can tell it: the full model (firms, planner, accounting) is run on the
retrospective scenario (realised GDP, industry and product output, the ETS as it was) through
the last fit year (``recent_fit_last_year`` in constants.csv), and the take-up is chosen to
minimise the squared error of each zone's yearly energy-intensity change against the
published one (``published_outcomes.csv``) over the fit years; AEEI stays at its literature
prior (1 %/yr, Webster et al. 2008). The later published years (2023-2025) are
never used here: they are the out-of-sample check (:mod:`zonesim.calibration.validation`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize_scalar
from zonesim.calibration.validation import out_of_sample
from zonesim.data import BaseYear

PARAMETER = "retrofit_adoption_per_year"
BOUNDS = (0.0, 0.5)
"""From no take-up to half of the firms for which the package pays in a year (it would then be
taken by nearly all within five years, faster than any efficiency-gap estimate suggests)."""
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
    xatol: float = 0.01,
    maxiter: int = 8,
    progress: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Fit ``PARAMETER`` on the fit years with the other parameters at ``overrides``.

    Bounded Brent search (each evaluation is one model run through the last fit year). The
    estimate counts as identified when the loss is not flat over the range (the worst point
    exceeds the best by 10 % and 0.05 pp^2); an estimate at a bound says so in its note.
    """
    from zonesim.runner import run

    years = fit_years(base)
    horizon = {"end_year": max(years)}
    extra = dict(run_overrides or {})
    extra["horizon"] = {**extra.get("horizon", {}), **horizon}
    profile: dict[float, float] = {}

    def objective(x: float) -> float:
        x = round(float(x), 4)
        if x not in profile:
            res = run(scenario, base=base, agent_params={**overrides, PARAMETER: x}, **extra)
            profile[x] = loss(res.pathways, base, years)
            progress(f"  recent stage: {PARAMETER}={x:.3f} -> {profile[x]:.3f} pp^2")
        return profile[x]

    for x in BOUNDS:
        objective(x)
    opt = minimize_scalar(
        objective, bounds=BOUNDS, method="bounded", options={"xatol": xatol, "maxiter": maxiter}
    )
    x = round(float(opt.x), 4)
    best = objective(x)
    # 95 % interval from the profile: G log(L / L_min) <= 3.84 with G the zones (clusters), the
    # rule of the 2015-2019 stage's profiled hurdle rate
    g = len(base.zones)
    inside = [k for k, v in profile.items() if g * np.log(v / best) <= 3.84] if best > 0 else [x]
    ci95 = [float(min(inside)), float(max(inside))]
    worst = max(profile.values())
    # identified when the loss is not flat over the range (the fit prefers this value clearly);
    # an estimate at a bound is reported as such
    identified = bool(worst - best > max(0.1 * best, 0.05))
    at_bound = not BOUNDS[0] + 2 * xatol < x < BOUNDS[1] - 2 * xatol
    return {
        "method": "recent",
        "estimate": x,
        "identified": identified,
        "value": x,
        "fit_years": list(years),
        "loss_pp2": best,
        "ci95": ci95,
        "profile": sorted([float(k), float(v)] for k, v in profile.items()),
        "bounds": list(BOUNDS),
        "scenario": Path(scenario).stem,
        "note": (
            ("identified" if identified else "not identified (flat loss)")
            + (" at a bound of its range: the fit years would want a value beyond it" if at_bound else "")
            + "; fitted to each zone's published yearly energy-intensity change (city, else province, "
            "else nation) in the fit years, later years out of sample"
        ),
    }
