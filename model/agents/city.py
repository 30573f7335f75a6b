"""City agents: own a power fleet, plan with the LP, build within finance, get rated."""

from __future__ import annotations

import itertools
import weakref
from dataclasses import dataclass, field

import mesa
import numpy as np
import pandas as pd

RATINGS = ("excellent", "good", "average", "poor")


@dataclass
class CoalFleet:
    """Coal units of a city as arrays (capacity MW, start year, heat rate gce/kWh, alive)."""

    capacity_mw: np.ndarray  # in operation (a unit may be partly retired)
    start_year: np.ndarray
    heat_rate: np.ndarray
    alive: np.ndarray
    rated_mw: np.ndarray | None = None  # nameplate size, for size-class rules

    def __post_init__(self) -> None:
        if self.rated_mw is None:
            self.rated_mw = self.capacity_mw.copy()

    @property
    def total_mw(self) -> float:
        """Operating coal capacity, MW."""
        return float(self.capacity_mw[self.alive].sum())

    def mean_heat_rate(self) -> float | None:
        """Capacity-weighted heat rate of operating units, gce/kWh (None if no data)."""
        ok = self.alive & np.isfinite(self.heat_rate)
        if not ok.any():
            return None
        w = self.capacity_mw[ok]
        return float((self.heat_rate[ok] * w).sum() / w.sum())

    def retire_small(self, max_mw: float) -> float:
        """Retire every operating unit of at most ``max_mw``; returns MW retired."""
        hit = self.alive & (self.rated_mw <= max_mw)
        self.alive[hit] = False
        return float(self.capacity_mw[hit].sum())

    def retire_small_share(self, max_mw: float, share: float) -> float:
        """Retire units of at most ``max_mw`` until ``share`` of their 2020 capacity is gone,
        oldest (then smallest) first; the last unit is derated by what remains. MW retired."""
        small = self.rated_mw <= max_mw
        if share >= 1.0:
            return self.retire_small(max_mw)
        gone = float(self.rated_mw[small].sum() - self.capacity_mw[small & self.alive].sum())
        need = share * float(self.rated_mw[small].sum()) - gone
        return self._retire_in_order(need, small)

    def retire_aged(self, year: int, lifetime: float) -> float:
        """Retire units that reach ``lifetime`` years of age in ``year``; returns MW retired."""
        hit = self.alive & (self.start_year + lifetime <= year)
        self.alive[hit] = False
        return float(self.capacity_mw[hit].sum())

    def retire_oldest(self, mw: float) -> float:
        """Retire ``mw`` of capacity, oldest units first; returns MW retired.

        Whole units go first; the last one is derated by what remains (the LP retires
        continuous capacity, and rounding to whole units would make realised coal use jump).
        """
        return self._retire_in_order(mw, np.ones(len(self.capacity_mw), dtype=bool))

    def _retire_in_order(self, mw: float, among: np.ndarray) -> float:
        """Retire ``mw`` of the units in ``among``, oldest then smallest first (the last one
        derated); returns MW retired."""
        if mw <= 0:
            return 0.0
        order = np.lexsort((self.capacity_mw, self.start_year))
        left = mw
        for i in order:
            if left <= 1e-9:
                break
            if not self.alive[i] or not among[i]:
                continue
            if self.capacity_mw[i] <= left:
                self.alive[i] = False
                left -= float(self.capacity_mw[i])
            else:
                self.capacity_mw[i] -= left
                left = 0.0
        return mw - left


@dataclass
class CityState:
    """Capacities by technology (MW) split into 2020 fleet and new build, and storage."""

    old_mw: dict[str, float]
    new_mw: dict[str, float] = field(default_factory=dict)
    storage_mw: dict[str, float] = field(default_factory=dict)
    storage_mwh: dict[str, float] = field(default_factory=dict)
    coal_flexible_mw: float = 0.0
    """Coal capacity retrofitted for flexibility (lower minimum load), MW."""

    def capacity(self, tech: str) -> float:
        """Operating capacity of ``tech``, MW."""
        return self.old_mw.get(tech, 0.0) + self.new_mw.get(tech, 0.0)


class _AgentIds(weakref.WeakKeyDictionary):
    """Mesa's per-model agent counters, held by weak reference to the model.

    Mesa 3.3 (the last release for Python 3.11) keeps them in ``mesa.Agent._ids``, a class-level
    ``defaultdict`` keyed by the model itself, so every model ever built stays alive with all
    it holds (firms, 29 HiGHS instances): about 170-300 MB a run, which a long batch worker or
    a calibration (dozens of runs in one process) accumulates until it is killed. Fixed upstream
    in Mesa 3.5 (mesa/mesa#3179, #3180), which needs a newer Python.
    """

    def __getitem__(self, model: mesa.Model) -> itertools.count:
        try:
            return super().__getitem__(model)
        except KeyError:
            self[model] = counter = itertools.count(1)
            return counter


