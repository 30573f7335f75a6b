"""One city's LP in standard form: built once with Pyomo, reloaded into HiGHS for each run.

Building the Pyomo model and passing it to HiGHS took most of a batch run's time (29 cities,
rebuilt every run). A :class:`Template` does both once per process and model structure
(:func:`~zonesim.planner.sets.structure`): it walks the built model once, in the order in
which Pyomo's persistent HiGHS interface loads it, and keeps

* the fixed column order (all variables) and row order (all constraints),
* every constant number (matrix entries, bounds, costs) as numpy arrays,
* every number that depends on a mutable Param (a *slot*: matrix entry, row bounds,
  variable bounds, cost, objective offset) as its Pyomo expression, compiled into a
  vectorised evaluator (:class:`_Evaluator`) that repeats Pyomo's arithmetic exactly.

:meth:`Template.load` then gives a fresh ``highspy.Highs`` holding the LP for new Param
values, and :meth:`Template.update` changes the slots of a loaded one. Both make the same
HiGHS calls, with the same numbers, in the same order, as Pyomo's interface did
(``set_instance``; ``update_parameters`` before every solve), so a run's numbers do not
depend on whether the model was built in this process before, and stay what they were.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass

import highspy
import numpy as np
import pyomo.environ as pyo
from pyomo.common.numeric_types import native_numeric_types
from pyomo.core.base.param import ParamData
from pyomo.core.expr import numeric_expr as ne
from pyomo.core.expr.numvalue import is_constant, value
from pyomo.repn import generate_standard_repn
from zonesim.planner.build import build
from zonesim.planner.coefficients import coefficients
from zonesim.planner.inputs import PlannerInput
from zonesim.planner.sets import structure

INF = highspy.kHighsInf

# kinds of slot, in the order Pyomo's update_parameters visits them per row
_COEF, _ROW, _COL, _OFFSET, _COST = range(5)


class _Unsupported(Exception):
    """An expression node the vectorised evaluator does not know (evaluated one by one)."""


def _shape(e, leaves: list, pos: dict[int, int]):
    """The tree shape of a Param expression; its leaves (Param positions or numbers) appended.

    Leaves are ``("p", position)`` or ``("c", number)``; inner nodes name the operation.
    """
    if e.__class__ in native_numeric_types:
        leaves.append(("c", e))
        return "c"
    if isinstance(e, ParamData):
        leaves.append(("p", pos[id(e)]))
        return "p"
    if isinstance(e, ne.SumExpression):
        return ("sum", *(_shape(a, leaves, pos) for a in e.args))
    if isinstance(e, ne.ProductExpression):
        return ("mul", *(_shape(a, leaves, pos) for a in e.args))
    if isinstance(e, ne.DivisionExpression):
        return ("div", *(_shape(a, leaves, pos) for a in e.args))
    if isinstance(e, ne.NegationExpression):
        return ("neg", _shape(e.args[0], leaves, pos))
    if isinstance(e, ne.MaxExpression):
        return ("max", *(_shape(a, leaves, pos) for a in e.args))
    if isinstance(e, ne.MinExpression):
        return ("min", *(_shape(a, leaves, pos) for a in e.args))
    raise _Unsupported(type(e).__name__)


def _eval_shape(shape, leaves: list, it) -> np.ndarray:
    """Evaluate a shape over arrays of leaves, operation by operation as Pyomo's value() does
    (``sum(args, start=first)``, ``a * b``, ``a / b``, ``-a``, ``max(args)``, ``min(args)``)."""
    if shape in ("c", "p"):
        return leaves[next(it)]
    op, *kids = shape
    vals = [_eval_shape(k, leaves, it) for k in kids]
    if op == "sum":
        acc = vals[0]
        for v in vals[1:]:
            acc = acc + v
        return acc
    if op == "mul":
        return vals[0] * vals[1]
    if op == "div":
        return vals[0] / vals[1]
    if op == "neg":
        return -vals[0]
    acc = vals[0]
    for v in vals[1:]:  # max/min keep the first extreme element, as Python's builtins
        acc = np.where(v > acc, v, acc) if op == "max" else np.where(v < acc, v, acc)
    return acc


class _Evaluator:
    """Values of many Param expressions from one vector of Param values, vectorised by shape."""

    def __init__(self, exprs: list, pos: dict[int, int]) -> None:
        self.n = len(exprs)
        groups: dict = {}
        self.loose: list[tuple[int, object]] = []  # (slot, expr) evaluated by Pyomo
        for i, e in enumerate(exprs):
            leaves: list = []
            try:
                shape = _shape(e, leaves, pos)
            except _Unsupported:
                self.loose.append((i, e))
                continue
            kinds = tuple(k for k, _ in leaves)
            g = groups.setdefault((shape, kinds), ([], []))
            g[0].append(i)
            g[1].append([v for _, v in leaves])
        self.groups = []
        for (shape, kinds), (slots, rows) in groups.items():
            cols = list(zip(*rows, strict=True)) if rows and rows[0] else []
            arrays = [
                np.array(col, dtype=np.int64) if k == "p" else np.array(col, dtype=float)
                for k, col in zip(kinds, cols, strict=True)
            ]
            self.groups.append((shape, kinds, np.array(slots, dtype=np.int64), arrays))

    def __call__(self, pv: np.ndarray) -> np.ndarray:
        out = np.empty(self.n)
        for shape, kinds, slots, arrays in self.groups:
            leaves = [pv[a] if k == "p" else a for k, a in zip(kinds, arrays, strict=True)]
            out[slots] = _eval_shape(shape, leaves, iter(range(len(leaves))))
        for i, e in self.loose:  # pragma: no cover - no such node in the planner's LP
            out[i] = value(e)
        return out


@dataclass
class Loaded:
    """A HiGHS instance holding a template's LP."""

    highs: highspy.Highs
    slots: np.ndarray  # slot values the instance holds


