# ruff: noqa: E501  (long citation strings)
"""prices.csv, emission_factors.csv and constants.csv: fuel and grid-import prices, CO2
factors of fuels and provincial grids, conversion constants.

Part of the supply build (``build_supply.py``). Hand-compiled inputs: coal benchmark
tariffs, coal price quotes, provincial gas city-gate prices, grid and IPCC emission factors
and the constants, each a list in ``sources/`` with its unit and source.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
from common import SOURCES, cite, const, finish, row, source

TCE_GJ = const("tce_gj")
MWH_TH_PER_TCE = const("mwh_th_per_tce")
EUR_CNY_2020 = const("eur_cny", 2020)
COAL_KCAL_PER_KG = const("coal_port_grade_kcal_per_kg")
TCE_KCAL_PER_KG = const("tce_kcal_per_kg")
GAS_KGCE_PER_M3 = const("gas_kgce_per_m3")


def _coal_cny_tce(cny_t: float) -> float:
    return cny_t * TCE_KCAL_PER_KG / COAL_KCAL_PER_KG


def build_prices(raw: Path) -> pd.DataFrame:
    rows = []
    # --- coal: Chinese port price (2020) and policy contract range (2025)
    quotes = source("supply_coal_price_quotes")
    quotes = list(quotes[["date", "value", "source"]].itertuples(index=False, name=None))
    q = [v for _, v, _ in quotes]
    c2020 = sum(q) / len(q)
    rows.append(
        row(
            item="coal",
            region="national",
            year=2020,
            value=round(_coal_cny_tce(c2020), 1),
            unit="CNY2020/tce",
            source="Qinhuangdao 5,500 kcal/kg thermal-coal spot quotes, 2020: "
            + "; ".join(f"{d} {v} CNY/t ({s})" for d, v, s in quotes),
            estimate=True,
            method=(
                f"mean of the {len(q)} dated 2020 spot quotes = {c2020:.1f} CNY/t (5,500 kcal/kg) x 7000/5500 "
                "(1 tce = 7,000 kcal) ; no published 2020 annual average was retrieved (quotes miss Jul-Oct and "
                "over-weight the December spike and the May trough equally); port (FOB north-port) price, "
                "excludes rail/sea freight to inland plants"
            ),
        )
    )
    lo, hi = int(const("coal_contract_price_low", 2022)), int(const("coal_contract_price_high", 2022))
    mid = (lo + hi) / 2
    rows.append(
        row(
            item="coal",
            region="national",
            year=2025,
            value=round(_coal_cny_tce(mid), 1),
            unit="CNY2020/tce",
            source=(
                "NDRC 关于进一步完善煤炭市场价格形成机制的通知 (发改价格〔2022〕303号): reasonable range of the "
                f"medium/long-term contract price of Qinhuangdao 5,500 kcal 下水煤 {lo}-{hi} CNY/t, "
                f"{cite('coal_contract_2022')}; also Reuters 2022-02-24, {cite('coal_contract_2022_reuters')}"
            ),
            estimate=True,
            method=(
                f"policy benchmark, not a market price: midpoint of the range = {mid:.0f} CNY/t x 7000/5500; "
                "nominal 2022 CNY, NOT deflated to 2020 (no deflator sourced in this build); the 675 CNY/t "
                "long-term-contract base price could not be retrieved with a citable address"
            ),
        )
    )
    # --- gas, oil: PyPSA-China-PIK international markers (no Chinese price retrieved)
    fuel_src = "PyPSA-China-PIK default costs costs_{y}.csv, parameter 'fuel' (source there: {s}) (pik-piam/PyPSA-China-PIK@25c83bf)"
    for y in (2020, 2025):
        pc = pd.read_csv(raw / f"pypsa_china_pik_costs_{y}.csv").set_index(["technology", "parameter"])
        for item in ("gas", "oil"):
            r = pc.loc[(item, "fuel")]
            eur_mwh = float(r["value"])
            cny_tce = eur_mwh * MWH_TH_PER_TCE * EUR_CNY_2020
            rows.append(
                row(
                    item=item,
                    region="national",
                    year=y,
                    value=round(cny_tce, 1),
                    unit="CNY2020/tce",
                    source=fuel_src.format(y=y, s=r["source"]),
                    estimate=True,
                    method=(
                        f"{eur_mwh} EUR/MWh_th x {MWH_TH_PER_TCE:.3f} MWh/tce x {EUR_CNY_2020} CNY/EUR; an international "
                        "marker price used as proxy for China's delivered price "
                        + (
                            "(benchmark city-gate prices were found for a few provinces only, given as their own "
                            "rows; the other provinces fall back on this marker)"
                            if item == "gas"
                            else "(no citable Chinese city-gate or industrial price retrieved)"
                        )
                        + "; same value in the 2025 file"
                    ),
                )
            )
    # --- gas by province: NDRC benchmark city-gate prices (2019 table, non-residential)
    for g in source("supply_gas_city_gate_prices").itertuples():
        if g.unit != "CNY/m3":
            raise ValueError(
                f"sources/supply_gas_city_gate_prices.csv: unit must be CNY/m3, found {g.unit!r}"
            )
        rows.append(
            row(
                item="gas",
                region=g.region,
                year=int(g.year),
                value=round(g.value / (GAS_KGCE_PER_M3 / 1000), 1),
                unit="CNY2020/tce",
                source=g.source,
                estimate=bool(g.estimate),
                method=(
                    f"{g.method}; benchmark city-gate price (门站价格) {g.value} CNY/m3 / {GAS_KGCE_PER_M3} kgce/m3; "
                    "the wholesale benchmark: suppliers could charge up to 20 % above it (down without limit) and "
                    "provincial pipeline tariffs come on top, so a power plant's delivered price is higher; "
                    f"nominal {int(g.year)} CNY taken as CNY2020 (no deflator in this build)"
                ),
            )
        )
    for t in source("supply_coal_benchmark_tariffs").itertuples():
        current = t.table == "2020"
        rows.append(
            row(
                item="grid_import",
                region=t.region,
                year=2020,
                value=round(t.value * 1000, 1),
                unit="CNY2020/MWh",
                source=t.source + "; benchmark = 2020 燃煤发电基准价 per NDRC 发改价格规〔2019〕1658号"
                if current
                else t.source,
                estimate=bool(t.estimate),
                method=(
                    "CNY/kWh x 1000; on-grid (wholesale) coal benchmark used as the price of grid imports; Hebei and Inner Mongolia single values cover two grids each"
                    if current
                    else "pre-July-2017 tariff used as proxy for the 2020 benchmark (not in the newer table found); CNY/kWh x 1000"
                ),
            )
        )
    return finish(rows, ["item", "region", "year", "value", "unit"])


def build_emission_factors() -> pd.DataFrame:
    rows = []
    ipcc = source("ipcc_emission_factors").dropna(subset=["emission_item"])
    for item, kg_tj, label in ipcc[["emission_item", "value", "ipcc_fuel"]].itertuples(index=False):
        kg_tj = float(kg_tj)
        rows.append(
            row(
                item=item,
                value=round(kg_tj * TCE_GJ / 1e6, 4),
                unit="tCO2/tce",
                source="IPCC 2006 Guidelines for National GHG Inventories, Vol. 2 Energy, ch. 1, Table 1.4 (default EF)",
                estimate=False,
                method=(
                    f"{label} {kg_tj:.0f} kgCO2/TJ x {TCE_GJ} GJ/tce, oxidation factor 1; Chinese coal measured "
                    "factors can be lower (Liu et al. 2015 Nature 524:335)"
                ),
            )
        )
    grid = source("grid_emission_factors")
    national = grid["region"] == "national"
    for code, v, mee in grid.loc[~national, ["region", "value", "source"]].itertuples(index=False):
        rows.append(
            row(
                item=f"grid:{code}",
                value=v,
                unit="tCO2/MWh",
                source=mee,
                estimate=True,
                method=(
                    "2022 provincial average factor used for the 2020 base year (no 2020 provincial set found); "
                    "values transcribed from a secondary copy, not checked against the MEE PDF"
                ),
            )
        )
    rows.append(
        row(
            item="grid:national",
            value=float(grid.loc[national, "value"].iloc[0]),
            unit="tCO2/MWh",
            source=str(grid.loc[national, "source"].iloc[0]),
            estimate=True,
            method="2022 national average factor used for the 2020 base year; secondary copies disagree on the year label (0.5568 vs 0.5366 for 2021/2022)",
        )
    )
    return finish(rows, ["item", "value", "unit"])


def build_constants() -> str:
    """The rows of ``sources/constants.csv`` flagged ``compiled``, as text, each line exactly as
    written there without its last field (so hand-edited quoting survives byte for byte)."""
    text = (SOURCES / "constants.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    header = "name,year,value,unit,source,estimate,method,compiled"
    if lines[0] != header:
        raise ValueError(f"sources/constants.csv: header must be {header!r}, found {lines[0]!r}")
    out = [header.removesuffix(",compiled")]
    for n, (line, fields) in enumerate(zip(lines[1:], csv.reader(lines[1:]), strict=True), start=2):
        flag = fields[-1]
        if flag not in ("true", "false") or not line.endswith("," + flag):
            raise ValueError(
                f"sources/constants.csv line {n}: 'compiled' must be true or false, found {flag!r}"
            )
        if flag == "true":
            out.append(line.removesuffix(",true"))
    return "\n".join(out) + "\n"
