"""The 2015-2020 backcast: the model's firm rules stepped from a constructed 2015 start.

The model's industry and fleet tables are 2020-only, so the 2015 start is built explicitly
(RECIPE.md, "The 2015 start"):

1. A 2020 :class:`~zonesim.model.TransitionModel` is built once (baseline scenario, no
   levers). Its firm population and its base-year accounting (dispatch of the 2020 fleet and
   the residual against ``city_history`` 2020) give, per city, the 2020 ratios of the
   non-final parts of energy, coal and CO2 (power fuel, non-fossil and imported electricity,
   residual) to the firm quantities they move with: power parts per MWh of firm electricity,
   the residual per tce of fossil final use (or per tce of power fuel when it is negative,
   the model's own rule).
2. The 2020 firms are rescaled to each city's 2015 data: services output so that services
   value added equals the 2015 tertiary share x 2015 GDP, the five industrial sectors
   (which carry primary value added, as in ``industry.csv``) by one common factor so that
   together they make the rest of 2015 GDP; then every firm's energy intensity (all
   carriers) by one factor per city so that the reduced-form 2015 energy total equals
   ``city_history`` 2015 ``energy_total``. The 2015 split of power and residual from final
   use is therefore the 2020 one.
3. Each year 2016-2020 the model's own firm rules (``FirmBehaviour.decide``) run (growth along
   the city's realised GDP x sector factor, AEEI, mandated retirement, private retrofits at the
   hurdle rate, entry), under the rules of the period: backward capacity retired to a documented
   share (13th FYP 去产能, 2016-2018), no carbon price, no curb, zone status from the approval
   year. With the setting ``backcast_product_anchors`` (:class:`Anchors`), the energy-intensive
   sectors that the baseline scenario anchors to realised product output (``macro.
   product_anchors`` and ``product_anchor_scopes``) follow that output's growth where
   ``product_output.csv`` has it, as the forward run does from 2021; the retirement then shifts
   their mix but keeps their output on the anchor (the realised output contains the cuts).
   The calibration adds one rule the model does not have yet: autonomous coal-to-electricity
   switching (``coal_electricity_switch_pct``), kept at 0 unless the data identify it.
4. City energy, coal and CO2 are firm use plus the non-final parts at the held 2020 ratios
   (the reduced form; the planner LP is not solved in the backcast).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.agents.firms import CARRIER_INDEX, ELEC, FOSSIL, SECTOR_INDEX, FirmPopulation
from zonesim.agents.params import AgentParams
from zonesim.calibration.stats import Periods
from zonesim.data import BaseYear, load
from zonesim.levers.rules import YearRules
from zonesim.macro import history_path, product_growth
from zonesim.model import TransitionModel
from zonesim.scenario import Scenario, load_scenario
from zonesim.year.firms import CityStanding, FirmBehaviour

FUELS = ("coal", "oil", "gas", "heat")
SERVICES = SECTOR_INDEX["services"]
RESIDENTIAL = SECTOR_INDEX["residential"]
INDUSTRY = np.array([SECTOR_INDEX[s] for s in SECTOR_INDEX if s not in ("services", "residential")])

# The years of the backcast and the 13th Five-Year Plan capacity cuts (去产能) of 2016-2018 are
# rows of constants.csv with their sources (Periods).

# calibration-only parameters (not yet in AgentParams): name -> prior
EXTRA_PRIORS = {"coal_electricity_switch_pct": 0.0}

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
PRODUCT_ANCHORS = True
"""Default of the setting ``backcast_product_anchors`` (RECIPE.md, "Product anchors in the
backcast": on because the anchored backcast is better on CO2 and energy; ``zonesim calibrate
--no-product-anchors`` for the backcast without them)."""


@dataclass(frozen=True)
class Anchors:
    """Which energy-intensive sectors follow realised product output in the backcast, and from
    which published series (city, province, nation: the first that has the year)."""

    products: Mapping[str, str]  # sector -> product of product_output.csv
    scopes: tuple[str, ...]

    @classmethod
    def from_scenario(cls, path: Path = BASELINE) -> Anchors:
        """The anchors and scopes of a scenario's ``macro`` section (the baseline by default)."""
        macro = load_scenario(path).macro
        if macro is None:
            return cls({}, ())
        return cls(dict(macro.product_anchors), tuple(macro.product_anchor_scopes))


