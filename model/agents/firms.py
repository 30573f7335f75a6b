"""Firm agents held as arrays: one row per firm, verbs applied to masks.

At 10^5 firms one Mesa agent per firm costs 70-150x the numpy arithmetic (DESIGN.md,
"Speed"), so firm state lives in a :class:`FirmPopulation` of numpy arrays and the verbs
``retire``, ``retrofit``, ``expand`` and ``enter`` act on boolean masks. A
:class:`CityAgent <zonesim.agents.city.CityAgent>` owns the index range of its firms.

The synthetic population reproduces the base-year table ``industry.csv`` exactly: for each
city and sector, firm output (value added) and energy use by carrier sum to the table's
values (sizes drawn lognormal, intensities with lognormal heterogeneity, both normalised).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from zonesim.data.schema import CARRIERS, ENERGY_INTENSIVE, SECTORS

GOLDEN = 0.6180339887498949  # fractional golden ratio: well-spread yearly draws from one propensity
SECTOR_INDEX = {s: i for i, s in enumerate(SECTORS)}
CARRIER_INDEX = {c: i for i, c in enumerate(CARRIERS)}
FOSSIL = np.array([CARRIER_INDEX[c] for c in ("coal", "oil", "gas", "heat")])
ELEC = CARRIER_INDEX["electricity"]
INTENSIVE_MASK = np.array([s in ENERGY_INTENSIVE for s in SECTORS])


@dataclass
class FirmPopulation:
    """State of every firm as parallel arrays (length = number of firms ever created).

    Units: ``output`` in bnCNY2020 value added per year; ``intensity[:, k]`` in tce per
    bnCNY2020 for fuels and heat, MWh per bnCNY2020 for electricity.
    """

    city: np.ndarray  # int, index into the model's city list
    sector: np.ndarray  # int, index into SECTORS
    output: np.ndarray  # float, bnCNY2020
    intensity: np.ndarray  # float (n, len(CARRIERS))
    vintage: np.ndarray  # int, year of the last major investment
    hurdle: np.ndarray  # float, hurdle rate, fraction per year
    finance_access: np.ndarray  # float in (0, 1]: share of wanted finance obtained
    backward: np.ndarray  # bool, in the backward-capacity class
    retrofitted: np.ndarray  # bool, has taken the efficiency package
    entrant: np.ndarray  # bool, entered after the base year
    alive: np.ndarray  # bool
    in_gdp: np.ndarray  # bool; False for households, whose 'output' is an activity index
    retire_year: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    propensity: np.ndarray = field(default_factory=lambda: np.zeros(0))  # uniform [0, 1), drawn once
    # share of the efficiency package public programmes have carried out in the firm, [0, 1]
    package_used: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def __post_init__(self) -> None:
        if len(self.package_used) != len(self.output):
            self.package_used = np.zeros(len(self.output))

    def draw(self, year: int) -> np.ndarray:
        """This year's uniform draw of every firm, fixed by its propensity and the year.

        Decisions that need chance use these instead of fresh draws from the generator, so a
        firm meets the same chance in every scenario (common random numbers): a lever that
        changes how many firms decide does not reshuffle who is lucky.
        """
        return (self.propensity + GOLDEN * year) % 1.0

    def __len__(self) -> int:
        return len(self.output)

    # ------------------------------------------------------------------ aggregates
    def energy(self) -> np.ndarray:
        """Energy use by carrier per firm (n, carriers); zero for retired firms."""
        return self.intensity * (self.output * self.alive)[:, None]

    def by_city_sector(self, values: np.ndarray, n_cities: int) -> np.ndarray:
        """Sum a per-firm array (n,) or (n, k) over firms into (cities, sectors[, k])."""
        flat = self.city * len(SECTORS) + self.sector
        size = n_cities * len(SECTORS)
        if values.ndim == 1:
            out = np.bincount(flat, weights=values, minlength=size)
            return out.reshape(n_cities, len(SECTORS))
        cols = [np.bincount(flat, weights=values[:, k], minlength=size) for k in range(values.shape[1])]
        return np.stack(cols, axis=1).reshape(n_cities, len(SECTORS), values.shape[1])

    # ----------------------------------------------------------------------- verbs
    def retire(self, mask: np.ndarray, year: int) -> int:
        """Retire the live firms in ``mask``; returns how many retired."""
        hit = mask & self.alive
        self.alive[hit] = False
        self.retire_year[hit] = year
        return int(hit.sum())

    def retrofit(self, mask: np.ndarray, saving: np.ndarray, year: int) -> float:
        """Cut fossil intensity of firms in ``mask`` by ``saving`` (fraction, per firm).

        Returns the fossil energy saved per year, tce.
        """
        hit = mask & self.alive & ~self.retrofitted
        before = self.intensity[hit][:, FOSSIL].sum(axis=1) * self.output[hit]
        self.intensity[np.ix_(hit, FOSSIL)] *= (1.0 - saving[hit])[:, None]
        self.retrofitted[hit] = True
        self.vintage[hit] = year
        return float((before * saving[hit]).sum())

    def carry_out_package(self, mask: np.ndarray, share: float, saving: float, year: int) -> float:
        """A public programme cuts the fossil intensity of the open firms in ``mask`` alike by
        ``saving`` (fraction), at most what remains of their package (``share`` x the part not
        yet used); the part used is recorded and a firm whose package is used up closes.
        Returns the fossil energy saved per year, tce."""
        hit = mask & self.alive & ~self.retrofitted
        if not hit.any():
            return 0.0
        left = share * (1.0 - self.package_used[hit])
        cut = np.minimum(saving, left)
        before = self.intensity[hit][:, FOSSIL].sum(axis=1) * self.output[hit]
        self.intensity[np.ix_(hit, FOSSIL)] *= (1.0 - cut)[:, None]
        self.package_used[hit] += cut / share
        done = np.flatnonzero(hit)[self.package_used[hit] >= 1.0 - 1e-9]
        self.retrofitted[done] = True
        self.vintage[done] = year
        return float((before * cut).sum())

    def electrify(self, mask: np.ndarray, share: np.ndarray, mwh_per_tce: float) -> float:
        """Switch ``share`` of fossil use of firms in ``mask`` to electricity.

        ``mwh_per_tce`` is the electricity needed per tce of fossil fuel replaced. Returns
        the fossil energy switched per year, tce.
        """
        hit = mask & self.alive
        fossil = self.intensity[np.ix_(hit, FOSSIL)]
        moved = fossil * share[hit][:, None]
        self.intensity[np.ix_(hit, FOSSIL)] = fossil - moved
        self.intensity[hit, ELEC] += moved.sum(axis=1) * mwh_per_tce
        return float((moved.sum(axis=1) * self.output[hit]).sum())

    def expand(self, growth: np.ndarray) -> None:
        """Grow output of live firms by ``growth`` (fraction per year, per firm)."""
        self.output *= np.where(self.alive, 1.0 + growth, 1.0)

    def enter(self, other: FirmPopulation) -> None:
        """Append new firms."""
        for name in self.__dataclass_fields__:
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))


def _split(total: float, weights: np.ndarray) -> np.ndarray:
    """Split ``total`` in proportion to positive ``weights`` (exact sum)."""
    return total * weights / weights.sum()


def synthesize(
    industry: pd.DataFrame,
    city_ids: list[str],
    n_firms: int,
    rng: np.random.Generator,
    size_sigma: float,
    intensity_sigma: float,
    hurdle_mean: float,
    hurdle_sigma: float,
    finance_min: float,
    vintage_range: tuple[int, int],
    elec_tce_per_mwh: float,
    backward_share: float,
) -> FirmPopulation:
    """Draw a firm population whose city-sector totals equal ``industry`` exactly.

    Firms are allotted to city-sector cells in proportion to the cells' total energy (at
    least one firm per non-empty cell); within a cell, sizes are lognormal(0, size_sigma)
    and carrier intensities lognormal(0, intensity_sigma) around the cell's mean, both
    normalised so that cell totals are reproduced.
    """
    cells = industry[industry["city_id"].isin(city_ids)]
    wide = cells.pivot_table(
        index=["city_id", "sector"], columns="variable", values="value", aggfunc="sum"
    ).reindex(columns=["value_added", *CARRIERS], fill_value=0.0)
    wide = wide.fillna(0.0)
    energy_cols = ["coal", "oil", "gas", "heat", "electricity"]
    wide = wide[(wide["value_added"] > 0) | (wide[energy_cols].sum(axis=1) > 0)]
    # apportion firms by energy (electricity at its calorific value) and value added equally
    energy = wide[["coal", "oil", "gas", "heat"]].sum(axis=1) + wide["electricity"] * elec_tce_per_mwh
    weight = energy / energy.sum() + wide["value_added"] / wide["value_added"].sum()
    counts = np.maximum(1, np.floor(weight / weight.sum() * n_firms).astype(int))
    # cells without value added (households) are one agent with an activity index of 1
    has_va = wide["value_added"] > 0
    counts[~has_va] = 1

    city_pos = {c: i for i, c in enumerate(city_ids)}
    parts: dict[str, list[np.ndarray]] = {k: [] for k in FirmPopulation.__dataclass_fields__}
    for (city_id, sector), row in wide.iterrows():
        n = int(counts[(city_id, sector)])
        in_gdp = bool(row["value_added"] > 0)
        size = rng.lognormal(0.0, size_sigma, n)
        output = _split(float(row["value_added"]) if in_gdp else 1.0, size)
        het = rng.lognormal(0.0, intensity_sigma, (n, len(CARRIERS)))
        energy = np.empty((n, len(CARRIERS)))
        for k, carrier in enumerate(CARRIERS):
            energy[:, k] = _split(float(row[carrier]), het[:, k] * output)
        intensity = energy / output[:, None]
        # backward class: the most fossil-intensive ``backward_share`` of energy-intensive
        # sectors' firms (at least one per cell)
        backward = np.zeros(n, dtype=bool)
        if sector in ENERGY_INTENSIVE:
            order = np.argsort(-intensity[:, FOSSIL].sum(axis=1), kind="stable")
            backward[order[: max(1, int(n * backward_share))]] = True
        parts["city"].append(np.full(n, city_pos[city_id]))
        parts["sector"].append(np.full(n, SECTOR_INDEX[sector]))
        parts["output"].append(output)
        parts["intensity"].append(intensity)
        parts["vintage"].append(rng.integers(vintage_range[0], vintage_range[1] + 1, n))
        parts["hurdle"].append(hurdle_mean * rng.lognormal(0.0, hurdle_sigma, n))
        parts["finance_access"].append(rng.uniform(finance_min, 1.0, n))
        parts["backward"].append(backward)
        parts["retrofitted"].append(np.zeros(n, dtype=bool))
        parts["entrant"].append(np.zeros(n, dtype=bool))
        parts["alive"].append(np.ones(n, dtype=bool))
        parts["in_gdp"].append(np.full(n, in_gdp))
        parts["retire_year"].append(np.zeros(n, dtype=int))
    pop = FirmPopulation(**{k: np.concatenate(v) for k, v in parts.items() if v})
    pop.propensity = rng.random(len(pop))
    return pop