class Template:
    """The standard form of one model structure (see the module docstring)."""

    def __init__(self, inp: PlannerInput) -> None:
        self.key = template_key(inp)
        m = self.model = build(inp)
        self.param_names = [c.local_name for c in m.component_objects(pyo.Param) if c.mutable]
        pos: dict[int, int] = {}
        for p in m.component_objects(pyo.Param):
            for pd_ in p.values():
                pos[id(pd_)] = len(pos)
        self.n_params = len(pos)
        exprs: list = []  # slot expressions (two per bound pair: lower, upper)

        def slot(expr) -> int:
            exprs.append(expr)
            return len(exprs) - 1

        # ---- columns: every variable, in component order (bounds as Pyomo's interface sets them)
        variables = list(m.component_data_objects(pyo.Var, descend_into=True))
        self.col = {id(v): i for i, v in enumerate(variables)}
        n = self.n_cols = len(variables)
        self.col_lb, self.col_ub = np.empty(n), np.empty(n)
        col_ops = []  # (col, lower slot, upper slot) of mutable bounds
        for i, v in enumerate(variables):
            lb, ub, step = v.domain.get_interval()
            if step != 0:
                raise ValueError(f"planner variable {v.name} is not continuous")
            lb = -INF if lb is None else lb
            ub = INF if ub is None else ub
            _lb, _ub = v._lb, v._ub  # noqa: SLF001 - the raw bound expressions, as Pyomo reads them
            if _lb is not None or _ub is not None:
                if not is_constant(_lb) or not is_constant(_ub):
                    lo = ne.NPV_MaxExpression((-INF if _lb is None else _lb, lb))
                    hi = ne.NPV_MinExpression((INF if _ub is None else _ub, ub))
                    col_ops.append((i, slot(lo), slot(hi)))
                if _lb is not None:
                    lb = max(value(_lb), lb)
                if _ub is not None:
                    ub = min(value(_ub), ub)
            self.col_lb[i], self.col_ub[i] = lb, ub
        # ---- rows: every active constraint, entries in the order of its linear representation
        cons = list(m.component_data_objects(pyo.Constraint, descend_into=True, active=True))
        self.row = {c: r for r, c in enumerate(cons)}
        self.n_rows = len(cons)
        e_row, e_col, e_val, e_slot = [], [], [], []
        self.row_lb, self.row_ub = np.empty(self.n_rows), np.empty(self.n_rows)
        row_ops = []  # per row: [(COEF, entry, slot)...] then (ROW, row, lower slot, upper slot)
        for r, con in enumerate(cons):
            repn = generate_standard_repn(con.body, quadratic=False, compute_values=False)
            if repn.nonlinear_expr is not None:
                raise ValueError(f"planner row {con.name} is not linear")
            for coef, v in zip(repn.linear_coefs, repn.linear_vars, strict=True):
                e_row.append(r)
                e_col.append(self.col[id(v)])
                if is_constant(coef):
                    e_val.append(value(coef))
                    e_slot.append(-1)
                else:
                    s = slot(coef)
                    e_val.append(math.nan)
                    e_slot.append(s)
                    row_ops.append((_COEF, r, self.col[id(v)], s))
            lb = con.lower - repn.constant if con.has_lb() else -INF
            ub = con.upper - repn.constant if con.has_ub() else INF
            if not is_constant(lb) or not is_constant(ub):
                row_ops.append((_ROW, r, slot(lb), slot(ub)))
            self.row_lb[r], self.row_ub[r] = value(lb), value(ub)
        self.e_row = np.array(e_row, dtype=np.int64)
        self.e_col = np.array(e_col, dtype=np.int64)
        self.e_val = np.array(e_val, dtype=float)
        self.e_slot = np.array(e_slot, dtype=np.int64)
        self.e_mut = self.e_slot >= 0
        # ---- objective
        obj = next(m.component_data_objects(pyo.Objective, active=True))
        if obj.sense != pyo.minimize:
            raise ValueError("the planner minimises cost")
        repn = generate_standard_repn(obj.expr, quadratic=True, compute_values=False)
        if repn.nonlinear_expr is not None or repn.quadratic_vars:
            raise ValueError("the planner's objective is not linear")
        self.cost = np.zeros(n)
        cost_slot = np.full(n, -1, dtype=np.int64)
        obj_ops = [(_OFFSET, 0, slot(repn.constant), -1)]
        for coef, v in zip(repn.linear_coefs, repn.linear_vars, strict=True):
            c = self.col[id(v)]
            if is_constant(coef):
                self.cost[c] = value(coef)
                cost_slot[c] = -1
            else:
                s = slot(coef)
                cost_slot[c] = s
                obj_ops.append((_COST, c, s, -1))
        self.cost_slot = cost_slot
        # the calls of an update, in Pyomo's order: rows (coefficients, then bounds, row by
        # row), variable bounds, objective offset, objective coefficients
        ops = row_ops + [(_COL, c, lo, hi) for c, lo, hi in col_ops] + obj_ops
        self.ops = [(k, a, b, c) for k, a, b, c in ops]
        # the same, grouped by kind for batch calls (see update)
        self.u_coef = [(a, b, c) for k, a, b, c in ops if k == _COEF]
        self.u_rows, self.u_cols, self.u_cost = (
            np.array([(a, b, c) for k, a, b, c in ops if k == kind], dtype=np.int64).reshape(-1, 3)
            for kind in (_ROW, _COL, _COST)
        )
        self.u_offset = next(b for k, a, b, c in ops if k == _OFFSET)
        self.evaluate = _Evaluator(exprs, pos)
        self.n_slots = len(exprs)
        self._index: dict[tuple[str, str], np.ndarray] = {}
        self.labels: dict[tuple, object] = {}  # label columns of result tables (results.py)

    # ------------------------------------------------------------------ values
    def param_vector(self, coef: dict[str, dict]) -> np.ndarray:
        """Param values in the model's Param order, from :func:`~.coefficients.coefficients`."""
        pv = np.fromiter(
            (v for name in self.param_names for v in coef[name].values()), dtype=float, count=self.n_params
        )
        return pv

    def slots(self, coef: dict[str, dict]) -> np.ndarray:
        """Every Param-dependent number of the LP for these coefficients."""
        return self.evaluate(self.param_vector(coef))

    # ------------------------------------------------------------------ HiGHS
    def load(self, s: np.ndarray) -> highspy.Highs:
        """A fresh HiGHS instance holding the LP for slot values ``s`` (cold: no basis).

        The calls of Pyomo's ``set_instance``: columns with bounds, integrality, all rows in
        one batch (Param-dependent entries that are zero left out), sense, costs, offset,
        then each Param-dependent cost once more.
        """
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)  # no banner (Pyomo captured it); logging only
        lb, ub = self.col_lb.copy(), self.col_ub.copy()
        n = self.n_cols
        h.addVars(n, lb, ub)
        h.changeColsIntegrality(n, np.arange(n), np.array([highspy.HighsVarType.kContinuous] * n))
        vals = self.e_val.copy()
        vals[self.e_mut] = s[self.e_slot[self.e_mut]]
        keep = ~(self.e_mut & (vals == 0))
        counts = np.bincount(self.e_row[keep], minlength=self.n_rows)
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
        rlb, rub = self.row_lb.copy(), self.row_ub.copy()
        for kind, r, lo, hi in self.ops:
            if kind == _ROW:
                rlb[r], rub[r] = s[lo], s[hi]
        h.addRows(self.n_rows, rlb, rub, int(keep.sum()), starts, self.e_col[keep], vals[keep])
        h.changeObjectiveSense(highspy.ObjSense.kMinimize)
        cost = self.cost.copy()
        mut = self.cost_slot >= 0
        cost[mut] = s[self.cost_slot[mut]]
        h.changeColsCost(n, np.arange(n), cost)
        for kind, c, sl, _ in self.ops:
            if kind == _OFFSET:
                h.changeObjectiveOffset(float(s[sl]))
            elif kind == _COST:
                h.changeColCost(int(c), float(s[sl]))
        return h

    def update(self, h: highspy.Highs, s: np.ndarray) -> None:
        """Write slot values ``s`` into ``h``: what Pyomo's ``update_parameters`` wrote.

        Pyomo makes one call per number (matrix entries and row bounds row by row, then
        variable bounds, offset, costs); bounds and costs go here in one batch call per kind
        (HiGHS applies a batch entry by entry, as the single calls did).
        """
        v = s.tolist()
        for row, col, slot in self.u_coef:
            h.changeCoeff(row, col, v[slot])
        for idx, change in ((self.u_rows, h.changeRowsBounds), (self.u_cols, h.changeColsBounds)):
            if len(idx):
                change(len(idx), idx[:, 0], s[idx[:, 1]], s[idx[:, 2]])
        h.changeObjectiveOffset(v[self.u_offset])
        if len(self.u_cost):
            h.changeColsCost(len(self.u_cost), self.u_cost[:, 0], s[self.u_cost[:, 1]])

    def update_one_by_one(self, h: highspy.Highs, s: np.ndarray) -> None:
        """:meth:`update` with Pyomo's single calls in Pyomo's order (reference for tests)."""
        v = s.tolist()
        for kind, a, b, c in self.ops:
            if kind == _COEF:
                h.changeCoeff(a, b, v[c])
            elif kind == _ROW:
                h.changeRowBounds(a, v[b], v[c])
            elif kind == _COL:
                h.changeColBounds(a, v[b], v[c])
            elif kind == _OFFSET:
                h.changeObjectiveOffset(v[b])
            else:
                h.changeColCost(a, v[b])

    def columns(self, var) -> np.ndarray:
        """Column of every element of a Var component, in its index order (kept per name)."""
        key = ("col", var.name)
        out = self._index.get(key)
        if out is None:
            out = np.fromiter((self.col[id(v)] for v in var.values()), dtype=np.int64, count=len(var))
            self._index[key] = out
        return out

    def rows(self, con) -> np.ndarray:
        """Row of every element of a Constraint component, in its index order (kept per name)."""
        key = ("row", con.name)
        out = self._index.get(key)
        if out is None:
            out = np.fromiter((self.row[c] for c in con.values()), dtype=np.int64, count=len(con))
            self._index[key] = out
        return out