def backcast_scenario(cities: list[str] | None = None, n_firms: int = 3000, seed: int = 20201) -> Scenario:
    """The baseline scenario of the 2020 reference run (no levers), optionally on a city subset."""
    return Scenario.model_validate(
        {
            "name": "calibration_reference_2020",
            "description": "2020 reference run for the 2015-2020 backcast (no levers).",
            "seed": seed,
            "horizon": {"start_year": 2020, "end_year": 2025},
            "selection": {"zones": "all", "include_associated": False, "cities": cities},
            "accounting": {"rule": "staged", "electricity_conversion": "coal_equivalent"},
            "planner": {"n_days": 8, "mode": "rolling"},
            "firms": {"n_firms": n_firms},
            "levers": {},
        }
    )


@dataclass
class Ratios:
    """Per-city 2020 ratios of the non-final parts (arrays over cities)."""

    energy_per_mwh: np.ndarray  # power fuel + non-fossil + net import, tce per MWh of firm electricity
    coal_per_mwh: np.ndarray  # power-plant coal, tce/MWh
    co2_per_mwh: np.ndarray  # power-plant CO2, t/MWh
    residual_basis: list[dict[str, str]]  # per city: variable -> "fossil_final" | "power_fossil"
    residual_ratio: np.ndarray  # (cities, 3): energy, coal, co2 per tce of the basis
    power_fossil_per_mwh: np.ndarray


@dataclass
class Reference:
    """What the backcast needs from one 2020 model run."""

    base: BaseYear
    city_ids: list[str]
    firms: FirmPopulation  # the 2020 population (before any step)
    profit_share: np.ndarray
    prices: dict[str, np.ndarray]
    factors: dict[str, float]
    discount_rate: float
    ratios: Ratios
    seed: int
    n_firms: int
    prior: AgentParams
    approval_year: np.ndarray  # per city: year the zone got its status (large: never)
    periods: Periods
    records_2020: pd.DataFrame = field(repr=False)
    anchors: Anchors | None = None  # None: the setting backcast_product_anchors is off
    # sector -> (cities, years start+1..end) realised output growth, % (NaN: not anchored)
    product_pct: dict[str, np.ndarray] = field(default_factory=dict, repr=False)


def reference(
    base: BaseYear | None = None,
    cities: list[str] | None = None,
    n_firms: int = 3000,
    seed: int = 20201,
    product_anchors: bool | Anchors = PRODUCT_ANCHORS,
) -> Reference:
    """Build the 2020 model once and extract the firms and per-city ratios (slow part: dispatch).

    ``product_anchors``: True anchors the backcast's energy-intensive sectors as the baseline
    scenario does (:meth:`Anchors.from_scenario`), an :class:`Anchors` gives them explicitly,
    False leaves every sector on the GDP path.
    """
    base = base if base is not None else load()
    prior = AgentParams.from_data(base, calibrated=False)  # fit from the priors, not the last fit
    model = TransitionModel(backcast_scenario(cities, n_firms, seed), base=base, params=prior)
    rec = pd.DataFrame(model.records).set_index("city_id").loc[model.city_ids]
    demand = rec["final_electricity_mwh"].to_numpy()
    safe = np.where(demand > 0, demand, 1.0)
    power_energy = (
        rec["power_fossil_tce"] + rec["nonfossil_primary_tce"] + rec["net_import_primary_tce"]
    ).to_numpy()
    bases, ratio = [], np.zeros((len(model.city_ids), 3))
    for i, cid in enumerate(model.city_ids):
        r = model.residual.get(cid, {v: ("fossil_final", 0.0) for v in ("energy", "coal", "co2")})
        bases.append({v: r[v][0] for v in ("energy", "coal", "co2")})
        ratio[i] = [r[v][1] for v in ("energy", "coal", "co2")]
    ratios = Ratios(
        energy_per_mwh=power_energy / safe,
        coal_per_mwh=rec["power_coal_tce"].to_numpy() / safe,
        co2_per_mwh=rec["co2_power_t"].to_numpy() / safe,
        residual_basis=bases,
        residual_ratio=ratio,
        power_fossil_per_mwh=rec["power_fossil_tce"].to_numpy() / safe,
    )
    zones = base.zones.set_index("zone_id")["approval_year"]
    approval = np.array(
        [
            float(zones.get(z, 9999)) if isinstance(z, str) else 9999.0
            for z in model.city_table["zone_id"].where(model.city_table["zone_id"].notna(), None)
        ]
    )
    periods = Periods.from_data(base)
    anchors = Anchors.from_scenario() if product_anchors is True else (product_anchors or None)
    product_pct = {}
    if anchors is not None:
        years = list(range(periods.start + 1, periods.end + 1))
        table = model.city_table[["city_id", "province"]].reset_index(drop=True)
        product_pct = product_growth(base, table, years, anchors.products, periods.end, anchors.scopes)
    return Reference(
        base=base,
        city_ids=list(model.city_ids),
        firms=copy.deepcopy(model.firms),
        profit_share=model.profit_share.copy(),
        prices=model.prices,
        factors=model.factors,
        discount_rate=model.planner.discount_rate,
        ratios=ratios,
        seed=seed,
        n_firms=n_firms,
        prior=prior,
        approval_year=approval,
        periods=periods,
        records_2020=rec.reset_index(),
        anchors=anchors,
        product_pct=product_pct,
    )


