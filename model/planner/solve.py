"""Solve a city's LP with HiGHS through Pyomo's persistent interface.

:class:`Planner` owns one built model and one persistent HiGHS instance. :meth:`Planner.update`
changes only mutable Params when the new input has the same :func:`~zonesim.planner.build.structure`
(no rebuild; HiGHS keeps its basis, so the next solve starts warm from the last optimum) and
rebuilds otherwise. :meth:`Planner.solve` runs HiGHS, classifies the termination and hands
the solution to :func:`zonesim.planner.results.read_results`.

Termination: HiGHS reports a model status; Pyomo maps it to a termination condition. A solve
is taken as optimal when HiGHS says ``Optimal``, and also when it reports another status
(e.g. ``Unknown`` after unscaled infeasibilities in postsolve) but both the primal and the
dual solutions are feasible. ``Infeasible or unbounded`` is resolved by a second run without
presolve. No status raises: the result carries it, with the input checks of
:meth:`~zonesim.planner.inputs.PlannerInput.validate` as messages.

Interface choice: ``pyomo.contrib.solver.solvers.highs.Highs`` (the ``highs`` solver of
Pyomo's new solver API). It takes mutable Params in coefficients, bounds and objective,
updates them with ``update_parameters`` and keeps the ``highspy.Highs`` object, hence the
basis, between solves. ``appsi_highs`` does the same but is the older API.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import TerminationCondition
from pyomo.contrib.solver.solvers.highs import (
    Highs,
    _MutableConstraintBounds,
    _MutableLinearCoefficient,
    highspy,
)
from pyomo.core.expr.numvalue import is_constant, value
from pyomo.repn import generate_standard_repn
from zonesim.planner.build import build, coefficients, structure, update_parameters
from zonesim.planner.inputs import PlannerInput
from zonesim.planner.results import PlannerResult, empty_result, read_results

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

    build: float = 0.0  # Pyomo model construction
    load: float = 0.0  # passing the model to HiGHS (set_instance)
    update: float = 0.0  # mutable Param update (re-solve only)
    solve: float = 0.0  # Pyomo solve call incl. HiGHS
    highs: float = 0.0  # HiGHS's own run time
    extract: float = 0.0  # reading results
    iterations: int = 0  # simplex iterations
    warm: bool = False  # the solve started from the previous basis
    history: list = field(default_factory=list)


class _Highs(Highs):
    """Pyomo's persistent HiGHS, loading all variables in one batch.

    The stock ``add_block`` adds variables constraint by constraint (one ``addVars`` and
    one ``changeColsIntegrality`` call per row), which took half of the loading time.
    """

    def add_block(self, block):
        self.add_variables(list(block.component_data_objects(pyo.Var, descend_into=True)))
        self._all_vars_added = True
        super().add_block(block)
        self._all_vars_added = False

    def _check_for_new_vars(self, variables):
        if not getattr(self, "_all_vars_added", False):
            super()._check_for_new_vars(variables)

    def add_constraints(self, cons):
        """One pass per row while loading a planner model.

        The stock method walks each row twice (once to collect variables and named
        Expressions, once for the linear representation). Planner rows are linear, hold no
        named Expressions or external functions, and their variables are all added already,
        so the variables come from the linear representation. Anything else goes the
        stock way.
        """
        if not getattr(self, "_all_vars_added", False):
            return super().add_constraints(cons)
        self._repns = {}
        for con in cons:
            repn = generate_standard_repn(con.body, quadratic=False, compute_values=False)
            if repn.nonlinear_expr is not None:
                raise ValueError(f"planner row {con.name} is not linear")
            self._repns[con] = repn
            self._active_constraints[con] = con.expr
            self._named_expressions[con] = []
            variables = list(repn.linear_vars)
            self._vars_referenced_by_con[con] = variables
            for v in variables:
                self._referenced_variables[id(v)][0][con] = None
        self._add_constraints(cons)
        self._repns = {}

    def _add_constraints(self, cons):
        repns = getattr(self, "_repns", None)
        if not repns:
            return super()._add_constraints(cons)
        # as the stock method, with the representation already made
        self._sol = None
        if self._last_results_object is not None:
            self._last_results_object.solution_loader.invalidate()
        n = len(self._pyomo_con_to_solver_con_map)
        vmap, inf = self._pyomo_var_to_solver_var_map, highspy.kHighsInf
        lbs, ubs, starts, cols, vals = [], [], [], [], []
        for con in cons:
            repn = repns[con]
            starts.append(len(vals))
            for coef, v in zip(repn.linear_coefs, repn.linear_vars, strict=True):
                val = value(coef)
                if not is_constant(coef):
                    self._mutable_helpers.setdefault(con, []).append(
                        _MutableLinearCoefficient(
                            pyomo_con=con,
                            pyomo_var_id=id(v),
                            con_map=self._pyomo_con_to_solver_con_map,
                            var_map=vmap,
                            expr=coef,
                            highs=self._solver_model,
                        )
                    )
                    if val == 0:
                        continue
                cols.append(vmap[id(v)])
                vals.append(val)
            lb = con.lower - repn.constant if con.has_lb() else -inf
            ub = con.upper - repn.constant if con.has_ub() else inf
            if not is_constant(lb) or not is_constant(ub):
                self._mutable_helpers.setdefault(con, []).append(
                    _MutableConstraintBounds(
                        lower_expr=lb,
                        upper_expr=ub,
                        pyomo_con=con,
                        con_map=self._pyomo_con_to_solver_con_map,
                        highs=self._solver_model,
                    )
                )
            lbs.append(value(lb))
            ubs.append(value(ub))
            self._pyomo_con_to_solver_con_map[con] = n
            self._solver_con_to_pyomo_con_map[n] = con
            n += 1
        self._solver_model.addRows(
            len(lbs),
            np.array(lbs, dtype=np.double),
            np.array(ubs, dtype=np.double),
            len(vals),
            np.array(starts),
            np.array(cols),
            np.array(vals, dtype=np.double),
        )


class Planner:
    """A persistent LP for one city: build once, update Params, solve many times."""

    def __init__(self, inp: PlannerInput, options: dict | None = None) -> None:
        self.options = {**DEFAULT_OPTIONS, **(options or {})}
        self.timings = Timings()
        self._build(inp)

    def _build(self, inp: PlannerInput) -> None:
        t0 = time.perf_counter()
        self.input = inp
        self.key = structure(inp)
        self.model = build(inp)
        t1 = time.perf_counter()
        self.solver = _Highs()
        cfg = self.solver.config
        cfg.load_solutions = False
        cfg.raise_exception_on_nonoptimal_result = False
        cfg.threads = 1
        au = cfg.auto_updates
        for opt in (
            "check_for_new_or_removed_constraints",
            "check_for_new_or_removed_vars",
            "check_for_new_or_removed_params",
            "check_for_new_objective",
            "update_constraints",
            "update_vars",
            "update_named_expressions",
            "update_objective",
        ):
            setattr(au, opt, False)
        au.update_parameters = True
        self.solver.set_instance(self.model)
        self._columns = None
        t2 = time.perf_counter()
        self.timings.build, self.timings.load, self.timings.update = t1 - t0, t2 - t1, 0.0
        self._solved_once = False

    def reset(self) -> None:
        """Forget the last solution and basis (keep the model): the next solve starts cold.

        Used when a model is reused for another run, so that results do not depend on which
        runs the process solved before.
        """
        self.highs.clearSolver()
        self._solved_once = False

    def update(self, inp: PlannerInput) -> bool:
        """Take a new input; returns True when the model had to be rebuilt."""
        if structure(inp) != self.key:
            self._build(inp)
            return True
        t0 = time.perf_counter()
        update_parameters(self.model, coefficients(inp, self.model.sets))
        self.input = inp
        self.timings.update = time.perf_counter() - t0
        return False

    @property
    def highs(self):
        """The underlying ``highspy.Highs`` object (Pyomo keeps it between solves)."""
        return self.solver._solver_model  # noqa: SLF001 - no public accessor in Pyomo 6.10

    def solve(self) -> PlannerResult:
        """Solve the current input; never raises on a non-optimal status."""
        t0 = time.perf_counter()
        warm = self._solved_once and self.highs.getBasis().valid
        clock0 = self.highs.getRunTime()  # HiGHS's run clock accumulates over runs
        res = self.solver.solve(self.model, solver_options=self.options)
        status, note = classify(res.termination_condition, self.highs)
        if status == "infeasible_or_unbounded":
            res = self.solver.solve(self.model, solver_options={**self.options, "presolve": "off"})
            status, note = classify(res.termination_condition, self.highs)
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

    def primal(self, var) -> np.ndarray:
        """Values of every element of a Var component, in its index order (numpy)."""
        cols = self._cols(var)
        return np.asarray(self.highs.getSolution().col_value)[cols] if len(cols) else cols

    def dual(self, con) -> np.ndarray:
        """Row duals of every element of a Constraint component (HiGHS sign convention)."""
        cmap = self.solver._pyomo_con_to_solver_con_map  # noqa: SLF001
        rows = np.fromiter((cmap[c] for c in con.values()), dtype=np.int64)
        return np.asarray(self.highs.getSolution().row_dual)[rows] if len(rows) else rows * 1.0

    def _cols(self, var) -> np.ndarray:
        if self._columns is None:
            self._columns = {}
        key = var.name
        if key not in self._columns:
            vmap = self.solver._pyomo_var_to_solver_var_map  # noqa: SLF001
            self._columns[key] = np.fromiter(
                (vmap.get(id(v), -1) for v in var.values()), dtype=np.int64, count=len(var)
            )
        cols = self._columns[key]
        if (cols < 0).any():  # a variable in no constraint and not in the objective
            cols = cols.copy()
            cols[cols < 0] = 0
        return cols


def classify(tc: TerminationCondition, highs) -> tuple[str, str | None]:
    """Status of a solve: ``optimal``, ``infeasible``, ``unbounded``,
    ``infeasible_or_unbounded``, ``time_limit``, ``iteration_limit`` or ``error``;
    plus a note when HiGHS's own status differs from what is reported."""
    if tc == TerminationCondition.convergenceCriteriaSatisfied:
        return "optimal", None
    info = highs.getInfo()
    feasible = info.primal_solution_status == 2 and info.dual_solution_status == 2
    hs = highs.modelStatusToString(highs.getModelStatus())
    if feasible and tc not in (
        TerminationCondition.provenInfeasible,
        TerminationCondition.unbounded,
        TerminationCondition.infeasibleOrUnbounded,
    ):
        return "optimal", f"HiGHS reported '{hs}' but primal and dual solutions are feasible"
    mapping = {
        TerminationCondition.provenInfeasible: "infeasible",
        TerminationCondition.locallyInfeasible: "infeasible",
        TerminationCondition.unbounded: "unbounded",
        TerminationCondition.infeasibleOrUnbounded: "infeasible_or_unbounded",
        TerminationCondition.maxTimeLimit: "time_limit",
        TerminationCondition.iterationLimit: "iteration_limit",
    }
    return mapping.get(tc, "error"), f"HiGHS model status '{hs}'"


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
