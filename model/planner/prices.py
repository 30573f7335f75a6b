"""Coal prices and grid tariffs by province, as the city planners see them.

Where the power plants buy their coal decides what it costs: plants at the mine pay the
mine-mouth price, plants elsewhere the port price (the Qinhuangdao 5,500 kcal price, the
national marker), both from ``coal_prices_regional.csv``:

* **mine-mouth** where the table has a mine-mouth series for the province (``region`` =
  the province code): a 2020 estimate (``mine_mouth_estimate``: the 2020 port mean less the
  port-to-mine spread of the NDRC 303 ranges) and the NDRC 303 contract-range midpoint of
  the same place (``ndrc_range_mid``, in force from May 2022). Shanxi, Shaanxi and West
  Inner Mongolia have one; Ningxia and Guizhou have none (no published range or 2020
  mine-mouth price was found) and pay the port price.
* **port** elsewhere: the 2020 Qinhuangdao mean (``port_annual_estimate``) and the NDRC 303
  Qinhuangdao midpoint (2022).

Between the years given the price is linear, after the last one flat (the 303 corridor is
the policy in force to 2030). Electricity traded with the grid is priced at the province's
coal benchmark tariff (``tariffs.csv``, 燃煤发电基准价 2020, held flat: since October 2021 it is
the reference around which market prices float).

A scenario shifts both paths (``prices:`` in the scenario file, :class:`zonesim.scenario.Prices`):
``coal_price_change_pct`` and ``tariff_change_pct`` by year (linear between years, flat
outside), and ``coal_basis: national`` restores the single national coal path of
``prices.csv`` (the behaviour before the regional prices were read; prices.csv has no
provincial coal rows).

Units: CNY/tce and CNY/MWh here; the adapter converts to planner units.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from zonesim.scenario import Prices
from zonesim.units import KILO

PORT = "port"
MINE_MOUTH = "mine_mouth"
PORT_REGION = "HE"  # Qinhuangdao, the port of the national marker price
PORT_LOCATION = "Qinhuangdao"


@dataclass(frozen=True)
class CoalSeries:
    """A coal price path: where it applies, its basis and its (year, CNY/tce) points."""

    location: str
    basis: str  # PORT or MINE_MOUTH
    years: tuple[float, ...]
    values: tuple[float, ...]
    items: tuple[str, ...]  # rows of coal_prices_regional.csv it comes from

    def at(self, year: int) -> float:
        return float(np.interp(year, self.years, self.values))


def _per_tce(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["unit"] == "CNY/tce"]


def _series(rows: pd.DataFrame, basis: str, file: str = "coal_prices_regional.csv") -> CoalSeries:
    rows = rows.sort_values("year")
    if rows.empty or rows["year"].duplicated().any():
        raise ValueError(f"{file}: expected one CNY/tce row per year for a {basis} series, got {len(rows)}")
    return CoalSeries(
        location=str(rows["location"].iloc[-1]),
        basis=basis,
        years=tuple(rows["year"].astype(float)),
        values=tuple(rows["value"].astype(float)),
        items=tuple(rows["item"]),
    )


def coal_series(table: pd.DataFrame) -> dict[str, CoalSeries]:
    """The coal price path of each province with a mine-mouth series, and the port's (key ``port``).

    A mine-mouth path joins a province's ``mine_mouth_estimate`` row (2020) with the
    ``ndrc_range_mid`` row of the same location; the port path joins ``port_annual_estimate``
    (2020) with the Qinhuangdao ``ndrc_range_mid`` row.
    """
    t = _per_tce(table)
    mids = t[t["basis"] == "ndrc_range_mid"]
    out: dict[str, CoalSeries] = {}
    port_2020 = t[(t["basis"] == "port_annual_estimate") & (t["region"] == PORT_REGION)]
    port_mid = mids[(mids["region"] == PORT_REGION) & mids["location"].str.contains(PORT_LOCATION)]
    out[PORT] = _series(pd.concat([port_2020, port_mid]), PORT)
    for _, mm in t[t["basis"] == "mine_mouth_estimate"].iterrows():
        mid = mids[mids["location"] == mm["location"]]
        out[str(mm["region"])] = _series(pd.concat([mm.to_frame().T, mid]), MINE_MOUTH)
    return out


def tariffs(table: pd.DataFrame) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    """Coal benchmark tariff per region: (years, CNY/MWh), from tariffs.csv (CNY/kWh)."""
    t = table[table["item"] == "coal_benchmark"].sort_values("year")
    bad = t[t["unit"] != "CNY/kWh"]
    if not bad.empty:
        raise ValueError(f"tariffs.csv: unit {bad['unit'].iloc[0]!r}; expected 'CNY/kWh'")
    return {
        str(r): (tuple(g["year"].astype(float)), tuple(g["value"].astype(float) * KILO))
        for r, g in t.groupby("region")
    }


class _Tables:
    """The parsed price tables of one data version."""

    def __init__(self, base) -> None:
        self.coal = coal_series(base.tables["coal_prices_regional"])
        self.tariffs = tariffs(base.tables["tariffs"])
        pr = base.prices
        coal = pr[(pr["item"] == "coal") & (pr["region"] == "national")].sort_values("year")
        if coal.empty:
            raise KeyError("prices.csv: no national 'coal' price (needed by coal_basis: national)")
        self.national_coal = (coal["year"].to_numpy(float), coal["value"].to_numpy(float))


_TABLES: dict[tuple[int, int, int], _Tables] = {}


def _tables(base) -> _Tables:
    key = (id(base.tables["coal_prices_regional"]), id(base.tables["tariffs"]), id(base.tables["prices"]))
    out = _TABLES.get(key)
    if out is None:
        if len(_TABLES) >= 8:
            _TABLES.pop(next(iter(_TABLES)))
        out = _TABLES[key] = _Tables(base)
    return out


def change_factor(path_pct: Mapping[int, float] | None, years: Sequence[int]) -> tuple[float, ...]:
    """1 + the scenario's change (%) in each year: linear between the years given, flat outside."""
    if not path_pct:
        return (1.0,) * len(years)
    ys = sorted(path_pct)
    pct = [float(path_pct[y]) for y in ys]
    return tuple(1.0 + float(np.interp(y, ys, pct)) / 100.0 for y in years)