def observations(base: BaseYear, city_ids: list[str]) -> pd.DataFrame:
    """city_history as a wide table indexed by (city_id, year), with an estimate flag per variable."""
    h = base.city_history
    h = h[h["city_id"].isin(city_ids)]
    wide = h.pivot_table(index=["city_id", "year"], columns="variable", values="value")
    est = h.pivot_table(index=["city_id", "year"], columns="variable", values="estimate", aggfunc="max")
    wide = wide.join(est.astype(bool).add_suffix("_estimate"))
    return wide


class Backcast:
    """The model's firm rules from a constructed 2015 start; reduced-form city accounting.

    Composes the model's own :class:`~zonesim.year.firms.FirmBehaviour` (growth, mandated
    retirement, private retrofits, entry) with the rules of 2016-2020 and the 2015 start of
    the module docstring (no planner, no dispatch).
    """

    def __init__(self, ref: Reference, params: AgentParams, switch_pct: float = 0.0) -> None:
        self.ref = ref
        self.params = params
        self.switch_pct = switch_pct
        self.year = ref.periods.start
        self.city_ids = ref.city_ids
        self.cities = [CityStanding(has_status=False, extra_parks=False) for _ in ref.city_ids]
        self.firms = _start_2015(ref, params)
        path = history_path(ref.base, ref.city_ids, ref.periods.start, ref.periods.end)
        if ref.product_pct:  # anchored sectors follow realised output (module docstring, step 3)
            path = replace(path, product_pct=ref.product_pct)
        self.behaviour = FirmBehaviour(
            self.firms,
            params,
            np.random.default_rng(ref.seed + 2015),
            path,
            ref.prices,
            ref.factors,
            ref.discount_rate,
            ref.base.efficiency_programmes,
            profit_share=ref.profit_share.copy(),
            hold_anchored_output=bool(ref.product_pct),
        )
        self.rows: list[dict[str, float]] = []
        self._record()

    def rules(self) -> YearRules:
        """The rules of 2016-2020: the 13th FYP capacity cuts, reached linearly."""
        first, last = self.ref.periods.cut_years
        progress = min(max((self.year - first + 1) / (last - first + 1), 0.0), 1.0)
        return YearRules(retire_backward_share=self.ref.periods.cut_share * progress)

    def step(self) -> None:
        self.year += 1
        for i, c in enumerate(self.cities):
            c.has_status = self.year >= self.ref.approval_year[i]
        self.behaviour.decide(self.year, self.rules(), self.cities)
        if self.switch_pct > 0:
            f = self.firms
            k = CARRIER_INDEX["coal"]
            moved = f.intensity[:, k] * self.switch_pct / 100.0
            f.intensity[:, k] -= moved
            f.intensity[:, ELEC] += moved * self.params.electrification_mwh_per_tce
        self._record()

    def run(self) -> pd.DataFrame:
        while self.year < self.ref.periods.end:
            self.step()
        return pd.DataFrame(self.rows)

    def _record(self) -> None:
        for i, row in enumerate(accounts(self.firms, self.ref, len(self.cities))):
            self.rows.append({"city_id": self.city_ids[i], "year": self.year, **row})


