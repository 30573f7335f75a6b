"""Macro drivers: each city's real GDP growth path, realised where published, then the outlook.

GDP is an input of the model, not behaviour (DESIGN.md, "Units and conventions"): firms'
sector growth redistributes the path's GDP among sectors (structural change as share shifts)
and never adds to it; a lever that removes output (retirement, curbs, exits) shows as a
deviation from the path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from zonesim.data import BaseYear
from zonesim.scenario import Scenario

REALISED_VARIABLE = "gdp_real_growth"
"""The variable of ``macro_realised.csv`` holding real GDP growth, % per year."""
SERIES_BREAK = "series break"
"""Marker in a ``product_output.csv`` level's basis: the level was reset (a statistical
correction), so its ratio to the year before is not output growth."""
INDUSTRY_VARIABLE = "industry_va_growth"
"""The variable of ``macro_realised.csv`` holding industrial value-added growth, % per year."""


@dataclass(frozen=True)
class GdpPath:
    """Real GDP growth per city and simulated year, with where each value came from."""

    years: tuple[int, ...]  # simulated years (after the base year)
    growth_pct: np.ndarray  # (cities, years), % per year
    origin: np.ndarray  # (cities, years): realised_city | realised_province | outlook_city | ...
    industry_pct: np.ndarray | None = None  # (cities, years) realised industrial VA growth, NaN: none
    product_pct: Mapping[str, np.ndarray] | None = None  # sector -> (cities, years) output growth, NaN: none

    def industry(self, year: int) -> np.ndarray:
        """Realised industrial value-added growth of ``year`` per city, fraction (NaN: none)."""
        n = self.growth_pct.shape[0]
        if self.industry_pct is None or not self.years[0] <= year <= self.years[-1]:
            return np.full(n, np.nan)
        return self.industry_pct[:, year - self.years[0]] / 100.0

    def product(self, year: int) -> dict[str, np.ndarray]:
        """Realised output growth of ``year`` per anchored sector and city, fraction (NaN: none)."""
        if not self.product_pct or not self.years[0] <= year <= self.years[-1]:
            return {}
        j = year - self.years[0]
        return {sector: g[:, j] / 100.0 for sector, g in self.product_pct.items()}

    def growth(self, year: int) -> np.ndarray:
        """Growth of ``year`` per city, fraction (the last year's beyond the horizon)."""
        i = min(max(year - self.years[0], 0), len(self.years) - 1)
        return self.growth_pct[:, i] / 100.0

    def ahead(self, year: int, n: int) -> np.ndarray:
        """Cumulative growth factors of the ``n`` years from ``year`` (1 for ``year`` itself),
        per city: shape (cities, n)."""
        g = np.stack([self.growth(year + k) for k in range(1, n)], axis=1) if n > 1 else None
        out = np.ones((self.growth_pct.shape[0], n))
        if g is not None:
            out[:, 1:] = np.cumprod(1.0 + g, axis=1)
        return out


def interpolate(path: Mapping[int, float], years: list[int]) -> np.ndarray:
    """A {year: value} path at ``years``: linear between the years given, flat outside."""
    xs = sorted(path)
    return np.interp(years, xs, [path[x] for x in xs])


def trend_growth(base: BaseYear, city_ids: tuple[str, ...], first: int, last: int) -> np.ndarray:
    """Each city's GDP growth ``first``-``last`` (CAGR from city_history), fraction per year."""
    gdp = base.history("gdp")
    out = []
    for cid in city_ids:
        g0, g1 = gdp.get((cid, first)), gdp.get((cid, last))
        out.append((g1 / g0) ** (1.0 / (last - first)) - 1.0 if g0 and g1 else 0.0)
    return np.array(out)


def realised(base: BaseYear, variable: str = REALISED_VARIABLE) -> pd.DataFrame:
    """Published real GDP growth (``macro_realised.csv``): columns scope, region, year, value (%),
    where region is a city id (scope city) or a province name (scope province)."""
    table = base.tables.get("macro_realised")
    if table is None:
        return pd.DataFrame(columns=["scope", "region", "year", "value"])
    rows = table[table["variable"] == variable]
    return rows[["scope", "region", "year", "value"]]


def gdp_path(base: BaseYear, scenario: Scenario, city_table: pd.DataFrame, trend: np.ndarray) -> GdpPath:
    """The scenario's GDP growth path per city (see :class:`zonesim.scenario.Macro`).

    Without a ``macro`` section every city grows at its 2015-2019 trend ``trend`` (fraction).
    """
    years = list(range(scenario.horizon.start_year + 1, scenario.horizon.end_year + 1))
    n = len(city_table)
    macro = scenario.macro
    if macro is None:
        growth = np.repeat(trend[:, None] * 100.0, len(years), axis=1)
        return GdpPath(tuple(years), growth, np.full((n, len(years)), "trend_2015_2019", dtype=object))
    growth = np.empty((n, len(years)))
    origin = np.empty((n, len(years)), dtype=object)
    industry = np.full((n, len(years)), np.nan)
    default = interpolate(macro.outlook_gdp_growth_pct, years)
    pub = realised(base).set_index(["scope", "region", "year"])["value"]
    ind = realised(base, INDUSTRY_VARIABLE).set_index(["scope", "region", "year"])["value"]
    codes, names = city_table["province_code"], city_table["province"]
    for i, (cid, prov, prov_name) in enumerate(zip(city_table["city_id"], codes, names, strict=True)):
        if cid in macro.city_gdp_growth_pct:
            out, kind = interpolate(macro.city_gdp_growth_pct[cid], years), "outlook_city"
        elif prov in macro.province_gdp_growth_pct:
            out, kind = interpolate(macro.province_gdp_growth_pct[prov], years), "outlook_province"
        else:
            out, kind = default, "outlook"
        growth[i], origin[i] = out, kind
        for j, y in enumerate(years):
            if macro.realised_through is None or y > macro.realised_through:
                continue
            keys = (("city", cid), ("province", prov_name), ("national", "China"))
            for key, label in zip(
                keys, ("realised_city", "realised_province", "realised_national"), strict=True
            ):
                if (*key, y) in pub.index:
                    growth[i, j], origin[i, j] = float(pub.loc[(*key, y)]), label
                    break
            # industry from the same level as GDP (a city's industry share of its own growth)
            key = keys[("realised_city", "realised_province", "realised_national").index(origin[i, j])]
            if (*key, y) in ind.index:
                industry[i, j] = float(ind.loc[(*key, y)])
    products = product_growth(
        base, city_table, years, macro.product_anchors, macro.realised_through, macro.product_anchor_scopes
    )
    return GdpPath(tuple(years), growth, origin, industry, products)


def product_growth(
    base: BaseYear,
    city_table: pd.DataFrame,
    years: list[int],
    anchors: Mapping[str, str],
    realised_through: int | None,
    scopes: Sequence[str] = ("city", "province", "national"),
) -> dict[str, np.ndarray]:
    """Per anchored sector: each city's realised output growth of its product, % per year.

    From ``product_output.csv`` at the first scope that has the year (the city, else its
    province, else the nation): the published growth rate (``percent y/y``, computed by NBS on
    the same enterprises in both years) where given, else the ratio of the year's level to the
    year before's, unless the year's level breaks the series (:data:`SERIES_BREAK` in its
    basis: a statistical level reset, not output); NaN where neither exists or after
    ``realised_through``.
    """
    if not anchors:
        return {}
    table = base.tables.get("product_output")
    if table is None:
        raise ValueError("product_output.csv: missing, but the scenario's macro.product_anchors need it")
    known = set(table["product"])
    is_rate = table["unit"] == "percent y/y"
    keys = list(
        zip(table["scope"], table["region"], table["product"], table["year"].astype(int), strict=True)
    )
    levels, rates = {}, {}
    for key, v, rate in zip(keys, table["value"].astype(float), is_rate, strict=True):
        (rates if rate else levels)[key] = v
    # a level whose basis says it breaks the series is not compared with the year before
    breaks = {k for k, b in zip(keys, table["basis"].astype(str), strict=True) if SERIES_BREAK in b}
    out = {}
    for sector, product in anchors.items():
        if product not in known:
            raise ValueError(
                f"scenario macro.product_anchors.{sector}: product {product!r} is not in "
                f"product_output.csv (expected one of {sorted(known)})"
            )
        g = np.full((len(city_table), len(years)), np.nan)
        for i, (cid, prov) in enumerate(zip(city_table["city_id"], city_table["province"], strict=True)):
            for j, y in enumerate(years):
                if realised_through is None or y > realised_through:
                    continue
                places = (("city", cid), ("province", prov), ("national", "China"))
                for scope, region in (pl for pl in places if pl[0] in scopes):
                    rate = rates.get((scope, region, product, y))
                    a = levels.get((scope, region, product, y - 1))
                    b = levels.get((scope, region, product, y))
                    if rate is not None:
                        g[i, j] = rate
                        break
                    if a and b and (scope, region, product, y) not in breaks:
                        g[i, j] = 100.0 * (b / a - 1.0)
                        break
        out[sector] = g
    return out


def history_path(base: BaseYear, city_ids: tuple[str, ...] | list[str], first: int, last: int) -> GdpPath:
    """Each city's realised GDP growth ``first``+1 .. ``last`` from city_history (the backcast's
    macro driver): growth of a year without data on both ends falls back to the city's CAGR."""
    years = list(range(first + 1, last + 1))
    levels = np.array(
        [base.history("gdp", y).reindex(list(city_ids)).to_numpy(float) for y in range(first, last + 1)]
    ).T  # (cities, years + 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        growth = 100.0 * (levels[:, 1:] / levels[:, :-1] - 1.0)
    cagr = 100.0 * trend_growth(base, tuple(city_ids), first, last)
    missing = ~np.isfinite(growth)
    growth[missing] = np.broadcast_to(cagr[:, None], growth.shape)[missing]
    origin = np.where(missing, "history_cagr", "history")
    return GdpPath(tuple(years), growth, origin.astype(object))