def coal_basis(base, province: str) -> CoalSeries:
    """The coal price path the province's plants pay: its mine-mouth path, else the port's."""
    coal = _tables(base).coal
    return coal.get(province, coal[PORT])


def coal_price(
    base, province: str, years: Sequence[int], settings: Prices | None = None
) -> tuple[float, ...]:
    """Coal price paid by the province's plants, CNY/tce per year (see the module docstring).

    ``settings``: the scenario's :class:`zonesim.scenario.Prices` (None: the data's path).
    """
    if settings is not None and settings.coal_basis == "national":
        path = tuple(float(np.interp(y, *_tables(base).national_coal)) for y in years)
    else:
        s = coal_basis(base, province)
        path = tuple(s.at(y) for y in years)
    f = change_factor(settings.coal_price_change_pct if settings is not None else None, years)
    return tuple(p * k for p, k in zip(path, f, strict=True))


def tariff(base, province: str, years: Sequence[int], settings: Prices | None = None) -> tuple[float, ...]:
    """Price of electricity traded with the grid, CNY/MWh per year: the province's coal
    benchmark tariff (else the national average), times the scenario's change."""
    t = _tables(base).tariffs
    series = t.get(province) or t.get("national")
    if series is None:
        raise KeyError(f"tariffs.csv: no coal_benchmark for {province!r} and no national row")
    f = change_factor(settings.tariff_change_pct if settings is not None else None, years)
    return tuple(float(np.interp(y, *series)) * k for y, k in zip(years, f, strict=True))


def table(
    base, provinces: Sequence[str], years: Sequence[int], settings: Prices | None = None
) -> pd.DataFrame:
    """Coal price and tariff per province and year, with the coal basis (for reports)."""
    rows = []
    for prov in provinces:
        s = coal_basis(base, prov)
        coal = coal_price(base, prov, years, settings)
        tar = tariff(base, prov, years, settings)
        for y, c, t in zip(years, coal, tar, strict=True):
            rows.append(
                {
                    "province": prov,
                    "year": y,
                    "coal_basis": "national" if settings and settings.coal_basis == "national" else s.basis,
                    "coal_location": s.location,
                    "coal_cny_per_tce": c,
                    "tariff_cny_per_mwh": t,
                }
            )
    return pd.DataFrame(rows)
