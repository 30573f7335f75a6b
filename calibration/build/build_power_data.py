# ruff: noqa: E501  (long citation strings)
"""Build the power-sector statistics tables of ``calibration/data/`` (issue 11).

Reads the hand-compiled, cited source lists in ``calibration/build/sources/`` and writes, to
the contract in ``model/data/schema.py``:

    utilisation_hours.csv, availability.csv, grid_emission_factors.csv,
    coal_prices_regional.csv, tariffs.csv

Every value in the source lists was read from the page or document named in its row; this
script only reshapes them, converts units (stated in each row's ``method``) and derives the
few estimates described in ``calibration/data/SOURCES-power.md`` (flagged ``estimate=true``).
It reads nothing outside this repository. Run:

    .venv/bin/python calibration/build/build_power_data.py [--out DIR]
"""

from __future__ import annotations

import argparse
import calendar
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
DEFAULT_OUT = HERE.parent / "data"

TCE_KCAL_PER_KG = 7000.0  # GB/T 2589-2020: 1 kgce = 7,000 kcal
ZONE_PROVINCES = (
    "LN", "JL", "NM", "HE", "SX", "SD", "AH", "HB", "HN", "CQ",
    "SC", "NX", "BJ", "HL", "JS", "JX", "HA", "GD", "GZ",
)  # fmt: skip
"""Provinces holding a zone member or associated city (cities.csv)."""

RELIABILITY_TRANSCRIPTION = (
    "provincial rows transcribed from Yumanlou/jinmeng-transition@eec3187 "
    "data/nea_power_reliability/nea_coal_unit_reliability_province_2018_2023.csv"
)


def _read(name: str) -> pd.DataFrame:
    return pd.read_csv(SOURCES / name, dtype={"province_code": str}, keep_default_na=False)


def _period_hours(year: int) -> float:
    return 8784.0 if calendar.isleap(year) else 8760.0


def _reliability() -> pd.DataFrame:
    rel = _read("nea_coal_unit_reliability_by_province.csv")
    reports = _read("nea_reliability_reports.csv").set_index("year")
    rel["source"] = [
        f"{reports.loc[y, 'report']} ({reports.loc[y, 'url']}), coal units by province; {RELIABILITY_TRANSCRIPTION}"
        for y in rel["year"]
    ]
    for col in ("utilisation_hours", "operating_hours", "standby_hours"):
        rel[col] = pd.to_numeric(rel[col].replace("", None))
    return rel


def build_utilisation_hours() -> pd.DataFrame:
    """National NEA figures and the NEA reliability-statistics coal-unit hours by province."""
    nat = _read("national_power_statistics.csv")
    nat["estimate"] = False
    nat["method"] = "as published"
    rows = [nat]
    rel = _reliability()
    for var, col in (
        ("coal_unit_utilisation_hours", "utilisation_hours"),
        ("coal_unit_operating_hours", "operating_hours"),
    ):
        part = rel[rel[col].notna()].copy()
        part["variable"] = var
        part["value"] = part[col]
        part["unit"] = "h"
        part["estimate"] = False
        part["method"] = [
            f"as published for the coal units in the NEA reliability statistics ({n} units, mean {c:g} MW); "
            + (
                "full-load equivalent hours = generation / capacity"
                if var == "coal_unit_utilisation_hours"
                else "hours in operation (not full-load hours); the report gives no utilisation hours for this year"
            )
            for n, c in zip(part["unit_count"], part["avg_capacity_mw"], strict=True)
        ]
        rows.append(part.rename(columns={"province": "region"}))
    cols = ["region", "year", "variable", "value", "unit", "source", "estimate", "method"]
    out = pd.concat([r[cols] for r in rows], ignore_index=True)
    return out.sort_values(["variable", "region", "year"]).reset_index(drop=True)


