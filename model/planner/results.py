"""Tidy results of a solved planning LP.

:func:`read_results` reads the solution as numpy arrays (one call per variable family)
and recomputes every reported quantity from them and the input, so the tables below are
plain arithmetic on the solution, checkable by hand:

* ``capacity`` — per technology and year: existing, new, retired, capacity (GW), and coal
  capacity retrofitted for flexibility.
* ``new_by_land`` — new capacity per technology, land class and year (GW).
* ``dispatch`` — annual energy per technology and for import, export, storage losses and
  unserved energy (TWh).
* ``energy`` — the accounting per year: fossil final use by carrier, power fuel, non-fossil
  generation (of which new), net import, counted totals, coal, CO2 (Mtce, MtCO2, TWh).
* ``cost`` — cost per item and year, undiscounted and present value (bnCNY); items sum to
  the objective.
* ``targets`` — per target and year: cap, value, slack (= the gap, in the target's unit),
  and the marginal cost of the target from the dual (CNY/tce or CNY/tCO2 of that year);
  a target that is missed (slack > 0) has no marginal cost (NaN) and a ``gap_reason``.
* ``programmes`` — programme levels (Mtce/yr).
* ``shadow`` — other duals: firm capacity (CNY/kW/yr), budget (CNY per CNY), storage
  mandate's power row (CNY/kW) and energy row (CNY/kWh).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from zonesim.accounting import EnergyComponents, counted_co2
from zonesim.planner.coefficients import OTHER, coefficients
from zonesim.planner.inputs import FOSSIL_CARRIERS, PlannerInput
from zonesim.planner.targets import TARGETS
from zonesim.units import KILO, MILLI, PER_BN_TO_PER_10K

GAP_TOL = 1e-9  # slack (target unit, Mtce or MtCO2) above which a target counts as missed
GAP_REASON = (
    "not reachable this year with the options open to the city (build pace, land, budget, "
    "trade pace, coal kept for security): the gap is reported, the slack penalty is no price"
)


@dataclass
class PlannerResult:
    """What one solve returns. ``status`` is ``optimal`` or why not; tables are empty then."""

    city_id: str
    years: tuple[int, ...]
    status: str
    messages: list[str]
    objective: float = float("nan")  # bnCNY, present value at years[0]
    capacity: pd.DataFrame = field(default_factory=pd.DataFrame)
    new_by_land: pd.DataFrame = field(default_factory=pd.DataFrame)
    dispatch: pd.DataFrame = field(default_factory=pd.DataFrame)
    energy: pd.DataFrame = field(default_factory=pd.DataFrame)
    cost: pd.DataFrame = field(default_factory=pd.DataFrame)
    targets: pd.DataFrame = field(default_factory=pd.DataFrame)
    programmes: pd.DataFrame = field(default_factory=pd.DataFrame)
    shadow: pd.DataFrame = field(default_factory=pd.DataFrame)
    hourly: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    timings: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status == "optimal"

    def slack(self) -> pd.Series:
        """Largest gap per target over the horizon, in the target's unit."""
        if self.targets.empty:
            return pd.Series(dtype=float)
        return self.targets.groupby("target")["slack"].max()


def empty_result(inp: PlannerInput, status: str, messages: list[str]) -> PlannerResult:
    """A result without solution (infeasible, unbounded, error)."""
    return PlannerResult(city_id=inp.city_id, years=inp.years, status=status, messages=messages)