class CityAgent(mesa.Agent):
    """A zone city: its fleet, finance, plan-vs-built record and zone rating.

    Firms are not separate Mesa agents: they live in the model's
    :class:`~zonesim.agents.firms.FirmPopulation` arrays, and ``index`` selects this
    city's rows (DESIGN.md, "Speed").
    """

    _ids = _AgentIds()  # mesa.Agent.__init__ numbers agents through ``self._ids[model]``

    def __init__(
        self,
        model: mesa.Model,
        city: pd.Series,
        index: int,
        units: pd.DataFrame,
    ) -> None:
        super().__init__(model)
        self.city_id: str = city["city_id"]
        self.zone_id: str | None = city["zone_id"]
        self.province_code: str = city["province_code"]
        self.index = index
        coal = units[units["tech"] == "coal"]
        self.coal = CoalFleet(
            capacity_mw=coal["capacity_mw"].to_numpy(float).copy(),
            start_year=coal["start_year"].fillna(2000).to_numpy(int).copy(),
            heat_rate=coal["heat_rate_gce_per_kwh"].to_numpy(float).copy(),
            alive=np.ones(len(coal), dtype=bool),
        )
        other = units[units["tech"] != "coal"].groupby("tech")["capacity_mw"].sum()
        self.coal_2020_mw = self.coal.total_mw
        self.state = CityState(old_mw={**other.to_dict(), "coal": self.coal.total_mw})
        self.has_status = self.zone_id is not None
        self.ratings: list[str] = []
        self.support_bonus = 0.0  # fraction of budget added by last rating
        self.extra_parks = False  # three excellent years in a row: more demonstration parks
        self.built_by_land: dict[tuple[str, str], float] = {}  # MW built per (tech, land class)
        self.finance_share = 1.0  # share of last year's plan the city could finance
        self.last_net_import_mwh: float | None = None  # realised net import last year (trade pace)
        self.ordered_retirement_mw = 0.0  # coal retired this year by age and by the lever

    # ------------------------------------------------------------------ verbs
    def sync_coal(self) -> None:
        """Keep the aggregate 2020-fleet coal capacity equal to the unit list."""
        self.state.old_mw["coal"] = self.coal.total_mw

    def build(
        self,
        new_mw: dict[str, float],
        storage_mw: dict[str, float],
        storage_mwh: dict[str, float],
        by_land: dict[tuple[str, str], float],
    ) -> None:
        """Add new capacity (MW) and storage (MW, MWh); ``by_land`` uses resource potential."""
        for key, mw in by_land.items():
            self.built_by_land[key] = self.built_by_land.get(key, 0.0) + mw
        for tech, mw in new_mw.items():
            self.state.new_mw[tech] = self.state.new_mw.get(tech, 0.0) + mw
        for tech, mw in storage_mw.items():
            self.state.storage_mw[tech] = self.state.storage_mw.get(tech, 0.0) + mw
        for tech, mwh in storage_mwh.items():
            self.state.storage_mwh[tech] = self.state.storage_mwh.get(tech, 0.0) + mwh

    def retire_coal(self, mw: float) -> float:
        """Retire ``mw`` of coal: 2020 units oldest first, then capacity built since; MW retired."""
        done = self.coal.retire_oldest(mw)
        rest = min(mw - done, self.state.new_mw.get("coal", 0.0))
        if rest > 0:
            self.state.new_mw["coal"] -= rest
            done += rest
        self.sync_coal()
        return done

    def rate(self, progress: float, thresholds: tuple[float, float, float]) -> str:
        """Rate this year's progress (achieved / required intensity cut) and record it."""
        excellent, good, average = thresholds
        if progress >= excellent:
            rating = "excellent"
        elif progress >= good:
            rating = "good"
        elif progress >= average:
            rating = "average"
        else:
            rating = "poor"
        self.ratings.append(rating)
        return rating

    def streak(self, rating: str) -> int:
        """Number of consecutive ``rating`` ratings up to now."""
        n = 0
        for r in reversed(self.ratings):
            if r != rating:
                break
            n += 1
        return n

    def poor_streak(self) -> int:
        """Number of consecutive poor ratings up to now."""
        return self.streak("poor")
