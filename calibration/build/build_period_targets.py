# ruff: noqa: E501  (long citation strings)
"""Build the five-year-period tables of ``calibration/data/``: targets by period, the national
CO2-intensity reference, and national ETS coverage, prices and benchmarks.

Reads the hand-compiled source lists in ``calibration/build/sources/`` (one cited value per
row) and two compiled tables already shipped (``targets.csv``, ``city_targets.csv``, whose
2021-2025 rows are carried over), and writes, to the contract in ``model/data/schema.py``:

    period_targets.csv        targets keyed by period (2021-2025, 2026-2030), national,
                              provincial and resolved per city
    co2_intensity_reference.csv  published national CO2-intensity series and the 2030
                              commitment converted to a 2020 and a 2025 base
    ets_coverage.csv          national ETS coverage and allocation by sector and year
    ets_prices.csv            observed allowance prices and the default price path
    ets_benchmarks.csv        free-allocation benchmarks where found

Everything after 2025 that no publication states is written as a flagged scenario
assumption (``estimate = true`` and a ``method`` saying what was assumed). Run:

    .venv/bin/python calibration/build/build_period_targets.py [--out DIR]
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DATA = HERE.parent / "data"

PERIODS = {"2021-2025": (2021, 2025), "2026-2030": (2026, 2030)}
HORIZON_END = 2030

# 2021-2025 indicators of targets.csv carried over, and their name in period_targets.csv.
CARRIED_INDICATORS = {
    "energy_intensity_reduction": "energy_intensity_reduction",
    "co2_intensity_reduction": "co2_intensity_reduction",
    "non_fossil_share_of_energy_consumption": "non_fossil_share",
    "coal_share_of_energy_consumption": "coal_share",
    "energy_intensity_annual_target": "energy_intensity_reduction",
}
# Units of targets.csv rewritten to the period table's vocabulary.
CARRIED_UNITS = {
    "% (about)": "percent of energy consumption (about)",
    "% y/y": "percent vs base_year (about)",
}
# Indicators each city receives for 2026-2030 (resolved city, else province, else national).
CITY_INDICATORS_2030 = (
    ("co2_intensity_reduction", 2025),
    ("total_co2_reduction", 2025),
    ("non_fossil_share", None),
)

PERIOD_COLUMNS = [
    "period",
    "scope",
    "region",
    "indicator",
    "value",
    "unit",
    "base_year",
    "target_year",
    "qualifier",
    "resolved_from",
    "source",
    "estimate",
    "method",
]


def _qualifier_2021(row: pd.Series) -> str:
    """Binding / guiding / annual label of a carried-over targets.csv row, from its method text."""
    method = str(row["method"])
    if "annual target" in method:
        return "annual"
    if row["indicator"] in ("energy_intensity_reduction", "co2_intensity_reduction"):
        return "binding"
    return "guiding"


def _period_of(target_year: int) -> str:
    for name, (first, last) in PERIODS.items():
        if first <= target_year <= last:
            return name
    raise ValueError(f"target year {target_year} lies in no period {list(PERIODS)}")


def carried_rows(data: Path) -> pd.DataFrame:
    """2021-2025 rows of targets.csv (national, province) and city_targets.csv (every city)."""
    found = pd.read_csv(data / "targets.csv", dtype={"base_year": "Int64"})
    found = found[found["indicator"].isin(CARRIED_INDICATORS) & found["scope"].isin(["national", "province"])]
    found = found[found["target_year"].between(*PERIODS["2021-2025"])].copy()
    found["qualifier"] = found.apply(_qualifier_2021, axis=1)
    annual = found["indicator"] == "energy_intensity_annual_target"
    found.loc[annual, "base_year"] = found.loc[annual, "target_year"] - 1
    found["indicator"] = found["indicator"].map(CARRIED_INDICATORS)
    found["unit"] = found["unit"].replace(CARRIED_UNITS)
    found["resolved_from"] = None
    found["method"] = ("carried over from targets.csv; " + found["method"].fillna("")).str.rstrip("; ")

    city = pd.read_csv(data / "city_targets.csv", dtype={"base_year": "Int64"})
    city = city.rename(columns={"city_id": "region"})
    city["scope"] = "city"
    city["unit"] = "percent vs base_year"
    city["qualifier"] = "binding"
    city["method"] = "carried over from city_targets.csv; " + city["method"].fillna("")
    rows = pd.concat([found, city], ignore_index=True)
    rows["period"] = "2021-2025"
    return rows[PERIOD_COLUMNS]


def resolved_city_rows_2030(published: pd.DataFrame, cities: pd.DataFrame) -> pd.DataFrame:
    """Each city's 2026-2030 target per indicator: its own, else its province's, else national."""
    pub = published[published["period"] == "2026-2030"]
    out = []
    for city in cities.itertuples():
        for indicator, base_year in CITY_INDICATORS_2030:
            sel = pub[(pub["indicator"] == indicator) & (pub["target_year"] == HORIZON_END)]
            if base_year is not None:
                sel = sel[sel["base_year"] == base_year]
            for scope, region in (("city", city.city_id), ("province", city.province), ("national", "China")):
                hit = sel[(sel["scope"] == scope) & (sel["region"] == region)]
                if not hit.empty:
                    break
            else:
                raise ValueError(f"no national 2026-2030 row for {indicator} in period_targets_sources.csv")
            src = hit.iloc[0]
            if scope == "city":
                method, estimate = "city's own target", bool(src["estimate"])
            elif scope == "province":
                method, estimate = f"provincial target of {region} applied to the city", bool(src["estimate"])
            else:
                method = (
                    "scenario assumption: no provincial or city 15th-FYP figure found; the national "
                    "figure is applied to the city"
                )
                if bool(src["estimate"]):
                    method += f" (the national figure is itself an assumption: {src['method']})"
                estimate = True
            out.append(
                {
                    "period": "2026-2030",
                    "scope": "city",
                    "region": city.city_id,
                    "indicator": indicator,
                    "value": src["value"],
                    "unit": src["unit"],
                    "base_year": src["base_year"],
                    "target_year": src["target_year"],
                    "qualifier": src["qualifier"],
                    "resolved_from": scope,
                    "source": src["source"],
                    "estimate": estimate,
                    "method": method,
                }
            )
    return pd.DataFrame(out, columns=PERIOD_COLUMNS)


def build_period_targets(data: Path) -> pd.DataFrame:
    """Carried-over 2021-2025 rows, the hand-compiled rows, and the resolved 2026-2030 city rows."""
    hand = pd.read_csv(SOURCES / "period_targets_sources.csv", dtype={"base_year": "Int64"})
    for row in hand.itertuples():
        if _period_of(int(row.target_year)) != row.period:
            raise ValueError(
                f"period_targets_sources.csv: {row.indicator} {row.target_year} is not in {row.period}"
            )
    hand["resolved_from"] = None
    cities = pd.read_csv(data / "cities.csv", usecols=["city_id", "province"])
    out = pd.concat(
        [carried_rows(data), hand[PERIOD_COLUMNS], resolved_city_rows_2030(hand, cities)], ignore_index=True
    )
    out["estimate"] = out["estimate"].map(lambda v: "true" if str(v).lower() == "true" else "false")
    return out.sort_values(["period", "scope", "region", "indicator", "target_year"], kind="stable")


def _index(change_percent: float) -> float:
    return 1.0 + change_percent / 100.0


def build_co2_intensity_reference() -> pd.DataFrame:
    """Published national series plus three derived rows: the chained 2021-2025 change and the
    2030 commitment (-65 % vs 2005) restated against 2020 and against 2025."""
    ref = pd.read_csv(SOURCES / "co2_intensity_reference_sources.csv", dtype={"base_year": "Int64"})
    yoy = ref[(ref["indicator"] == "co2_intensity_change") & (ref["base_year"] == ref["year"] - 1)]
    yoy = yoy.set_index("year")["value"]
    years = list(range(2021, 2026))
    missing = [y for y in years if y not in yoy.index]
    if missing:
        raise ValueError(f"co2_intensity_reference_sources.csv lacks year-on-year changes for {missing}")
    chained = math.prod(_index(yoy[y]) for y in years)
    vs2005_2020 = ref[
        (ref["indicator"] == "co2_intensity_change") & (ref["year"] == 2020) & (ref["base_year"] == 2005)
    ]
    i2020 = _index(float(vs2005_2020["value"].iloc[0]))
    commitment = pd.read_csv(SOURCES / "period_targets_sources.csv")
    ndc = commitment[
        (commitment["indicator"] == "co2_intensity_reduction") & (commitment["base_year"] == 2005)
    ]
    i2030 = 1.0 - float(ndc["value"].iloc[0]) / 100.0
    yoy_text = ", ".join(f"{y}: {yoy[y]:+.1f}" for y in years)
    derived = [
        {
            "indicator": "co2_intensity_change_chained",
            "year": 2025,
            "base_year": 2020,
            "value": round((chained - 1.0) * 100.0, 2),
            "unit": "percent vs base_year",
            "source": "derived from the year-on-year rows of this table (NBS communiques; 2023 secondary)",
            "estimate": "true",
            "method": f"product of the published year-on-year changes ({yoy_text} %); the 2023 value is secondary",
        },
        {
            "indicator": "co2_intensity_change_chained",
            "year": 2025,
            "base_year": 2005,
            "value": round((i2020 * chained - 1.0) * 100.0, 2),
            "unit": "percent vs base_year",
            "source": "derived from the 2020-vs-2005 row (SCIO 2021) and the 2021-2025 year-on-year rows",
            "estimate": "true",
            "method": f"(1 - 0.484) x chained 2021-2025 index {chained:.4f}; GDP revisions after 2020 not applied",
        },
        {
            "indicator": "co2_intensity_change_required",
            "year": 2030,
            "base_year": 2020,
            "value": round((i2030 / i2020 - 1.0) * 100.0, 2),
            "unit": "percent vs base_year",
            "source": "derived: 2030 commitment (国发〔2021〕23号, -65% vs 2005) and SCIO 2021 (-48.4% by 2020)",
            "estimate": "true",
            "method": "(1 - 0.65) / (1 - 0.484) - 1: the least cut from 2020 that meets 'more than 65% below 2005'",
        },
        {
            "indicator": "co2_intensity_change_required",
            "year": 2030,
            "base_year": 2025,
            "value": round((i2030 / (i2020 * chained) - 1.0) * 100.0, 2),
            "unit": "percent vs base_year",
            "source": "derived: 2030 commitment, SCIO 2021 and the chained 2021-2025 changes of this table",
            "estimate": "true",
            "method": (
                f"(1 - 0.65) / ((1 - 0.484) x {chained:.4f}) - 1; compare the 15th-FYP target of -17% "
                "(period_targets.csv): on these published figures it leaves 2030 short of -65% vs 2005"
            ),
        },
    ]
    return pd.concat([ref, pd.DataFrame(derived)], ignore_index=True)


def build_ets_coverage() -> pd.DataFrame:
    """Observed coverage 2021-2025 and, to 2030, the last observed rule carried forward (assumption)."""
    cov = pd.read_csv(SOURCES / "ets_coverage_sources.csv", dtype=str, keep_default_na=False)
    rows = [cov]
    for _sector, grp in cov.groupby("sector", sort=False):
        last = grp.sort_values("year").iloc[-1]
        for year in range(int(last["year"]) + 1, HORIZON_END + 1):
            row = last.copy()
            row["year"] = str(year)
            row["note"] = ""
            row["estimate"] = "true"
            row["source"] = (
                "scenario assumption; context: 中办国办《关于推进绿色低碳转型加强全国碳市场建设的意见》 (Aug 2025): "
                "by 2027 cover the main industrial emitting sectors, by 2030 cap-based with free and paid "
                "allocation — https://staging.reportify.cn/tags/concept?page=15&tagValue=%E7%A2%B3%E8%BE%BE%E5%B3%B0%E7%A2%B3%E4%B8%AD%E5%92%8C"
            )
            row["method"] = (
                f"no allocation plan published after {last['year']}: the {last['year']} coverage and allocation "
                f"({'covered' if last['covered'] == 'true' else 'not covered'}, {last['allocation']}) carried forward"
            )
            rows.append(row.to_frame().T)
    out = pd.concat(rows, ignore_index=True)
    out["year"] = out["year"].astype(int)
    return out.sort_values(["sector", "year"], kind="stable")


def build_ets_prices() -> pd.DataFrame:
    """Observed prices and volumes, the 2024 average derived from turnover and volume, and the
    default price path: observed annual averages 2021-2025, then the 2025 average held flat."""
    prices = pd.read_csv(SOURCES / "ets_prices_sources.csv")
    have = set(zip(prices["year"], prices["variable"], strict=True))
    derived = []
    for year in sorted(prices["year"].unique()):
        if (year, "average_price") in have:
            continue
        vol = prices[(prices["year"] == year) & (prices["variable"] == "traded_volume")]["value"]
        turn = prices[(prices["year"] == year) & (prices["variable"] == "turnover")]["value"]
        if vol.empty or turn.empty:
            continue
        derived.append(
            {
                "year": year,
                "variable": "average_price",
                "value": round(float(turn.iloc[0]) * 1e3 / float(vol.iloc[0]), 2),
                "unit": "CNY/t (nominal)",
                "source": "derived from the turnover and traded_volume rows of the same year",
                "estimate": "false",
                "method": "annual turnover / annual traded volume (both published); volume has 3 significant figures",
            }
        )
    prices = pd.concat([prices, pd.DataFrame(derived)], ignore_index=True)
    avg = prices[prices["variable"] == "average_price"].set_index("year")
    last_year = int(avg.index.max())
    path = []
    for year in range(2021, HORIZON_END + 1):
        if year in avg.index:
            path.append(
                {
                    "year": year,
                    "variable": "default_price_path",
                    "value": float(avg.loc[year, "value"]),
                    "unit": "CNY/t (nominal)",
                    "source": avg.loc[year, "source"],
                    "estimate": avg.loc[year, "estimate"],
                    "method": f"observed annual average price of {year}",
                }
            )
        else:
            path.append(
                {
                    "year": year,
                    "variable": "default_price_path",
                    "value": float(avg.loc[last_year, "value"]),
                    "unit": "CNY/t (nominal)",
                    "source": "scenario assumption (no published forward price)",
                    "estimate": "true",
                    "method": f"the {last_year} annual average held flat in nominal terms; a scenario input, not a forecast",
                }
            )
    out = pd.concat([prices, pd.DataFrame(path)], ignore_index=True)
    out["estimate"] = out["estimate"].map(lambda v: "true" if str(v).lower() == "true" else "false")
    return out.sort_values(["variable", "year"], kind="stable")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DATA, help="output folder (default calibration/data)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tables = {
        "period_targets.csv": build_period_targets(DATA),
        "co2_intensity_reference.csv": build_co2_intensity_reference(),
        "ets_coverage.csv": build_ets_coverage(),
        "ets_prices.csv": build_ets_prices(),
        "ets_benchmarks.csv": pd.read_csv(SOURCES / "ets_benchmarks_sources.csv"),
    }
    for name, df in tables.items():
        df.to_csv(args.out / name, index=False, lineterminator="\n")
        print(f"wrote {args.out / name}: {len(df)} rows")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