def read_results(planner, messages: list[str]) -> PlannerResult:
    """Tidy tables from the solution held by ``planner`` (a :class:`~.solve.Planner`)."""
    m, inp = planner.model, planner.input
    s = m.sets
    c = getattr(planner, "coef", None) or coefficients(inp, s)  # the Planner's, when it has them
    years = np.array(inp.years)
    ny, nd = inp.n_years, inp.days.n_days
    val = planner.primal
    gens, stores = list(s.gens), list(s.storage)
    ng, ns = len(gens), len(stores)
    # ---- capacity
    cap = val(m.cap).reshape(ng, ny)
    scap = val(m.scap).reshape(ns, ny)
    new = _by_tech(val(m.new), list(m.GB), gens, ny)
    snew = _by_tech(val(m.snew), list(m.SB), stores, ny)
    ret = val(m.ret) if s.has_coal else np.zeros(ny)
    flex = val(m.flex) if s.coal_flex else np.full(ny, inp.existing_flex_gw)
    # tables are built column by column (numpy arrays): a DataFrame of row tuples costs
    # several times more, and a batch reads 174 results a run; label columns depend on the
    # model's sets only and are made once per template
    zeros = np.zeros(ny)
    cache = getattr(getattr(planner, "template", None), "labels", None)

    def lab(name: str, make) -> object:
        if cache is None:
            return make()
        if name not in cache:
            values = make()
            cache[name] = pd.array(values, dtype="str") if values else values
        return cache[name]

    capacity = _frame(
        tech=lab(
            "capacity.tech",
            lambda: [g for g in gens for _ in range(ny)] + [x for x in stores for _ in range(ny)],
        ),
        kind=lab("capacity.kind", lambda: ["generator"] * (ng * ny) + ["storage"] * (ns * ny)),
        year=np.tile(years, ng + ns),
        existing_gw=[np.concatenate([[c["existing"][g]], cap[i, :-1]]) for i, g in enumerate(gens)]
        + [np.concatenate([[c["s_existing"][x]], scap[i, :-1]]) for i, x in enumerate(stores)],
        new_gw=[new[i] for i in range(ng)] + [snew[i] for i in range(ns)],
        retired_gw=[ret if g == "coal" else zeros for g in gens] + [zeros] * ns,
        capacity_gw=[cap[i] for i in range(ng)] + [scap[i] for i in range(ns)],
        flexible_gw=[flex if g == "coal" else zeros for g in gens] + [zeros] * ns,
    )
    nb = val(m.new).reshape(len(m.GB), ny)
    nsb = val(m.snew).reshape(len(m.SB), ny)
    land_keys = list(m.GB) + list(m.SB)
    new_by_land = _frame(
        tech=lab("new_by_land.tech", lambda: [t for t, _ in land_keys for _ in range(ny)]),
        land_class=lab("new_by_land.land_class", lambda: [lc for _, lc in land_keys for _ in range(ny)]),
        year=np.tile(years, len(land_keys)),
        new_gw=[nb[k] for k in range(len(m.GB))] + [nsb[k] for k in range(len(m.SB))],
    )
    # ---- hourly and annual energy
    shape = (ny, nd, 24)
    gen = val(m.gen).reshape(ng, *shape)
    ch, dis, soc = (val(v).reshape(ns, *shape) for v in (m.ch, m.dis, m.soc))
    imp, exp_, shed, spill = (val(v).reshape(shape) for v in (m.imp, m.exp, m.shed, m.spill))
    w = inp.days.weights / KILO
    twh = lambda a: np.einsum("...ydh,d->...y", a, w)  # noqa: E731
    gen_twh, imp_twh, exp_twh = twh(gen), twh(imp), twh(exp_)
    loss_twh = twh(ch).sum(axis=0) - twh(dis).sum(axis=0) if ns else np.zeros(ny)
    hourly = {f"gen:{g}": gen[i] for i, g in enumerate(gens)}
    hourly |= {f"charge:{x}": ch[i] for i, x in enumerate(stores)}
    hourly |= {f"discharge:{x}": dis[i] for i, x in enumerate(stores)}
    hourly |= {f"soc:{x}": soc[i] for i, x in enumerate(stores)}
    hourly |= {"import": imp, "export": exp_, "shed": shed, "spill": spill}
    flows = [(g, gen_twh[i]) for i, g in enumerate(gens)] + [
        ("import", imp_twh),
        ("export", -exp_twh),
        ("storage_losses", -loss_twh),
        ("unserved", twh(shed)),
        ("spilled", -twh(spill)),
    ]
    dispatch = _frame(
        tech=lab("dispatch.tech", lambda: [name for name, _ in flows for _ in range(ny)]),
        year=np.tile(years, len(flows)),
        twh=[a for _, a in flows],
    )
    # ---- programmes and accounting
    progs = list(s.programmes)
    prog = val(m.prog).reshape(len(progs), ny) if progs else np.zeros((0, ny))
    share = np.array([[c["share"][p, cr] for cr in FOSSIL_CARRIERS] for p in progs]).reshape(
        len(progs), len(FOSSIL_CARRIERS)
    )
    ff0 = np.array([[c["fossil_final"][cr, y] for y in range(ny)] for cr in FOSSIL_CARRIERS])
    ff = ff0 - share.T @ prog  # (carrier, year)
    gi = {g: i for i, g in enumerate(gens)}
    fuel = {g.name: g.fuel for g in inp.generators}
    power_fuel = {
        cr: sum((c["heat_rate"][g] * gen_twh[gi[g]] for g in s.fossil if fuel[g] == cr), np.zeros(ny))
        for cr in FOSSIL_CARRIERS
    }
    nf = sum((gen_twh[gi[g]] for g in s.nonfossil), np.zeros(ny))
    # new-vintage generation: the most the rule lets count as "new" (what the LP uses when
    # it matters; reported the same way when no target depends on it)
    gnew = np.zeros(ny)
    for g in s.renewable:
        i = gi[g]
        newcap = c["prior_new"][g] + np.cumsum(new[i])
        gnew += np.minimum(gen_twh[i], c["annual_twh_per_gw"][g] * newcap)
    net = imp_twh - exp_twh
    k = np.array([c["k"][y] for y in range(ny)])
    arr = lambda name: np.array([c[name][y] for y in range(ny)])  # noqa: E731
    pf = sum(power_fuel.values())
    consumption = gen_twh.sum(axis=0) + net  # demand and storage losses, TWh
    fs_share = np.array([c["prog_feedstock"][p] for p in progs])
    feedstock = np.array(inp.outlook.feedstock_mtce) - fs_share @ prog  # after programmes
    ff_sum = ff.sum(axis=0)
    other = {q: c["other_ff"][q] * ff_sum + c["other_pf"][q] * pf for q in OTHER}  # residual
    # the accounting's components and counting (zonesim.accounting), year by year
    comps = [
        EnergyComponents(
            fossil_final=ff[:, y].sum(),
            feedstock=feedstock[y],
            power_fossil=pf[y],
            nonfossil_old=k[y] * (nf[y] - gnew[y]),
            nonfossil_new=k[y] * gnew[y],
            net_import=k[y] * net[y],
            other=other["energy"][y],
            consumption=k[y] * consumption[y],
        )
        for y in range(ny)
    ]
    counts = inp.policy.counting
    total = np.array([x.counted_total(counts[y]) for y, x in enumerate(comps)])
    inten = np.array([x.counted_intensity(counts[y]) for y, x in enumerate(comps)])
    ef = c["ef"]
    co2_final = sum(ef[cr] * ff[j] for j, cr in enumerate(FOSSIL_CARRIERS))
    co2_power = sum((ef[fuel[g]] * c["heat_rate"][g] * gen_twh[gi[g]] for g in s.fossil), np.zeros(ny))
    co2 = counted_co2(co2_final, co2_power, c["ef_grid"]["x"] * net, other["co2"])
    co2_local = counted_co2(co2_final, co2_power, 0.0, other["co2"])
    # what a CO2 target counts (imports at the grid's factor only when the scenario counts them)
    co2_target = counted_co2(co2_final, co2_power, c["ef_grid_target"]["x"] * net, other["co2"])
    coal = ff[FOSSIL_CARRIERS.index("coal")] + power_fuel["coal"] + other["coal"]
    gdp = np.array(inp.outlook.gdp_bn)
    energy = pd.DataFrame(
        {
            "year": years,
            **{f"fossil_final_{cr}_mtce": ff[j] for j, cr in enumerate(FOSSIL_CARRIERS)},
            "feedstock_mtce": feedstock,
            **{f"power_fuel_{cr}_mtce": power_fuel[cr] for cr in ("coal", "gas")},
            "nonfossil_twh": nf,
            "nonfossil_new_twh": gnew,
            "net_import_twh": net,
            "primary_all_mtce": np.array([x.total for x in comps]),
            "counted_total_mtce": total,
            "counted_intensity_mtce": inten,
            "intensity_tce_per_10k": inten * PER_BN_TO_PER_10K / gdp,
            "coal_mtce": coal,
            "co2_mt": co2,
            "co2_territorial_mt": co2_local,
            "co2_target_mt": co2_target,
            "co2_intensity_t_per_10k": co2 * PER_BN_TO_PER_10K / gdp,
            "gdp_bn": gdp,
        }
    )
    # ---- costs (undiscounted per year; pv = df * undiscounted)
    df = arr("df")
    cum_new = np.cumsum(new, axis=1)
    cum_snew = np.cumsum(snew, axis=1)
    gmap = {g.name: g for g in inp.generators}
    smap = {x.name: x for x in inp.storage}
    mk, pol, par = inp.market, inp.policy, inp.params
    cp = np.array(pol.carbon_price) * MILLI
    fcp = cp if pol.final_carbon_price is None else np.array(pol.final_carbon_price) * MILLI
    price = {cr: np.array(mk.fuel_price.get(cr, (0.0,) * ny)) for cr in FOSSIL_CARRIERS}
    retro_cum = flex - inp.existing_flex_gw
    alloc = pol.free_allocation or {}
    allocated = sum((alloc.get(g, 0.0) * gen_twh[gi[g]] for g in s.fossil), np.zeros(ny))  # MtCO2
    grid_ef = 0.0 if pol.free_allocation is not None else c["ef_grid"]["x"]
    items = {
        "capex_annuity": sum((gmap[g].capex_annual * cum_new[i] for i, g in enumerate(gens)), np.zeros(ny))
        + sum((smap[x].capex_annual * cum_snew[i] for i, x in enumerate(stores)), np.zeros(ny))
        + par.coal_flex_capex_annual * retro_cum,
        "fixed_om": sum((gmap[g].fom * cap[i] for i, g in enumerate(gens)), np.zeros(ny))
        + sum((smap[x].fom * scap[i] for i, x in enumerate(stores)), np.zeros(ny)),
        "power_fuel": sum((price[cr] * power_fuel[cr] for cr in FOSSIL_CARRIERS), np.zeros(ny)),
        "final_fuel": sum((price[cr] * ff[j] for j, cr in enumerate(FOSSIL_CARRIERS)), np.zeros(ny)),
        # power plants pay carbon_price (on CO2 above their free allocation, if any), firms'
        # final use final_carbon_price (ETS coverage), and traded electricity the grid's
        # carbon cost (none under output-based allocation)
        "carbon": cp * (co2_power - allocated) + fcp * co2_final + cp * grid_ef * net,
        "grid_import": np.array(mk.import_price) * imp_twh,
        "grid_export": -np.array(mk.export_price) * exp_twh,
        "programmes": sum((p.cost * prog[j] for j, p in enumerate(inp.programmes)), np.zeros(ny)),
        "lost_load": par.lost_load_penalty * twh(shed + spill),
    }
    tgt_rows = []
    penalty = np.zeros(ny)
    for name, tg in TARGETS.items():  # names from targets.csv: read back generically
        ys = list(s.target_years[name])
        if not ys:
            continue
        sl = val(getattr(m, tg.slack))
        duals = planner.dual(getattr(m, tg.constraint))
        measure = energy[tg.lp_measure].to_numpy()
        for j, y in enumerate(ys):
            scale = PER_BN_TO_PER_10K / gdp[y] if tg.per_gdp else 1.0  # Mtce -> tce/10kCNY
            penalty[y] += c[tg.penalty][y] / df[y] * sl[j]
            mc = -duals[j] / df[y] * KILO
            # a target missed (slack used) has the slack penalty as its dual: that is no
            # price, so the marginal cost is left empty and the gap carries a reason instead
            missed = sl[j] > GAP_TOL
            tgt_rows.append(
                (
                    name,
                    years[y],
                    getattr(pol, tg.lp_parameter)[y],
                    measure[y] * scale,
                    sl[j] * scale,
                    tg.unit,
                    math.nan if missed else max(mc, 0.0),
                    tg.marginal_unit,
                    bool(mc > 1e-6),
                    GAP_REASON if missed else "",
                )
            )
    res_slack = val(m.slack_reserve)
    penalty += par.slack_penalty_reserve * res_slack
    bud = list(s.budget_years)
    bud_slack = val(m.slack_budget) if bud else np.zeros(0)
    for j, y in enumerate(bud):
        penalty[y] += par.budget_overrun_penalty * bud_slack[j]
    items["slack_penalty"] = penalty
    cost = _frame(
        item=lab("cost.item", lambda: [k_ for k_ in items for _ in range(ny)]),
        year=np.tile(years, len(items)),
        bn_cny=[np.broadcast_to(v, (ny,)) for v in items.values()],
        bn_cny_pv=[np.broadcast_to(v, (ny,)) * df for v in items.values()],
    )
    targets = pd.DataFrame(
        tgt_rows,
        columns=[
            "target",
            "year",
            "cap",
            "value",
            "slack",
            "unit",
            "marginal_cost",
            "marginal_cost_unit",
            "binding",
            "gap_reason",
        ],
    )
    # ---- other shadow prices
    sh = []
    fd = planner.dual(m.firm_capacity)
    sh += [
        ("firm_capacity", years[y], fd[y] / df[y] * KILO, "CNY/kW/yr", res_slack[y], "GW") for y in range(ny)
    ]
    if bud:
        bd = planner.dual(m.budget_limit)
        sh += [
            ("budget", years[y], -bd[j] / df[y], "CNY/CNY", bud_slack[j], "bnCNY") for j, y in enumerate(bud)
        ]
    if hasattr(m, "storage_mandate"):
        # two rows a year, power (GW) and energy (GWh), either or both binding; Pyomo writes
        # "storage >= ratio x new VRE" as "ratio x new VRE - storage <= 0", whose dual is <= 0:
        # negated, the value is what one more kW (kWh) of required storage costs
        for con, unit, per in (
            (m.storage_mandate, "CNY/kW", "GW"),
            (m.storage_mandate_energy, "CNY/kWh", "GWh"),
        ):
            md = planner.dual(con)
            sh += [(con.name, years[y], -md[y] / df[y] * KILO, unit, 0.0, per) for y in range(ny)]
    shadow = pd.DataFrame(sh, columns=["constraint", "year", "value", "unit", "slack", "slack_unit"])
    programmes = _frame(
        programme=lab("programmes.programme", lambda: [p for p in progs for _ in range(ny)]),
        year=np.tile(years, len(progs)),
        level_mtce=[prog[j] for j in range(len(progs))],
    )
    objective = float(planner.highs.getInfo().objective_function_value)
    if (shed.sum() + spill.sum()) > 1e-6:
        messages = messages + [
            f"unserved or spilled electricity {twh(shed + spill).sum():.4f} TWh: supply cannot "
            "follow load within the limits (check market.import_limit_gw, "
            "market.export_limit_gw, generators[coal].min_load, potentials)"
        ]
    return PlannerResult(
        city_id=inp.city_id,
        years=inp.years,
        status="optimal",
        messages=messages,
        objective=objective,
        capacity=capacity,
        new_by_land=new_by_land,
        dispatch=dispatch,
        energy=energy,
        cost=cost,
        targets=targets,
        programmes=programmes,
        shadow=shadow,
        hourly=hourly,
    )


def _frame(**columns) -> pd.DataFrame:
    """A DataFrame from columns given as lists of labels or lists of 1-d arrays (concatenated)."""
    if all(len(col) == 0 for col in columns.values()):  # as an empty frame of row tuples
        return pd.DataFrame([], columns=list(columns))
    out = {}
    for name, col in columns.items():
        if isinstance(col, list) and col and isinstance(col[0], np.ndarray):
            col = np.concatenate(col).astype(float, copy=False)
        elif isinstance(col, list) and not col:
            col = np.array([], dtype=object)
        elif isinstance(col, pd.api.extensions.ExtensionArray):
            col = col.copy()  # shared label column of the template
        out[name] = col
    return pd.DataFrame(out)


def _by_tech(values: np.ndarray, keys: list, techs: list, ny: int) -> np.ndarray:
    """Sum new capacity over land classes: (len(keys)*ny,) -> (len(techs), ny)."""
    out = np.zeros((len(techs), ny))
    if not keys:
        return out
    v = values.reshape(len(keys), ny)
    idx = {t: i for i, t in enumerate(techs)}
    for k, (t, _) in enumerate(keys):
        out[idx[t]] += v[k]
    return out
