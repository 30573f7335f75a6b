# ruff: noqa: E501  (long citation strings)
"""power_units.csv: the end-2020 fleet of every model city (GEM coal/gas/wind units, WRI
hydro/nuclear/biomass plants, one estimated solar row per city), and the cities' shares of
their province used to split provincial PV (also for potentials).

Part of the supply build (``build_supply.py``); hand-compiled inputs come from ``sources/``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from common import bool_text, cite, cities, const, finish, members, row, source, subcity

BTU_PER_GCE = const("btu_per_gce")
CITY = cities().set_index("city_id")
PROVINCE = {c: r.province.replace(" ", "") for c, r in CITY.iterrows()}  # as in the PyPSA capacity file
CODE_TO_CITY = {int(r.statistics_code): c for c, r in CITY.iterrows()}
ASSOCIATED = CITY[CITY["membership"] == "associated"]
CQ_DISTRICTS = dict(
    zip(subcity("chongqing_west")["admin_code"], subcity("chongqing_west")["name_zh"], strict=True)
)
JINGXI = subcity("beijing_jingxi")
JINGXI_DISTRICTS = dict(zip(JINGXI["admin_code"], JINGXI["name_zh"], strict=True))
COASTAL_CITIES = members("coastal_city")
OPERATING_STATUSES = set(members("operating_status"))


def _gem_full(raw: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    coal = pd.read_csv(raw / "gem_gcpt_2023-07_china_coal_units.csv")
    gas = pd.read_csv(raw / "gem_ggpt_2023-02_china_gas_units.csv")
    wind = pd.read_csv(raw / "gem_gwpt_2023-05_china_wind_phases.csv")
    ma, la = "Major area (prefecture, district)", "Local area (taluk, county)"
    c = pd.DataFrame(
        {
            "id": coal["GEM unit/phase ID"],
            "fuel": "coal",
            "capacity_mw": pd.to_numeric(coal["Capacity (MW)"], errors="coerce"),
            "status": coal["Status"],
            "start_year": pd.to_numeric(coal["Start year"], errors="coerce"),
            "retired_year": pd.to_numeric(coal["Retired year"], errors="coerce"),
            "captive_raw": coal["Captive"],
            "heat_rate_btu": pd.to_numeric(coal["Heat rate (Btu per kWh)"], errors="coerce"),
            "major_area": coal[ma],
            "local_area": coal[la],
            "adm2_zh": coal["adm2_zh"],
            "install": "",
        }
    )
    g = pd.DataFrame(
        {
            "id": gas["GEM unit ID"],
            "fuel": "gas",
            "capacity_mw": pd.to_numeric(gas["Capacity elec. (MW)"], errors="coerce"),
            "status": gas["Status"],
            "start_year": pd.to_numeric(gas["Start year"], errors="coerce"),
            "retired_year": pd.to_numeric(gas["Retired year"], errors="coerce"),
            "captive_raw": gas["Captive [heat, power, both]"],
            "heat_rate_btu": np.nan,
            "major_area": gas[ma],
            "local_area": gas[la],
            "adm2_zh": gas["adm2_zh"],
            "install": gas["Technology"],
        }
    )
    w = pd.DataFrame(
        {
            "id": wind["GEM phase ID"],
            "fuel": "wind",
            "capacity_mw": pd.to_numeric(wind["Capacity (MW)"], errors="coerce"),
            "status": wind["Status"],
            "start_year": pd.to_numeric(wind["Start year"], errors="coerce"),
            "retired_year": pd.to_numeric(wind["Retired year"], errors="coerce"),
            "captive_raw": np.nan,
            "heat_rate_btu": np.nan,
            "major_area": wind[ma],
            "local_area": wind[la],
            "adm2_zh": wind["adm2_zh"],
            "install": wind["Installation Type"],
        }
    )
    return c, g, w


def assign_gem_units(raw: Path) -> pd.DataFrame:
    """All GEM coal/gas/wind units of every model city (any status), with city_id."""
    zone = pd.read_csv(raw / "zone_city_power_units_gem.csv")
    coal, gas, wind = _gem_full(raw)
    full = pd.concat([coal, gas, wind], ignore_index=True)
    full = full.drop_duplicates("id")
    # Zone cities: the derived zone file (GEM prefecture field first, polygon fallback)
    z = zone[["id", "city_code", "district_zh", "zone_id", "zone_assign_method"]].copy()
    z = z.merge(full, on="id", how="left")
    cq_zh = set(CQ_DISTRICTS.values())
    jx_zh = set(JINGXI_DISTRICTS.values())

    def city_of(r) -> str | None:
        code = r["city_code"]
        if pd.isna(code):
            return None
        code = int(code)
        if code == 500000:
            return "chongqing_west" if r["district_zh"] in cq_zh else None
        if code == 110000:
            return "beijing_jingxi" if r["district_zh"] in jx_zh else None
        if code == 640100:
            # Ningdong energy and chemical base lies in Lingwu (county-level city of
            # Yinchuan); other Yinchuan districts are not part of the zone.
            return "ningdong" if "lingwu" in str(r["local_area"]).lower() else None
        return CODE_TO_CITY.get(code)

    z["city_id"] = z.apply(city_of, axis=1)
    z = z[z["city_id"].notna()]
    # Associated cities (not in the zone file): GEM's own prefecture field, as for zones;
    # gas (prefecture field often empty or a district) by the OCHA polygon.
    parts = [z.drop(columns=["city_code", "district_zh", "zone_id", "zone_assign_method"])]
    for cid, a in ASSOCIATED.iterrows():
        ma = full["major_area"].astype(str)
        by_field = ma.str.startswith(a.gem_major_area) & full["fuel"].isin(["coal", "wind"])
        by_poly = (full["adm2_zh"] == a.name_zh) & (full["fuel"] == "gas")
        sel = full[by_field | by_poly].copy()
        sel["city_id"] = cid
        parts.append(sel)
    out = pd.concat(parts, ignore_index=True)
    return out.drop_duplicates("id")


def operating_2020(df: pd.DataFrame) -> pd.Series:
    """Start year <= 2020, status ever operating, and not retired by end-2020."""
    started = df["start_year"].notna() & (df["start_year"] <= 2020)
    # operating at tracker release with no start year: assumed to have run in 2020
    started = started | (df["start_year"].isna() & (df["status"] == "operating"))
    ever = df["status"].isin(OPERATING_STATUSES)
    not_retired = df["retired_year"].isna() | (df["retired_year"] > 2020)
    # a unit marked retired but with no retirement year cannot be placed: excluded
    unknown_retire = (df["status"] == "retired") & df["retired_year"].isna()
    return started & ever & not_retired & ~unknown_retire


def _captive(x) -> bool:
    if pd.isna(x):
        return False
    s = str(x).strip().lower()
    return s not in ("", "not found", "n", "no", "none")


def build_power_units(raw: Path, pv: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    gem = assign_gem_units(raw)
    op = gem[operating_2020(gem) & (gem["capacity_mw"] > 0)].copy()
    rows: list[dict] = []
    src = {"coal": cite("gem_coal"), "gas": cite("gem_gas"), "wind": cite("gem_wind")}
    for r in op.itertuples():
        hr = ""
        method = "operating at end-2020: start year <= 2020, status operating/retired/mothballed, retired year > 2020 or none"
        if r.fuel == "coal" and not pd.isna(r.heat_rate_btu):
            hr = round(r.heat_rate_btu / BTU_PER_GCE, 1)
            method += (
                f"; heat rate = GEM gross heat rate {int(r.heat_rate_btu)} Btu/kWh / {BTU_PER_GCE} Btu/gce"
            )
        if pd.isna(r.start_year):
            method += "; start year unknown, operating at tracker release: assumed operating in 2020"
        if r.fuel == "wind" and str(r.install).startswith("offshore") and r.city_id in COASTAL_CITIES:
            method += "; offshore phase"
        if r.city_id == "ningdong":
            method += "; Ningdong = GEM units of Yinchuan with local area Lingwu"
        if r.city_id == "chongqing_west":
            method += "; in one of the 9 Z10 districts by DataV district polygon"
        rows.append(
            row(
                city_id=r.city_id,
                unit_id=r.id,
                tech=r.fuel,
                capacity_mw=round(float(r.capacity_mw), 3),
                start_year="" if pd.isna(r.start_year) else int(r.start_year),
                heat_rate_gce_per_kwh=hr,
                captive=bool_text(_captive(r.captive_raw)),
                source=src[r.fuel],
                estimate=False,
                method=method,
            )
        )
    # --- WRI: hydro, nuclear, biomass (landfill gas), other (coal-mine methane)
    wri = pd.read_csv(raw / "wri_china_plants_in_zone_cities.csv")
    fuel_map = {
        "Hydro": "hydro",
        "Nuclear": "nuclear",
        "Landfill gas": "biomass",
        "Biomass": "biomass",
        "Coal Mine Methane": "other",
    }
    wri = wri[wri["Fuel"].isin(fuel_map)]

    def wri_city(code: int) -> str | None:
        if code in CQ_DISTRICTS:
            return "chongqing_west"
        if 500000 < code < 510000:
            return None  # other Chongqing districts: not in zone
        if code in JINGXI_DISTRICTS:
            return "beijing_jingxi"
        if code == 640100:
            return None  # Yinchuan: WRI gives no district; no hydro/nuclear there anyway
        return CODE_TO_CITY.get(code)

    wri["city_id"] = wri["admin_code"].astype(int).map(wri_city)
    wri["cod"] = pd.to_numeric(wri["Commissioning Date"], errors="coerce")
    keep = (
        wri["city_id"].notna()
        & (wri["Capacity (MW)"] > 0)
        & (wri["Operational Status"].fillna("") != "Shutdown")
        & (wri["Operational Status"].fillna("") != "Under Construction")
        & (wri["cod"].isna() | (wri["cod"] <= 2020))
    )
    for r in wri[keep].itertuples():
        rows.append(
            row(
                city_id=r.city_id,
                unit_id=f"WRI{r._4}",
                tech=fuel_map[r.Fuel],
                capacity_mw=float(r._9),
                start_year="" if pd.isna(r.cod) else int(r.cod),
                heat_rate_gce_per_kwh="",
                captive="false",
                source=cite("wri") + " (zone subset shared/data/raw/wri_china_plants_in_zone_cities.csv)",
                estimate=False,
                method=(
                    "plant-level row; WRI coverage is ~2017, so plants built 2018-2020 are missing; "
                    "status blank = assumed operating; commissioning <= 2020 or unknown"
                    + ("; Landfill gas mapped to biomass" if r.Fuel == "Landfill gas" else "")
                    + ("; coal-mine methane mapped to other" if r.Fuel == "Coal Mine Methane" else "")
                ),
            )
        )
    # Associated cities: WRI plants placed by hand (WRI zone subset does not cover them)
    wraw = pd.read_csv(raw / "wri_gppd_raw_source_china.csv")
    manual = source("wri_manual_plants")
    for name, cid, tech, note in manual[["plant", "city_id", "tech", "note"]].itertuples(index=False):
        hit = wraw[wraw["Name"] == name]
        for r in hit.itertuples():
            cod = pd.to_numeric(r._8, errors="coerce")
            rows.append(
                row(
                    city_id=cid,
                    unit_id=f"WRI{r._1}",
                    tech=tech,
                    capacity_mw=float(r._7),
                    start_year="" if pd.isna(cod) else int(cod),
                    heat_rate_gce_per_kwh="",
                    captive="false",
                    source=cite("wri"),
                    estimate=False,
                    method="associated city: plant assigned by hand from WRI name/coordinates; " + note,
                )
            )
    # --- Solar: one aggregate estimated row per city
    for r in pv.itertuples():
        rows.append(
            row(
                city_id=r.city_id,
                unit_id=f"EST-PV-{r.city_id}",
                tech="solar",
                capacity_mw=round(r.pv_mw, 1),
                start_year="",
                heat_rate_gce_per_kwh="",
                captive="false",
                source=cite("pypsa_capacity") + "; split by " + r.share_source,
                estimate=True,
                method=(
                    f"provincial end-2020 PV {r.prov_pv_mw:.0f} MW x city share {r.share:.4f} ({r.share_method}); "
                    "no public unit list for solar; aggregate of utility and distributed PV"
                ),
            )
        )
    cols = [
        "city_id",
        "unit_id",
        "tech",
        "capacity_mw",
        "start_year",
        "heat_rate_gce_per_kwh",
        "captive",
    ]
    df = finish(rows, cols)
    checks = {"gem_all": gem}
    return df, checks


# ======================================================================================
# Solar split shares (also used for potentials)
# ======================================================================================
def solar_shares(raw: Path) -> pd.DataFrame:
    cap = pd.read_csv(raw / "province_installed_capacity_2020_pypsa_china.csv").set_index("province")
    gdp_p = pd.read_csv(raw / "province_historical_gdp_pypsa_china.csv", skiprows=1).set_index("region")
    gdp_p.index = gdp_p.index.str.replace(" ", "").str.lower()
    pop_p = pd.read_csv(raw / "province_historical_population_pypsa_china.csv", skiprows=1)
    pop_p = pop_p.set_index(pop_p.columns[0])
    pop_p.index = pop_p.index.str.replace(" ", "").str.lower()
    city = pd.read_csv(raw / "city_gdp_structure_population_2010_2021_csmar_extract.csv")
    city = city[city["year"] == 2020].set_index("city_code")
    xing = pd.read_csv(raw / "county_gdp_powergen_2015_xing2021_ncomms.csv")
    xing["prov"] = xing["Province name"].str.strip().str.replace(" ", "")
    gcol = "Gross Domestic Product (GDP) ($ yr-1)"
    prov_xing = xing.groupby("prov")[gcol].sum()

    def xing_gdp(names: list[str], weights: list[float] | None = None) -> float:
        weights = weights or [1.0] * len(names)
        tot = 0.0
        for n, w in zip(names, weights, strict=True):
            v = xing.loc[xing["County name"] == n, gcol]
            if v.empty:
                raise KeyError(n)
            tot += w * float(v.iloc[0])
        return tot

    def unit_share(cid: str) -> float:  # GDP share of a sub-city unit in its province
        unit = subcity(cid)
        return xing_gdp(list(unit["xing_county"]), list(unit["weight"])) / prov_xing[PROVINCE[cid]]

    rows = []
    mentougou = float(JINGXI.loc[JINGXI["xing_county"] == "Mentougou Qu", "weight"].iloc[0])
    for cid, info in CITY.iterrows():
        prov = PROVINCE[cid]
        prov_pv = float(cap.loc[prov, "solar_pv_mw"])
        pop_prov = float(pop_p.loc[prov.lower(), "2020"])
        if cid == "chongqing_west":
            share = unit_share(cid)
            meth = "GDP share of the 9 Z10 districts in Chongqing, county GDP 2015 (Xing et al. 2021)"
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = float(city.loc[info["statistics_code"], "pop_yearend_10k"]) * share
        elif cid == "beijing_jingxi":
            share = unit_share(cid)
            meth = (
                f"GDP share of Shijingshan + {mentougou:g} x Mentougou in Beijing, county GDP 2015 (Xing et al. 2021);"
                f" the {mentougou:g} Mentougou share is an assumption"
            )
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = float(city.loc[info["statistics_code"], "pop_yearend_10k"]) * share
        elif cid == "ningdong":
            share = unit_share(cid)
            meth = "GDP share of Lingwu (host of the Ningdong base) in Ningxia, county GDP 2015 (Xing et al. 2021)"
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = pop_prov * share
        else:
            g = float(city.loc[info["statistics_code"], "gdp_100m_cny"])
            share = g / float(gdp_p.loc[prov.lower(), "2020"])
            meth = "city GDP 2020 / provincial GDP 2020 (both nominal)"
            ssrc = "City Statistical Yearbook GDP 2020 (CSMAR extract) / NBS provincial GDP 2020"
            pop = float(city.loc[info["statistics_code"], "pop_yearend_10k"])
            if math.isnan(pop):
                pop = pop_prov * share  # population missing in the extract: GDP-share proxy
        rows.append(
            {
                "city_id": cid,
                "prov": prov,
                "prov_pv_mw": prov_pv,
                "share": share,
                "share_method": meth,
                "share_source": ssrc,
                "pv_mw": prov_pv * share,
                "pop_10k": pop,
            }
        )
    return pd.DataFrame(rows)


# ======================================================================================