def fingerprint(inp: PlannerInput) -> tuple:
    """What determines the LP of ``inp`` exactly: its template key and a hash of every
    Param-dependent number (two inputs with equal fingerprints load the same LP)."""
    t = template_for(inp)
    s = t.slots(coefficients(inp, t.model.sets))
    return (t.key, hashlib.sha256(np.ascontiguousarray(s).tobytes()).hexdigest())


def template_key(inp: PlannerInput) -> tuple:
    """What a built model depends on besides its Params: the structure and the fuel of each
    fossil technology (which emission factor and price its rows read)."""
    return (structure(inp), tuple(sorted((g.name, g.fuel) for g in inp.generators if g.kind == "fossil")))


_TEMPLATES: dict[tuple, Template] = {}
"""Templates of this process, by :func:`template_key` (a batch worker builds each city's once)."""
TEMPLATE_CACHE_SIZE = 128


def template_for(inp: PlannerInput) -> Template:
    """The process's template for the input's structure, built on first use."""
    key = template_key(inp)
    t = _TEMPLATES.get(key)
    if t is None:
        if len(_TEMPLATES) >= TEMPLATE_CACHE_SIZE:  # bounded memory: drop the oldest
            _TEMPLATES.pop(next(iter(_TEMPLATES)))
        t = _TEMPLATES[key] = Template(inp)
    return t
