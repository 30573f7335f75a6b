"""Build the supply-side compiled tables of ``calibration/data/``.

Reads the raw public extracts in ``../shared/data/raw`` (or ``--raw DIR``) and the
hand-compiled source lists in ``calibration/build/sources/`` and writes, to the contract in
``model/data/schema.py``, one module per table family:

    build_power_units.py   power_units.csv
    build_potentials.py    potentials.csv
    build_technologies.py  technologies.csv
    build_prices.py        prices.csv, emission_factors.csv, constants.csv
    build_targets.py       targets.csv, city_targets.csv, storage_mandates.csv
    build_programmes.py    efficiency_programmes.csv

Every row written carries ``source``, ``estimate`` and ``method``. Run:

    .venv/bin/python calibration/build/build_supply.py [--raw DIR] [--out DIR]

The model never reads the raw folder at run time; only the CSVs written here.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from build_potentials import build_potentials
from build_power_units import PROVINCE, build_power_units, solar_shares
from build_prices import build_constants, build_emission_factors, build_prices
from build_programmes import build_efficiency_programmes
from build_targets import build_city_targets, build_storage_mandates, build_targets
from build_technologies import build_technologies
from common import arguments, write


def build(raw: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Every supply table by file name, and the fleet (for the checks printed by ``main``)."""
    pv = solar_shares(raw)
    units, chk = build_power_units(raw, pv)
    targets = build_targets(raw)
    tables = {
        "power_units.csv": units,
        "potentials.csv": build_potentials(raw, pv, chk["gem_all"], units),
        "technologies.csv": build_technologies(raw),
        "prices.csv": build_prices(raw),
        "emission_factors.csv": build_emission_factors(),
        "constants.csv": build_constants(),
        "targets.csv": targets,
        "city_targets.csv": build_city_targets(targets),
        "storage_mandates.csv": build_storage_mandates(raw),
        "efficiency_programmes.csv": build_efficiency_programmes(),
    }
    return tables, units


def provincial_sums(raw: Path, units: pd.DataFrame) -> pd.DataFrame:
    cap = pd.read_csv(raw / "province_installed_capacity_2020_pypsa_china.csv").set_index("province")
    cap["wind_total"] = cap["onshore_wind_mw"] + cap["offshore_wind_mw"]
    colmap = {
        "coal": "thermal_coal_incl_chp_mw",
        "gas": "gas_mw",
        "wind": "wind_total",
        "solar": "solar_pv_mw",
        "nuclear": "nuclear_mw",
    }
    u = units.copy()
    u["prov"] = u["city_id"].map(PROVINCE)
    s = u.groupby(["prov", "tech"])["capacity_mw"].sum().reset_index()
    s = s[s["tech"].isin(colmap)]
    s["province_total_mw"] = [float(cap.loc[p, colmap[t]]) for p, t in zip(s["prov"], s["tech"], strict=True)]
    s["ok"] = s["capacity_mw"] <= s["province_total_mw"] + 1e-6
    return s


def main(argv: list[str] | None = None) -> None:
    args = arguments(__doc__.splitlines()[0], argv)
    tables, units = build(args.raw)
    write(args.out, tables, lineterminator="\n")
    sums = provincial_sums(args.raw, units)
    print("\nCity fleet sums vs provincial 2020 totals (MW):")
    print(sums.to_string(index=False))
    fleet = units.pivot_table(
        index="city_id", columns="tech", values="capacity_mw", aggfunc="sum", fill_value=0
    )
    print("\nFleet by city (GW):")
    print((fleet / 1000).round(2).to_string())


if __name__ == "__main__":
    main()