def build_availability() -> pd.DataFrame:
    """Coal-unit availability by province from NEA reliability hours; published nuclear factors."""
    rel = _reliability().dropna(subset=["operating_hours", "standby_hours"])
    rel = rel[rel["unit_count"] > 0].copy()
    rel["period"] = rel["year"].map(_period_hours)
    rel["avail"] = (rel["operating_hours"] + rel["standby_hours"]) / rel["period"]
    method = (
        "availability = (operating hours + reserve-standby hours) / period hours ({p:g} h); "
        "outage_share = 1 - availability = planned + unplanned outage hours / period hours (the "
        "report's split between planned and forced outages was not transcribed); partial "
        "derating is ignored, so this is an upper bound on the equivalent availability factor"
    )
    rows = []
    for r in rel.itertuples():
        for par, val in (("availability", r.avail), ("outage_share", 1.0 - r.avail)):
            rows.append(
                dict(
                    tech="coal",
                    region=r.province,
                    year=r.year,
                    season="annual",
                    parameter=par,
                    value=round(val, 4),
                    unit="fraction",
                    source=r.source,
                    estimate=True,
                    method=method.format(p=r.period),
                )
            )
    rel["weight"] = rel["unit_count"] * rel["avg_capacity_mw"]
    for year, grp in rel.groupby("year"):
        avail = float((grp["avail"] * grp["weight"]).sum() / grp["weight"].sum())
        src = grp["source"].iloc[0].replace(", coal units by province", ", coal units, all provinces")
        nat_method = (
            f"capacity-weighted mean (unit count x mean unit size) of the {len(grp)} provincial values; "
            + method.format(p=_period_hours(int(year)))
        )
        for par, val in (("availability", avail), ("outage_share", 1.0 - avail)):
            rows.append(
                dict(
                    tech="coal",
                    region="national",
                    year=int(year),
                    season="annual",
                    parameter=par,
                    value=round(val, 4),
                    unit="fraction",
                    source=src,
                    estimate=True,
                    method=nat_method,
                )
            )
    pub = _read("availability_published.csv")
    pub["season"] = "annual"
    pub["estimate"] = False
    pub["method"] = (
        "published unit capability factor (能力因子: available energy / reference energy) taken as availability"
    )
    out = pd.concat([pd.DataFrame(rows), pub], ignore_index=True)
    cols = ["tech", "region", "year", "season", "parameter", "value", "unit", "source", "estimate", "method"]
    return out[cols].sort_values(["tech", "region", "year", "parameter"]).reset_index(drop=True)


def build_grid_emission_factors() -> pd.DataFrame:
    """MEE/NBS national, regional and provincial factors, each province mapped to its regional grid."""
    pub = _read("grid_emission_factors_published.csv")
    pub["regional_grid"] = ""
    pub["estimate"] = False
    pub["method"] = "as published (kgCO2/kWh = tCO2/MWh)"
    regions = _read("grid_regions.csv").set_index("province_code")["regional_grid"]
    prov = _read("grid_emission_factors_provincial_2022.csv")
    prov["scope"] = "province"
    prov["region"] = prov["province_code"]
    prov["regional_grid"] = prov["province_code"].map(regions)
    prov["year"] = 2022
    prov["factor_type"] = "average"
    confirmed = prov["confirmed_by"] != ""
    prov["source"] = prov["source"] + prov["confirmed_by"].where(
        ~confirmed, "; confirmed by " + prov["confirmed_by"]
    )
    prov["estimate"] = ~confirmed
    grid_note = (
        "regional_grid: membership of the MEE/NBS regional factors as the conventional division "
        "(north: BJ TJ HE SX SD NM; northeast: LN JL HL; east: SH JS ZJ AH FJ; central: HA HB HN JX; "
        "southwest: SC CQ XZ; northwest: SN GS QH NX XJ; south: GD GX YN GZ HI), not read from the MEE "
        "calculation note; each published regional factor lies within its member provinces' range"
    )
    prov["method"] = [
        (
            "as published; "
            if c
            else "published value transcribed from a secondary copy, not checked against the MEE PDF; "
        )
        + grid_note
        for c in confirmed
    ]
    out = pd.concat([pub, prov], ignore_index=True)
    out["unit"] = "tCO2/MWh"
    cols = [
        "scope",
        "region",
        "regional_grid",
        "year",
        "factor_type",
        "value",
        "unit",
        "source",
        "estimate",
        "method",
    ]
    return out[cols].sort_values(["scope", "region", "year", "factor_type"]).reset_index(drop=True)


