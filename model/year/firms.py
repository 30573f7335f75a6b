"""Firms decide: grow, improve, retire when mandated or unprofitable, retrofit; entrants arrive.

The firm population (:class:`~zonesim.agents.firms.FirmPopulation`) owns the verbs
(``expand``, ``retire``, ``retrofit``, ``enter``); :class:`FirmBehaviour` decides which firms
use them this year, from the run's :class:`~zonesim.year.setting.Setting` and the year's rules.
The calibration backcast composes the same class with the rules of 2016-2020.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from zonesim.agents.firms import CARRIER_INDEX, FOSSIL, INTENSIVE_MASK, SECTOR_INDEX, FirmPopulation
from zonesim.agents.params import AgentParams
from zonesim.levers.rules import YearRules
from zonesim.macro import GdpPath
from zonesim.units import CNY_PER_BN
from zonesim.year.setting import FUELS, gdp

RESIDENTIAL = SECTOR_INDEX["residential"]
SERVICES = SECTOR_INDEX["services"]
OTHER_INDUSTRY = SECTOR_INDEX["other_industry"]


@dataclass
class CityStanding:
    """What entry reads of a city agent: zone status and extra demonstration parks."""

    has_status: bool
    extra_parks: bool


class FirmBehaviour:
    """The firms' yearly decisions, with the state they carry between years.

    State: each firm's profit share of value added (drawn once unless given), the circular-park members
    (drawn when the lever first acts) and the park saving reached so far.
    """

    def __init__(
        self,
        firms: FirmPopulation,
        params: AgentParams,
        rng: np.random.Generator,
        gdp_path: GdpPath,
        prices: dict[str, np.ndarray],
        factors: dict[str, float],
        discount_rate: float,
        efficiency_programmes,
        profit_share: np.ndarray | None = None,
        hold_anchored_output: bool = False,
    ) -> None:
        self.firms = firms
        self.params = params
        self.rng = rng
        self.gdp_path = gdp_path
        self.factors = factors
        self.discount_rate = discount_rate
        self.n_cities = gdp_path.growth_pct.shape[0]
        if profit_share is None:  # drawn once per firm, right after the population
            profit_share = params.profit_share_of_va * rng.lognormal(0.0, params.profit_sigma, len(firms))
        self.profit_share = profit_share
        self.park_members: np.ndarray | None = None
        self.park_level = 0.0
        self.park_saving_tce = np.zeros(self.n_cities)  # fossil use the parks save per year, tce
        self.backward_retired = np.zeros(self.n_cities)  # output retired as backward, bnCNY/yr
        # mandated retirement shifts the mix of a product-anchored sector but keeps its output on
        # the anchor (the realised output already contains the cuts): the calibration backcast's rule
        self.hold_anchored_output = hold_anchored_output
        # this year's anchored firms and their sectors' output (cities, sectors) after growth
        self._anchor_target: tuple[np.ndarray, np.ndarray] | None = None
        self.covered = np.ones(len(SECTOR_INDEX), dtype=bool)  # sectors the carbon price reaches
        cost = np.full(len(SECTOR_INDEX), np.nan)
        share = np.zeros(len(SECTOR_INDEX))
        prog = efficiency_programmes
        for row in prog[prog["programme"] == "efficiency"].itertuples():
            cost[SECTOR_INDEX[row.sector]] = row.cost
            share[SECTOR_INDEX[row.sector]] = row.potential_share
        self.package_cost, self.package_share = cost, share  # per sector: CNY2020/tce, share
        self.price_matrix = np.stack([prices[x] for x in FUELS], axis=1)  # (cities, fuels)
        self.ef_vector = np.array([factors[x] for x in FUELS])

    def decide(
        self,
        year: int,
        rules: YearRules,
        cities: Sequence[CityStanding],
        carbon_sectors: np.ndarray | None = None,
    ) -> None:
        """This year's decisions, in order: entry, growth along the GDP path (the curb may hold
        energy-intensive firms back), mandated retirement, exit, retrofit, parks.

        Entry and growth together follow the path; what the levers then remove (curbed growth,
        retirement, exits) is the GDP deviation from the path they cause. ``carbon_sectors``
        (per sector) says where the carbon price applies; all sectors when not given.
        """
        self.covered = np.ones(len(SECTOR_INDEX), dtype=bool) if carbon_sectors is None else carbon_sectors
        self.entry(year, cities)
        self.grow(year, rules)
        if rules.retire_backward_share > 0:
            self.retire_backward(rules.retire_backward_share, year)
            if self.hold_anchored_output:
                self.restore_anchored_output()
        if rules.carbon_price > 0:
            self.exit_unprofitable(rules.carbon_price, year, free_allocation=rules.carbon_coverage == "ets")
        self.private_retrofits(rules, year)
        if rules.circular_saving > 0:
            self.circular_parks(rules)

    def grow(self, year: int, rules: YearRules) -> None:
        """Output grows so that each city's GDP follows its path (structural change as share
        shifts): sector factors set relative growth, then one factor per city scales value
        added to the path. Where realised industrial value-added growth is published for the
        year, industry (its energy-intensive part at its relative factor) follows it and
        services take the rest of the path. Households' activity grows with GDP times their
        factor. Intensities fall by autonomous efficiency improvement."""
        f, p, n = self.firms, self.params, self.n_cities
        g_city = self.gdp_path.growth(year)
        g_ind = self.gdp_path.industry(year)
        factor = np.ones(len(f))
        factor[INTENSIVE_MASK[f.sector]] = p.growth_intensive_factor
        factor[f.sector == SERVICES] = p.growth_services_factor
        factor[f.sector == RESIDENTIAL] = p.growth_residential_factor
        growth = g_city[f.city] * factor
        va = f.output * f.alive * f.in_gdp
        industry = f.in_gdp & (f.sector != SERVICES)
        # energy-intensive sectors with realised product output follow it (the scenario's
        # macro.product_anchors): their growth is fixed before anything is scaled
        product = np.full(len(f), np.nan)
        for sector, g_prod in self.gdp_path.product(year).items():
            mine = f.sector == SECTOR_INDEX[sector]
            product[mine] = g_prod[f.city[mine]]
        by_product = np.isfinite(product) & f.in_gdp
        growth[by_product] = product[by_product]
        anchored = np.isfinite(g_ind)[f.city] & industry & ~by_product
        if anchored.any():  # the rest of industry so that all industry meets its realised growth
            rel = np.where(INTENSIVE_MASK[f.sector], p.growth_intensive_factor, 1.0)
            g = np.where(np.isfinite(g_ind), g_ind, 0.0)[f.city] * rel
            need = self._remainder(g_ind, industry & by_product, anchored, va, growth)
            self._scale(growth, anchored, va, g, need)
        # the rest of the path: every GDP firm where industry is not anchored, else services
        rest = f.in_gdp & ~(np.isfinite(g_ind)[f.city] & industry) & ~by_product
        target = (1.0 + g_city) * np.bincount(f.city, weights=va, minlength=n)
        fixed = np.bincount(f.city, weights=(va * (1.0 + growth)) * (f.in_gdp & ~rest), minlength=n)
        now = np.bincount(f.city, weights=va * rest, minlength=n)
        self._scale(
            growth, rest, va, growth, np.divide(target - fixed, now, out=np.zeros(n), where=now > 0) - 1.0
        )
        if rules.intensive_growth_cap is not None:
            capped = INTENSIVE_MASK[f.sector]
            growth[capped] = np.minimum(growth[capped], rules.intensive_growth_cap)
        f.expand(growth)
        f.intensity *= 1.0 - p.aeei_pct / 100.0
        if self.hold_anchored_output:
            held = by_product & f.alive
            self._anchor_target = (held, f.by_city_sector(f.output * held, self.n_cities))

    def restore_anchored_output(self) -> None:
        """Scale the surviving firms of each product-anchored sector and city so that the
        sector's output is again what its realised growth set this year.

        Mandated retirement has closed the most fossil-intensive capacity; where realised output
        anchors the sector, that output already contains the cuts, so the rest of the sector
        makes it (the retirement shifts the mix, it does not remove output twice). A sector left
        with no live firm stays at zero.
        """
        if self._anchor_target is None:
            return
        f = self.firms
        held, target = self._anchor_target
        live = held & f.alive
        now = f.by_city_sector(f.output * live, self.n_cities)
        scale = np.divide(target, now, out=np.ones_like(now), where=now > 0)
        f.output[live] *= scale[f.city[live], f.sector[live]]

    def _remainder(
        self, g_total: np.ndarray, fixed: np.ndarray, free: np.ndarray, va: np.ndarray, growth: np.ndarray
    ) -> np.ndarray:
        """Per city: the growth the ``free`` firms need so that they and the ``fixed`` ones (at
        their set ``growth``) grow by ``g_total`` together (0 where a city has no free firms)."""
        f, n = self.firms, self.n_cities
        g = np.where(np.isfinite(g_total), g_total, 0.0)
        now = np.bincount(f.city, weights=va * free, minlength=n)
        base_fixed = np.bincount(f.city, weights=va * fixed, minlength=n)
        grown_fixed = np.bincount(f.city, weights=va * fixed * (1.0 + growth), minlength=n)
        need = (1.0 + g) * (now + base_fixed) - grown_fixed
        return np.divide(need, now, out=np.ones(n), where=now > 0) - 1.0

    def _scale(
        self, growth: np.ndarray, mask: np.ndarray, va: np.ndarray, g: np.ndarray, total: np.ndarray
    ) -> None:
        """Set ``growth`` of the firms in ``mask`` to ``g`` scaled per city so that their value
        added grows by ``total`` (fraction per city) together."""
        f, n = self.firms, self.n_cities
        now = np.bincount(f.city, weights=va * mask, minlength=n)
        grown = np.bincount(f.city, weights=va * mask * (1.0 + g), minlength=n)
        scale = np.divide((1.0 + total) * now, grown, out=np.ones(n), where=grown > 0)
        growth[mask] = ((1.0 + g) * scale[f.city] - 1.0)[mask]

    def retire_backward(self, share: float, year: int) -> None:
        """Retire capacity of the most fossil-intensive energy-intensive firms of each city
        until the retired share of that output reaches ``share`` (a share of capacity, not of
        firms: whole firms go first and the last one shrinks by what remains, so a 1 % target
        retires 1 %, however few firms the city has)."""
        f = self.firms
        n_cities = self.n_cities
        cand = INTENSIVE_MASK[f.sector] & ~f.entrant
        live_cand = cand & f.alive
        total = np.bincount(f.city[live_cand], weights=f.output[live_cand], minlength=n_cities)
        total = total + self.backward_retired
        need = share * total - self.backward_retired
        live = np.flatnonzero(cand & f.alive & (need[f.city] > 0))
        if live.size == 0:
            return
        fossil = f.intensity[live][:, FOSSIL].sum(axis=1)
        order = live[np.lexsort((-fossil, f.city[live]))]
        cum = np.cumsum(f.output[order])
        city = f.city[order]
        first = np.flatnonzero(np.r_[True, city[1:] != city[:-1]])
        offset = np.repeat(np.r_[0.0, cum[first[1:] - 1]], np.diff(np.r_[first, len(order)]))
        before = cum - f.output[order] - offset  # output retired before this firm in its city
        after = before + f.output[order]
        whole = order[after <= need[city]]
        straddle = (before < need[city]) & (after > need[city])
        part, cut = order[straddle], (need[city] - before)[straddle]
        self.backward_retired += np.bincount(f.city[whole], weights=f.output[whole], minlength=n_cities)
        self.backward_retired += np.bincount(f.city[part], weights=cut, minlength=n_cities)
        mask = np.zeros(len(f), dtype=bool)
        mask[whole] = True
        f.retire(mask, year)
        f.output[part] -= cut  # the firm straddling the share closes that part of its capacity

    def exit_unprofitable(self, carbon_price: float, year: int, free_allocation: bool = False) -> None:
        """Firms exit when their carbon cost exceeds their profit.

        Under the national ETS (``free_allocation``) allowances are free and output-based
        (ets_coverage.csv: benchmarks per unit of output; 2024 allowances equal verified
        emissions): a covered firm pays only for CO2 above its allocation, taken as its sector's
        mean CO2 per unit of output among live firms (no benchmark values for steel, cement and
        aluminium were found, so the benchmark is the sector average, an assumption), and earns
        on CO2 below it. The marginal incentive of the price is kept (retrofits see it in full).
        """
        f = self.firms
        e = f.energy()
        co2 = sum(e[:, CARRIER_INDEX[c]] * self.factors[c] for c in FUELS)
        liable = co2
        if free_allocation:
            live = f.alive & (f.output > 0)
            sector_co2 = np.bincount(f.sector[live], weights=co2[live], minlength=len(SECTOR_INDEX))
            sector_out = np.bincount(f.sector[live], weights=f.output[live], minlength=len(SECTOR_INDEX))
            benchmark = np.divide(sector_co2, sector_out, out=np.zeros_like(sector_co2), where=sector_out > 0)
            liable = co2 - benchmark[f.sector] * f.output
        cost_bn = liable * carbon_price * self.covered[f.sector] / CNY_PER_BN
        profit_bn = self.profit_share * f.output
        f.retire(f.alive & (cost_bn > profit_bn) & f.in_gdp, year)

    def private_retrofits(self, rules: YearRules, year: int) -> None:
        """Firms take the efficiency package when the value of a tce saved beats its cost.

        Value: the firm's fuel-mix price plus the carbon cost, times its finance access. Cost:
        the package cost scaled by the firm's hurdle rate (less any green-finance discount)
        over the social discount rate at which the package cost is annualised.
        """
        f = self.firms
        cost, share = self.package_cost, self.package_share
        open_ = f.alive & ~f.retrofitted & np.isfinite(cost[f.sector])
        if not open_.any():
            return
        idx = np.flatnonzero(open_)
        e = f.intensity[idx][:, FOSSIL]
        tot = e.sum(axis=1, keepdims=True)
        w = np.divide(e, tot, out=np.zeros_like(e), where=tot > 0)
        price = rules.carbon_price * self.covered[f.sector[idx]]
        value = (w * (self.price_matrix[f.city[idx]] + price[:, None] * self.ef_vector)).sum(axis=1)
        discount = rules.rate_discount if "efficiency" in rules.finance_eligible else 0.0
        hurdle = np.maximum(f.hurdle[idx] - discount, 1e-3)
        take = np.zeros(len(f), dtype=bool)
        worth = value * f.finance_access[idx] >= cost[f.sector[idx]] * hurdle / self.discount_rate
        # diffusion: of the firms for which the package pays, a share acts each year
        acts = f.draw(year)[idx] < self.params.retrofit_adoption_per_year
        take[idx] = worth & acts
        f.retrofit(take, share[f.sector] * (1.0 - f.package_used), year)  # what remains of the package

    def circular_parks(self, rules: YearRules) -> None:
        """Participating energy-intensive firms (a seeded subset) reach the lever's saving."""
        f = self.firms
        member = INTENSIVE_MASK[f.sector] & ~f.entrant
        if self.park_members is None:
            draw = self.rng.random(len(f))
            self.park_members = member & (draw < rules.circular_participation)
        target = rules.circular_saving
        done = self.park_level
        if target <= done:
            return
        step = 1.0 - (1.0 - target) / (1.0 - done)
        members = np.zeros(len(f), dtype=bool)
        members[: len(self.park_members)] = self.park_members
        acting = members & f.alive
        before = f.intensity[acting][:, FOSSIL].sum(axis=1) * f.output[acting]
        f.intensity[np.ix_(acting, FOSSIL)] *= 1.0 - step
        saved = before * step
        self.park_saving_tce += np.bincount(f.city[acting], weights=saved, minlength=self.n_cities)
        self.park_level = target

    def park_cost_bn(self, rules: YearRules) -> np.ndarray:
        """This year's cost of the circular parks per city, bnCNY2020: the fossil use they save
        per year (tce, at the time each saving was made) times the lever's cost per tce saved."""
        return self.park_saving_tce * rules.circular_cost_per_tce / CNY_PER_BN

    def entry(self, year: int, cities: Sequence[CityStanding]) -> None:
        """Low-intensity, high-value firms enter 'other_industry' in proportion to city GDP.

        Entrants' value added is ``entry_rate x (1 + status bonus x (status + extra parks)) x GDP``
        (a city rated excellent three years running under the evaluation lever gets more parks,
        doubling its bonus); their number keeps the city's mean firm size in other industry;
        their intensity is a fraction of that sector's mean intensity in the city.
        """
        f, p = self.firms, self.params
        n_cities = self.n_cities
        mask = (f.sector == OTHER_INDUSTRY) & f.alive
        out = np.bincount(f.city[mask], weights=f.output[mask], minlength=n_cities)
        count = np.bincount(f.city[mask], minlength=n_cities)
        energy = np.stack(
            [
                np.bincount(f.city[mask], weights=f.intensity[mask, k] * f.output[mask], minlength=n_cities)
                for k in range(f.intensity.shape[1])
            ],
            axis=1,
        )
        status = np.array([c.has_status for c in cities], dtype=float)
        parks = np.array([c.extra_parks for c in cities], dtype=float)  # more parks: more room
        va = p.entry_rate * (1.0 + p.entry_status_bonus * (status + parks)) * gdp(f, n_cities)
        ok = (va > 0) & (out > 0)
        n_new = np.where(ok, np.maximum(1, np.round(count * va / np.where(out > 0, out, 1))), 0).astype(int)
        total = int(n_new.sum())
        if total == 0:
            return
        city = np.repeat(np.arange(n_cities), n_new)
        size = self.rng.lognormal(0.0, p.firm_size_sigma, total)
        size_sum = np.bincount(city, weights=size, minlength=n_cities)
        mean_int = energy / np.where(out > 0, out, 1)[:, None]
        entrants = FirmPopulation(
            city=city,
            sector=np.full(total, OTHER_INDUSTRY),
            output=va[city] * size / size_sum[city],
            intensity=mean_int[city] * p.entrant_intensity_factor,
            vintage=np.full(total, year),
            hurdle=p.hurdle_rate_mean * self.rng.lognormal(0.0, p.hurdle_rate_sigma, total),
            finance_access=self.rng.uniform(p.finance_access_min, 1.0, total),
            backward=np.zeros(total, dtype=bool),
            retrofitted=np.ones(total, dtype=bool),
            entrant=np.ones(total, dtype=bool),
            alive=np.ones(total, dtype=bool),
            in_gdp=np.ones(total, dtype=bool),
            retire_year=np.zeros(total, dtype=int),
            propensity=self.rng.random(total),
        )
        f.enter(entrants)
        self.profit_share = np.concatenate(
            [self.profit_share, p.profit_share_of_va * self.rng.lognormal(0.0, p.profit_sigma, total)]
        )
