"""Check the generation shares behind the partial areas' 2020 data (issue 11, not a build step).

The 2020 energy, coal, electricity and CO2 of the three sub-city model units (Chongqing west,
Beijing Jingxi, Ningdong) are a share of their parent's statistics,
``w * generation share + (1 - w) * GDP share`` (``build_history.subcity_shares``), with the
generation share from Xing et al. 2021's county data (c. 2015). This script sets beside it the
share of the parent's fossil units (coal and gas) operating at the end of 2020 in the unit's
districts (GEM coal and gas plant trackers, ``gem_gcpt_2023-07``, ``gem_ggpt_2023-02``), and
the factor that share would give. It changes nothing; ``docs/validation-physics.md`` quotes
its output. Run:

    .venv/bin/python calibration/build/check_partial_areas.py [--raw DIR]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd
from build_history import subcity_shares
from city_inputs import read_inputs
from common import subcity

RAW = Path(__file__).resolve().parents[3] / "shared" / "data" / "raw"
YEAR = 2020
PARENT = {"chongqing_west": "Chongqing", "beijing_jingxi": "Beijing", "ningdong": "Ningxia"}


def fossil_fleet(raw: Path) -> pd.DataFrame:
    """Coal and gas units operating at the end of ``YEAR``: province, district (zh), MW."""
    rows = []
    for file, mw_col in (
        ("gem_gcpt_2023-07_china_coal_units.csv", "Capacity (MW)"),
        ("gem_ggpt_2023-02_china_gas_units.csv", "Capacity elec. (MW)"),
    ):
        g = pd.read_csv(raw / file, low_memory=False)
        start = pd.to_numeric(g["Start year"], errors="coerce")
        retired = pd.to_numeric(g["Retired year"], errors="coerce")
        on = g["Status"].isin(["operating", "retired", "mothballed"]) & (start <= YEAR)
        on &= retired.isna() | (retired > YEAR)
        g = g[on]
        rows.append(
            pd.DataFrame(
                {
                    "province": g["Subnational unit (province, state)"],
                    "prefecture": g["Major area (prefecture, district)"],
                    "district": g["district_zh"],
                    "local": g["Local area (taluk, county)"],
                    "mw": pd.to_numeric(g[mw_col], errors="coerce"),
                }
            )
        )
    return pd.concat(rows, ignore_index=True)


def fleet_share(fleet: pd.DataFrame, city_id: str) -> tuple[float, float, float]:
    """(unit's MW, parent's MW, share) of the 2020 fossil fleet; district weights as in the build."""
    members = subcity(city_id)
    prov = fleet[fleet["province"] == PARENT[city_id]]
    if city_id == "ningdong":  # parent: Yinchuan prefecture
        prov = prov[prov["prefecture"] == "Yinchuan"]
    mw = 0.0
    for zh, county, w in zip(
        members["name_zh"], members["xing_county"], members["weight"].astype(float), strict=True
    ):
        # the district by its Chinese name (GEM's district_zh), else by the county's English
        # name (GEM gives Ningxia's units no district_zh: "Lingwu" for Xing's "Lingwu Shi")
        name = county.rsplit(" ", 1)[0]
        at = (prov["district"] == zh) | (prov["district"].isna() & (prov["local"] == name))
        mw += w * float(prov.loc[at, "mw"].sum())
    total = float(prov["mw"].sum())
    return mw, total, mw / total


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=RAW)
    args = ap.parse_args(argv)
    shares = subcity_shares(read_inputs(args.raw))
    fleet = fossil_fleet(args.raw)
    rows = []
    for cid, s in shares.items():
        mw, total, share = fleet_share(fleet, cid)
        factor = s["wp"] * share + (1 - s["wp"]) * s["gdp"]
        rows.append(
            {
                "city_id": cid,
                "w_power": s["wp"],
                "gdp_share": s["gdp"],
                "gen_share_2015": s["gen"],
                "factor_now": s["energy"],
                "fleet_mw_2020": mw,
                "parent_fleet_mw_2020": total,
                "fleet_share_2020": share,
                "factor_with_fleet": factor,
                "ratio": factor / s["energy"],
            }
        )
    print(pd.DataFrame(rows).set_index("city_id").round(4).to_string())


if __name__ == "__main__":
    main()