def _per_tce(value: float, kcal: float) -> float:
    return round(value * TCE_KCAL_PER_KG / kcal, 1)


def build_coal_prices_regional() -> pd.DataFrame:
    """Dated quotes and NDRC ranges as published, plus the 2020 annual and mine-mouth estimates."""
    q = _read("coal_price_quotes.csv")
    q["item"] = q["quote_id"]
    q["value"] = q["value_cny_per_t"].astype(float)
    q["calorific_kcal_per_kg"] = q["calorific_kcal_per_kg"].astype(float)
    q["region"] = q["province_code"]
    q["estimate"] = False
    q["method"] = [f"as published ({d}); nominal CNY" for d in q["date"]]
    rows = [q]

    # 2020 port annual: mean of the dated Qinhuangdao quotes (no published annual mean retrieved).
    qhd = q[q["item"].str.startswith("qhd_2020")]
    port_2020 = float(qhd["value"].mean())
    ids = ", ".join(qhd["item"])
    rows.append(
        pd.DataFrame(
            [
                dict(
                    item="qhd_2020_mean",
                    location="Qinhuangdao port",
                    region="HE",
                    basis="port_annual_estimate",
                    year=2020,
                    calorific_kcal_per_kg=5500.0,
                    value=round(port_2020, 1),
                    source="dated 2020 Qinhuangdao 5,500 kcal quotes, rows " + ids,
                    estimate=True,
                    method=f"mean of the {len(qhd)} dated 2020 spot quotes; quotes miss July-October, so not a true annual average; nominal CNY",
                )
            ]
        )
    )

    # NDRC 303 midpoints, and the 2020 mine-mouth estimate from the 303 port-mine spread.
    ndrc = q[q["basis"].isin(["ndrc_range_low", "ndrc_range_high"])].copy()
    ndrc["series"] = ndrc["item"].str.rsplit("_", n=1).str[0]
    mids = ndrc.groupby("series").agg(
        value=("value", "mean"),
        location=("location", "first"),
        region=("region", "first"),
        kcal=("calorific_kcal_per_kg", "first"),
        source=("source", "first"),
    )
    mid_rows = []
    qhd_mid = float(mids.loc["ndrc303_qhd", "value"])
    for series, m in mids.iterrows():
        mid_rows.append(
            dict(
                item=f"{series}_mid",
                location=m.location,
                region=m.region,
                basis="ndrc_range_mid",
                year=2022,
                calorific_kcal_per_kg=m.kcal,
                value=m.value,
                source=m.source,
                estimate=True,
                method="midpoint of the NDRC 303 reasonable range (a policy corridor for medium/long-term contracts from 1 May 2022, not a market price); nominal CNY",
            )
        )
        if series == "ndrc303_qhd" or m.kcal != 5500.0:
            continue
        spread = qhd_mid - float(m.value)
        mid_rows.append(
            dict(
                item=f"mine_mouth_2020_{m.region.lower()}",
                location=m.location,
                region=m.region,
                basis="mine_mouth_estimate",
                year=2020,
                calorific_kcal_per_kg=5500.0,
                value=round(port_2020 - spread, 1),
                source=f"{m.source}; 2020 port price: row qhd_2020_mean",
                estimate=True,
                method=(
                    f"2020 port mean {port_2020:.1f} CNY/t minus the port-to-mine spread implied by the NDRC 303 "
                    f"range midpoints (Qinhuangdao {qhd_mid:g} - this region {m.value:g} = {spread:g} CNY/t, i.e. rail "
                    "freight, handling and margin); assumes the 2022 policy spread held in 2020; no published 2020 "
                    "mine-mouth annual price was retrieved; nominal CNY"
                ),
            )
        )
    rows.append(pd.DataFrame(mid_rows))
    per_t = pd.concat(rows, ignore_index=True)
    per_t["unit"] = "CNY/t"
    per_tce = per_t.copy()
    per_tce["value"] = [
        _per_tce(v, k) for v, k in zip(per_t["value"], per_t["calorific_kcal_per_kg"], strict=True)
    ]
    per_tce["unit"] = "CNY/tce"
    per_tce["method"] = [
        f"{m}; converted CNY/t x 7000 / {k:g} (1 tce = 7,000 kcal; GB/T 2589-2020)"
        for m, k in zip(per_t["method"], per_t["calorific_kcal_per_kg"], strict=True)
    ]
    out = pd.concat([per_t, per_tce], ignore_index=True)
    cols = [
        "item",
        "location",
        "region",
        "basis",
        "year",
        "calorific_kcal_per_kg",
        "value",
        "unit",
        "source",
        "estimate",
        "method",
    ]
    return out[cols].sort_values(["year", "item", "unit"]).reset_index(drop=True)


