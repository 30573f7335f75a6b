"""Solve a city's LP with HiGHS.

:class:`Planner` holds one city's LP in a ``highspy.Highs`` instance, loaded from the
process's :class:`~zonesim.planner.standard.Template` for the input's structure (the Pyomo
model is built once per process and structure, not once per run). :meth:`Planner.update`
changes only Param-dependent numbers when the new input has the same
:func:`~zonesim.planner.sets.structure` (no reload; HiGHS keeps its basis, so the next solve
starts warm from the last optimum) and loads a fresh instance otherwise. :meth:`Planner.solve`
runs HiGHS, classifies the termination and hands the solution to
:func:`zonesim.planner.results.read_results`.

Termination: a solve is taken as optimal when HiGHS says ``Optimal``, and also when it
reports another status (e.g. ``Unknown`` after unscaled infeasibilities in postsolve) but both
the primal and the dual solutions are feasible. ``Infeasible or unbounded`` is resolved by a
second run without presolve. No status raises: the result carries it, with the input checks
of :meth:`~zonesim.planner.inputs.PlannerInput.validate` as messages.

Reproducibility: the template makes the calls Pyomo's persistent HiGHS interface
(``pyomo.contrib.solver.solvers.highs.Highs``) made, with the same numbers in the same row
and column order, so results are those of that interface to the bit; a new ``Planner`` (or
:meth:`Planner.reset`) always starts from a freshly loaded, never-solved instance, so a run's
numbers do not depend on what the process solved before (``tests/test_determinism.py``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import highspy
import numpy as np
from zonesim.planner.coefficients import coefficients
from zonesim.planner.inputs import PlannerInput
from zonesim.planner.results import PlannerResult, empty_result, read_results
from zonesim.planner.standard import template_for, template_key

DEFAULT_OPTIONS = {
    "solver": "simplex",
    "simplex_strategy": 1,  # dual simplex: measured faster than IPM (DESIGN.md "Speed")
    "presolve": "on",
    "output_flag": False,
}
"""HiGHS options; ``threads`` is set to 1 separately (one process per core)."""


@dataclass
class Timings:
    """Wall-clock seconds of the phases of the last build and solve."""

    build: float = 0.0  # Pyomo model construction and standard form (first use in the process)
    load: float = 0.0  # evaluating the Params and loading the LP into a fresh HiGHS instance
    update: float = 0.0  # Param-dependent numbers of a new input (re-solve only)
    solve: float = 0.0  # writing them into HiGHS and HiGHS's run
    highs: float = 0.0  # HiGHS's own run time
    extract: float = 0.0  # reading results
    iterations: int = 0  # simplex iterations
    warm: bool = False  # the solve started from the previous basis
    history: list = field(default_factory=list)


class Planner:
    """One city's LP held by HiGHS: load once, update Params, solve many times.

    The LP comes from the process's :class:`~zonesim.planner.standard.Template` for the
    input's structure (built with Pyomo on first use, reused by later runs), loaded into a
    fresh HiGHS instance: a new ``Planner`` always starts from the same cold state, whatever
    this process solved before.
    """

    def __init__(self, inp: PlannerInput, options: dict | None = None) -> None:
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.timings = Timings()
        self._build(inp)

    def _build(self, inp: PlannerInput) -> None:
        t0 = time.perf_counter()
        self.input = inp
        self.template = template_for(inp)
        self.key = self.template.key
        self.model = self.template.model
        t1 = time.perf_counter()
        self.coef = coefficients(inp, self.model.sets)
        self._slots = self.template.slots(self.coef)
        self._highs = self.template.load(self._slots)
        self._solution = None
        t2 = time.perf_counter()
        self.timings.build, self.timings.load, self.timings.update = t1 - t0, t2 - t1, 0.0
        self._solved_once = False

    def reset(self) -> None:
        """Start again from a fresh HiGHS instance holding the current input, exactly as a new
        ``Planner`` would.

        ``Highs.clearSolver`` is not enough: it drops the basis, but a later solve still
        differed in the last digits from one on a never-solved instance (kept scaling and
        factor data), so a run's numbers depended on whether its base year had been solved
        in this process before.
        """
        self._highs = self.template.load(self._slots)
        self._solution = None
        self._solved_once = False

    def update(self, inp: PlannerInput) -> bool:
        """Take a new input; returns True when the model had to be rebuilt."""
        if template_key(inp) != self.key:
            self._build(inp)
            return True
        t0 = time.perf_counter()
        self.coef = coefficients(inp, self.model.sets)
        self._slots = self.template.slots(self.coef)
        self.input = inp
        self.timings.update = time.perf_counter() - t0
        return False

    @property
    def highs(self) -> highspy.Highs:
        """The underlying ``highspy.Highs`` object (kept between solves, hence the basis)."""
        return self._highs

    def _run(self, options: dict) -> str:
        """Write the current Params, set the options and run HiGHS; the model status name."""
        h = self._highs
        self.template.update(h, self._slots)
        h.setOptionValue("log_to_console", True)
        h.setOptionValue("threads", 1)
        for key, opt in options.items():
            h.setOptionValue(key, opt)
        # no ``HandleKeyboardInterrupt``: that belongs to highspy's threaded ``solve()``; with
        # ``run()`` it only added a Python callback at every simplex interrupt check (about
        # 160,000 a baseline run, 5 % of its time) and could not cancel anything. A solve takes
        # milliseconds, so Ctrl-C is raised as soon as it returns.
        h.run()
        self._solution = None
        return h.getModelStatus()

    def solve(self) -> PlannerResult:
        """Solve the current input; never raises on a non-optimal status."""
        t0 = time.perf_counter()
        warm = self._solved_once and self.highs.getBasis().valid
        clock0 = self.highs.getRunTime()  # HiGHS's run clock accumulates over runs
        status, note = classify(self._run(self.options), self.highs)
        if status == "infeasible_or_unbounded":
            status, note = classify(self._run({**self.options, "presolve": "off"}), self.highs)
        t1 = time.perf_counter()
        info = self.highs.getInfo()
        self._solved_once = True
        tm = self.timings
        tm.solve, tm.highs = t1 - t0, self.highs.getRunTime() - clock0
        tm.iterations, tm.warm = int(info.simplex_iteration_count), bool(warm)
        messages = ([note] if note else []) + self.input.validate()
        if status == "optimal":
            result = read_results(self, messages)
        else:
            result = empty_result(self.input, status, messages)
        tm.extract = time.perf_counter() - t1
        result.timings = {
            k: getattr(tm, k)
            for k in ("build", "load", "update", "solve", "highs", "extract", "iterations", "warm")
        }
        tm.history.append(result.timings)
        return result

    def _values(self) -> tuple[np.ndarray, np.ndarray]:
        if self._solution is None:
            sol = self.highs.getSolution()
            self._solution = (np.asarray(sol.col_value), np.asarray(sol.row_dual))
        return self._solution

    def primal(self, var) -> np.ndarray:
        """Values of every element of a Var component, in its index order (numpy)."""
        cols = self.template.columns(var)
        return self._values()[0][cols] if len(cols) else cols * 1.0

    def dual(self, con) -> np.ndarray:
        """Row duals of every element of a Constraint component (HiGHS sign convention)."""
        rows = self.template.rows(con)
        return self._values()[1][rows] if len(rows) else rows * 1.0


_STATUS = {
    "kInfeasible": "infeasible",
    "kUnbounded": "unbounded",
    "kUnboundedOrInfeasible": "infeasible_or_unbounded",
    "kTimeLimit": "time_limit",
    "kIterationLimit": "iteration_limit",
    "kSolutionLimit": "iteration_limit",
}
"""HiGHS model statuses other than optimal, as reported (anything else is an ``error``)."""


def classify(model_status, highs) -> tuple[str, str | None]:
    """Status of a solve: ``optimal``, ``infeasible``, ``unbounded``,
    ``infeasible_or_unbounded``, ``time_limit``, ``iteration_limit`` or ``error``;
    plus a note when HiGHS's own status differs from what is reported.

    ``optimal`` also when HiGHS reports another status (e.g. ``Unknown`` after unscaled
    infeasibilities in postsolve) but the primal and dual solutions are both feasible, unless
    it proved the LP infeasible or unbounded.
    """
    if model_status == highspy.HighsModelStatus.kOptimal:
        return "optimal", None
    name = model_status.name
    info = highs.getInfo()
    feasible = info.primal_solution_status == 2 and info.dual_solution_status == 2
    hs = highs.modelStatusToString(model_status)
    if feasible and name not in ("kInfeasible", "kUnbounded", "kUnboundedOrInfeasible"):
        return "optimal", f"HiGHS reported '{hs}' but primal and dual solutions are feasible"
    return _STATUS.get(name, "error"), f"HiGHS model status '{hs}'"


def plan(inp: PlannerInput, options: dict | None = None) -> PlannerResult:
    """Build, solve and read one LP over ``inp.years`` (perfect foresight)."""
    return Planner(inp, options).solve()


def advance(inp: PlannerInput, result: PlannerResult) -> PlannerInput:
    """The input for ``inp.years[1:]`` with the first year's decisions in place.

    Existing capacity (generators, storage, flexible coal), programme levels and remaining
    potentials are taken from ``result``'s first year; prices, outlook and policy keep their
    later years. The agents do the same with their implementation gap applied.
    """
    if not result.ok:
        raise ValueError(f"cannot advance from a {result.status} solve: {result.messages}")
    y0 = inp.years[0]
    cap = result.capacity[result.capacity["year"] == y0].set_index("tech")["capacity_gw"]
    gens = tuple(
        replace(g, existing_gw=max(float(cap.get(g.name, g.existing_gw)), 0.0)) for g in inp.generators
    )
    stores = tuple(
        replace(s, existing_gw=max(float(cap.get(s.name, s.existing_gw)), 0.0)) for s in inp.storage
    )
    built = result.new_by_land[result.new_by_land["year"] == y0].set_index(["tech", "land_class"])["new_gw"]
    pots = {k: max(v - float(built.get(k, 0.0)), 0.0) for k, v in inp.potentials.items()}
    lev = result.programmes[result.programmes["year"] == y0].set_index("programme")["level_mtce"]
    progs = tuple(replace(p, existing_mtce=float(lev.get(p.name, p.existing_mtce))) for p in inp.programmes)
    flex = float(
        result.capacity[(result.capacity["year"] == y0) & (result.capacity["tech"] == "coal")][
            "flexible_gw"
        ].sum()
    )
    nxt = replace(
        inp,
        generators=gens,
        storage=stores,
        potentials=pots,
        programmes=progs,
        existing_flex_gw=flex,
    )
    return nxt.window(1, inp.n_years - 1)


def plan_rolling(inp: PlannerInput, window: int = 1, options: dict | None = None) -> list[PlannerResult]:
    """Myopic rolling plan: each year, solve ``window`` years ahead, keep the first year.

    Reuses one persistent model while the window keeps its structure (always for
    ``window=1``). Stops early, returning what it has, when a solve is not optimal.
    """
    results: list[PlannerResult] = []
    planner: Planner | None = None
    current = inp
    for i in range(inp.n_years):
        step = current.window(0, min(window, current.n_years))
        if planner is None:
            planner = Planner(step, options)
        else:
            planner.update(step)
        res = planner.solve()
        results.append(res)
        if not res.ok or i == inp.n_years - 1:
            break
        current = advance(current, res)  # first year's decisions carried over
    return results