def accounts(f: FirmPopulation, ref: Reference, n: int) -> list[dict[str, float]]:
    """Reduced-form city totals from firm state at the held 2020 ratios."""
    e = f.energy()
    by = np.stack([np.bincount(f.city, weights=e[:, k], minlength=n) for k in range(e.shape[1])], axis=1)
    va = f.output * f.alive * f.in_gdp
    gdp = np.bincount(f.city, weights=va, minlength=n)
    services = np.bincount(f.city, weights=va * (f.sector == SERVICES), minlength=n)
    fossil = by[:, FOSSIL].sum(axis=1)
    elec = by[:, ELEC]
    r = ref.ratios
    power_fossil = r.power_fossil_per_mwh * elec
    co2_final = sum(by[:, CARRIER_INDEX[c]] * ref.factors[c] for c in FUELS)
    out = []
    for i in range(n):
        basis = {"fossil_final": fossil[i], "power_fossil": power_fossil[i]}
        other = [
            r.residual_ratio[i, j] * basis[r.residual_basis[i][v]]
            for j, v in enumerate(("energy", "coal", "co2"))
        ]
        out.append(
            {
                "gdp": gdp[i],
                "tertiary_share": services[i] / gdp[i] if gdp[i] > 0 else np.nan,
                "energy_total": fossil[i] + r.energy_per_mwh[i] * elec[i] + other[0],
                "coal": by[i, CARRIER_INDEX["coal"]] + r.coal_per_mwh[i] * elec[i] + other[1],
                "co2": co2_final[i] + r.co2_per_mwh[i] * elec[i] + other[2],
                "electricity": elec[i],
                "fossil_final": fossil[i],
            }
        )
    return out


def _start_2015(ref: Reference, params: AgentParams) -> FirmPopulation:
    """The 2020 firms rescaled to 2015 GDP, tertiary share and energy (module docstring)."""
    f = copy.deepcopy(ref.firms)
    n = len(ref.city_ids)
    # hurdle rates were drawn as hurdle_mean x lognormal: rescale to the parameter's value
    f.hurdle *= params.hurdle_rate_mean / ref.prior.hurdle_rate_mean
    gdp15 = ref.base.history("gdp", ref.periods.start).reindex(ref.city_ids).to_numpy()
    ter15 = ref.base.history("tertiary_share", ref.periods.start).reindex(ref.city_ids).to_numpy()
    energy15 = ref.base.history("energy_total", ref.periods.start).reindex(ref.city_ids).to_numpy()
    va = f.output * f.in_gdp
    services = np.bincount(f.city, weights=va * (f.sector == SERVICES), minlength=n)
    industry = np.bincount(f.city, weights=va * np.isin(f.sector, INDUSTRY), minlength=n)
    s_serv = ter15 * gdp15 / np.where(services > 0, services, 1.0)
    s_ind = (1.0 - ter15) * gdp15 / np.where(industry > 0, industry, 1.0)
    scale = np.where(f.sector == SERVICES, s_serv[f.city], np.where(f.in_gdp, s_ind[f.city], 1.0))
    # households: activity index scaled with 2015 GDP relative to 2020
    gdp20 = np.bincount(f.city, weights=va, minlength=n)
    scale = np.where(f.sector == RESIDENTIAL, (gdp15 / gdp20)[f.city], scale)
    f.output = f.output * scale
    # one intensity factor per city: the reduced-form 2015 energy equals the data
    model15 = np.array([row["energy_total"] for row in accounts(f, ref, n)])
    k = energy15 / np.where(model15 > 0, model15, 1.0)
    f.intensity = f.intensity * k[f.city][:, None]
    return f


def run_backcast(ref: Reference, values: dict[str, float]) -> pd.DataFrame:
    """Backcast 2015-2020 with ``values`` overriding the prior (AgentParams fields and extras)."""
    values = dict(values)
    switch = values.pop("coal_electricity_switch_pct", EXTRA_PRIORS["coal_electricity_switch_pct"])
    params = replace(ref.prior, **values)
    out = Backcast(ref, params, switch_pct=switch).run()
    return out.set_index(["city_id", "year"])
