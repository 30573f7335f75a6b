"""Sparse index sets of one city's LP, computed once from its input, and the key of its structure.

:func:`structure` changes exactly when an input needs a new model rather than new Param
values (see :mod:`zonesim.planner.solve`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from zonesim.planner.inputs import (
    ANY_LAND,
    FOSSIL_CARRIERS,
    Carrier,
    LandClass,
    PlannerInput,
    TechName,
)
from zonesim.planner.targets import TARGETS


@dataclass(frozen=True)
class IndexSets:
    """Sparse index sets of one city's LP, computed once from the input."""

    n_years: int
    n_days: int
    gens: tuple[TechName, ...]
    fossil: tuple[TechName, ...]
    vre: tuple[TechName, ...]
    hydro: tuple[TechName, ...]
    planned: tuple[TechName, ...]
    nonfossil: tuple[TechName, ...]
    renewable: tuple[TechName, ...]
    build: tuple[tuple[TechName, LandClass], ...]
    build_limited: tuple[TechName, ...]
    storage: tuple[TechName, ...]
    storage_build: tuple[tuple[TechName, LandClass], ...]
    storage_limited: tuple[TechName, ...]
    coupled_storage: tuple[TechName, ...]
    potential: tuple[tuple[TechName, LandClass], ...]
    programmes: tuple[str, ...]
    electrification: tuple[str, ...]
    carriers: tuple[Carrier, ...]
    programme_carriers: tuple[Carrier, ...]
    has_coal: bool
    trade_pace: bool
    coal_flex: bool
    coal_substitution: bool
    coal_adequacy: bool
    target_years: dict[str, tuple[int, ...]]
    budget_years: tuple[int, ...]


def index_sets(inp: PlannerInput) -> IndexSets:
    """The sparse sets: only technologies present or buildable, only targets that exist."""
    gens = tuple(g for g in inp.generators if g.existing_gw > 0 or g.buildable)
    by_name = {g.name: g for g in gens}
    pot_techs = {t for (t, _) in inp.potentials}

    def land(name: TechName, buildable: bool) -> list[tuple[TechName, LandClass]]:
        if not buildable:
            return []
        if name in pot_techs:
            return [(t, lc) for (t, lc) in inp.potentials if t == name]
        return [(name, ANY_LAND)]

    build = [b for g in gens for b in land(g.name, g.buildable)]
    stores = tuple(s for s in inp.storage if s.existing_gw > 0 or s.buildable)
    sbuild = [b for s in stores for b in land(s.name, s.buildable)]
    coal = by_name.get(TechName("coal"))
    pol = inp.policy
    target_years = {
        name: tuple(i for i, v in enumerate(getattr(pol, t.lp_parameter) or ()) if v is not None)
        for name, t in TARGETS.items()
    }
    built = {t for (t, _) in build}
    sbuilt = {t for (t, _) in sbuild}
    return IndexSets(
        n_years=inp.n_years,
        n_days=inp.days.n_days,
        gens=tuple(g.name for g in gens),
        fossil=tuple(g.name for g in gens if g.kind == "fossil"),
        vre=tuple(g.name for g in gens if g.kind == "vre"),
        hydro=tuple(g.name for g in gens if g.kind == "hydro"),
        planned=tuple(g.name for g in gens if g.kind == "fossil" and g.full_load_hours is not None),
        nonfossil=tuple(g.name for g in gens if g.kind != "fossil"),
        renewable=tuple(g.name for g in gens if g.renewable and g.kind != "fossil"),
        build=tuple(build),
        build_limited=tuple(g.name for g in gens if g.name in built and np.isfinite(g.build_limit_gw)),
        storage=tuple(s.name for s in stores),
        storage_build=tuple(sbuild),
        storage_limited=tuple(s.name for s in stores if s.name in sbuilt and np.isfinite(s.build_limit_gw)),
        coupled_storage=tuple(s.name for s in stores if s.name.startswith("battery"))
        if pol.storage_charges_from_vre and any(g.kind == "vre" for g in gens)
        else (),
        potential=tuple(b for b in build + sbuild if b[1] != ANY_LAND),
        programmes=tuple(p.name for p in inp.programmes),
        electrification=tuple(p.name for p in inp.programmes if p.kind == "electrification"),
        carriers=FOSSIL_CARRIERS,
        programme_carriers=tuple(
            cr for cr in FOSSIL_CARRIERS if any(p.carrier_shares.get(cr) for p in inp.programmes)
        ),
        has_coal=coal is not None,
        trade_pace=bool(np.isfinite(inp.market.trade_pace)),
        coal_flex=coal is not None and coal.min_load > inp.params.coal_flex_min_load,
        coal_substitution=(coal is not None and coal.buildable and pol.coal_substitution_ratio is not None),
        coal_adequacy=coal is not None and coal.buildable,
        target_years=target_years,
        budget_years=tuple(i for i, v in enumerate(pol.budget_bn or ()) if v is not None),
    )


def structure(inp: PlannerInput) -> str:
    """A key that changes exactly when the input needs a new model (not just new Params)."""
    s = index_sets(inp)
    h = hashlib.sha256(repr(s).encode())
    d = inp.days
    for a in (d.weights, d.load_pu, d.solar_cf, d.wind_cf):
        h.update(np.ascontiguousarray(a, dtype=float).tobytes())
    h.update(repr(_structural_numbers(inp)).encode())
    return h.hexdigest()[:16]


def _structural_numbers(inp: PlannerInput) -> tuple:
    """Numbers written into hourly rows as plain floats (a change needs a rebuild)."""
    coal = inp.generator("coal")
    return (
        tuple((s.name, s.efficiency, s.duration_h) for s in inp.storage),
        coal.min_load if coal else None,
        tuple((g.name, g.availability) for g in inp.generators if g.kind != "vre"),
        inp.params.coal_flex_min_load,
        inp.params.electrification_twh_per_mtce,
    )
