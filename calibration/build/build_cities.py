"""Build zones.csv, cities.csv, city_history.csv and industry.csv.

Run from the repository root:

    .venv/bin/python calibration/build/build_cities.py [--raw DIR] [--out DIR]

Reads ../shared/data/raw/* (build time only; the model never reads ../shared) and the source
lists in calibration/build/sources/, and writes calibration/data/{zones,cities,city_history,
industry}.csv to the contract in model/data/schema.py, one module per table family:

    build_zones.py     zones.csv, cities.csv
    build_history.py   city_history.csv
    build_industry.py  industry.csv

(``city_inputs.py`` holds what they share). Methods, assumptions and sources:
calibration/data/SOURCES-cities.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from build_history import energy_history, provincial_energy, socio_history, subcity_shares
from build_industry import build_industry
from build_zones import build_cities, build_zones
from city_inputs import TCE_PER_MWH_COAL_EQ, TCE_PER_T_RAW_COAL, read_inputs
from common import arguments


def build(raw: Path) -> dict[str, pd.DataFrame]:
    """The four city tables by name, plus the checks printed by ``main`` (``_checks`` etc.)."""
    r = read_inputs(raw)
    zones = build_zones(r)
    cities = build_cities(r)
    shares = subcity_shares(r)
    socio_rows, socio = socio_history(r, shares)
    prov = provincial_energy(r)
    en_rows, res = energy_history(r, prov, socio, shares, cities)
    hist = pd.concat([socio_rows, en_rows], ignore_index=True)
    hist = hist.sort_values(["city_id", "year", "variable"]).reset_index(drop=True)
    industry, checks = build_industry(r, prov, socio, res, cities)
    return {
        "zones": zones,
        "cities": cities,
        "city_history": hist,
        "industry": industry,
        "_checks": checks,
        "_shares": shares,
        "_prov": prov,
    }


def write(out: Path, t: dict) -> None:
    """The four tables, as the model reads them (number formats fixed here)."""
    out.mkdir(parents=True, exist_ok=True)
    t["zones"].to_csv(out / "zones.csv", index=False)
    t["cities"].to_csv(out / "cities.csv", index=False)
    t["city_history"].to_csv(out / "city_history.csv", index=False, float_format="%.10g")
    t["industry"].to_csv(out / "industry.csv", index=False, float_format="%.8g")


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__.splitlines()[0], argv)
    t = build(args.raw)
    write(args.out, t)
    hist, cities, checks = t["city_history"], t["cities"], t["_checks"]
    shares, prov = t["_shares"], t["_prov"]

    # ---- check table
    pd.set_option("display.width", 200)
    pd.set_option("display.max_rows", 200)
    w = hist[hist.year == 2020].pivot_table(index="city_id", columns="variable", values="value")
    w["intensity_tce_per_10kCNY"] = w.energy_total / (w.gdp * 1e5)
    w["co2_per_tce"] = w.co2 / w.energy_total
    w["coal_share"] = w.coal / w.energy_total
    w["MWh_per_capita"] = w.electricity / (w.population * 1e4)
    zmap = dict(zip(cities.city_id, cities.zone_id, strict=True))
    w.insert(0, "zone", w.index.map(zmap))
    cols = [
        "zone",
        "gdp",
        "population",
        "energy_total",
        "co2",
        "electricity",
        "intensity_tce_per_10kCNY",
        "co2_per_tce",
        "coal_share",
        "MWh_per_capita",
    ]
    print("2020 check table (gdp bnCNY2020, energy tce, co2 t, electricity MWh)")
    print(w[cols].sort_values("zone").to_string(float_format=lambda v: f"{v:,.3g}"))
    i15 = hist[hist.year == 2015].pivot_table(index="city_id", columns="variable", values="value")
    print("\nintensity 2015 -> 2020 (tce/10k CNY2020):")
    print(
        pd.DataFrame({"2015": i15.energy_total / (i15.gdp * 1e5), "2020": w.energy_total / (w.gdp * 1e5)})
        .round(3)
        .T.to_string()
    )
    print("\nsub-city shares:", {k: {a: round(b_, 4) for a, b_ in v.items()} for k, v in shares.items()})
    print(f"\nenergy identity 2020 (tce): E = final fossil+heat + electricity x {TCE_PER_MWH_COAL_EQ} + R")
    print(checks.set_index("city_id").to_string(float_format=lambda v: f"{v:,.3g}"))
    pe = prov["coal_phys"].loc[2020] / prov["E"].loc[2020]
    pc = prov["coal"].loc[2020] / prov["E"].loc[2020]
    print(f"\nprovincial coal share of energy 2020: CEADs-based vs balance tonnes x {TCE_PER_T_RAW_COAL}")
    print(pd.DataFrame({"ceads": pc, "balance": pe}).dropna().round(2).T.to_string())


if __name__ == "__main__":
    main()