def build_tariffs() -> pd.DataFrame:
    """Provincial coal benchmark tariffs (2020) and the national average."""
    t = _read("coal_benchmark_tariffs.csv")
    t["region"] = t["province_code"]
    t["item"] = "coal_benchmark"
    t["value"] = t["value_cny_per_kwh"].astype(float)
    t["unit"] = "CNY/kWh"
    t["estimate"] = t["estimate"].astype(str).str.lower() == "true"
    two_grids = t["region"].isin(["HE", "NM"])
    t["method"] = t["method"].where(t["estimate"], "as published")
    t.loc[two_grids, "method"] = (
        "as published; the province has two benchmark zones (冀北/冀南, 蒙西/蒙东) and the source table "
        "gives one value, kept here; the split was not retrieved"
    )
    nat = pd.DataFrame(
        [
            dict(
                region="national",
                year=2020,
                item="coal_benchmark",
                value=0.3736,
                unit="CNY/kWh",
                source="China Electricity Council, 适应新型电力系统的电价机制研究报告 (2022): average coal-fired base price 0.3736 CNY/kWh, as reported by Azure International, https://www.azure-international.com/corporate-net-zero-pathways-china-electricity-council-advocates-to-raise-the-coal-fired-base-price-by-16/",
                estimate=False,
                method="as published (national average of the provincial benchmarks; weighting not stated)",
            )
        ]
    )
    out = pd.concat([t, nat], ignore_index=True)
    cols = ["region", "year", "item", "value", "unit", "source", "estimate", "method"]
    return out[cols].sort_values(["region", "year"]).reset_index(drop=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    tables = {
        "utilisation_hours.csv": build_utilisation_hours(),
        "availability.csv": build_availability(),
        "grid_emission_factors.csv": build_grid_emission_factors(),
        "coal_prices_regional.csv": build_coal_prices_regional(),
        "tariffs.csv": build_tariffs(),
    }
    for name, df in tables.items():
        df.to_csv(args.out / name, index=False, lineterminator="\n")
        print(f"wrote {name}: {len(df)} rows")
    util = tables["utilisation_hours.csv"]
    zone = util[(util["variable"] == "coal_unit_utilisation_hours") & (util["year"] == 2020)]
    zone = zone[zone["region"].isin(ZONE_PROVINCES)]
    print("\n2020 coal-unit utilisation hours, zone provinces:")
    print(zone[["region", "value"]].to_string(index=False))


if __name__ == "__main__":
    main()
