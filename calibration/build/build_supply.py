# ruff: noqa: E501  (long citation strings)
"""Build the supply-side compiled tables of ``calibration/data/``.

Reads the raw public extracts in ``/work/shared/data/raw`` (or ``--raw DIR``) and writes, to
the contract in ``model/data/schema.py``:

    power_units.csv, potentials.csv, technologies.csv, prices.csv, emission_factors.csv,
    constants.csv, targets.csv, city_targets.csv, storage_mandates.csv,
    efficiency_programmes.csv

Hand-compiled values (prices, factors, constants, pumped-hydro sites, exchange rates) are
held in the clearly sourced lists below; efficiency-programme assumptions live in
``efficiency_programmes_assumptions.csv`` beside this script. Every row written carries
``source``, ``estimate`` and ``method``. Run:

    .venv/bin/python calibration/build/build_supply.py [--raw DIR] [--out DIR]

The model never reads the raw folder at run time; only the CSVs written here.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).resolve().parent
DEFAULT_RAW = Path("/work/shared/data/raw")
DEFAULT_OUT = HERE.parent / "data"

# --------------------------------------------------------------------------------------
# Conventions and conversion factors (each with its source)
# --------------------------------------------------------------------------------------
TCE_GJ = 29.3076  # GB/T 2589-2020: 1 kgce = 29307.6 kJ (7000 kcal)
MWH_TH_PER_TCE = TCE_GJ / 3.6  # 8.141 MWh_th per tce
BTU_PER_GCE = 27.78  # 1 gce = 29.3076 kJ = 27.78 Btu (1 Btu = 1.05506 kJ)
EUR_CNY_2020 = 7.8747  # ECB euro reference rate, annual average 2020 (CNY per EUR)
USD_CNY_2020 = 6.8976  # NBS Statistical Communiqué 2020: average rate 1 USD = 6.8976 CNY
SRC_ECB = "ECB euro foreign exchange reference rates, CNY annual average 2020 (series EXR.A.CNY.EUR.SP00.A)"
SRC_NBS_FX = "NBS, Statistical Communiqué on the 2020 National Economic and Social Development (28 Feb 2021): average 2020 rate 6.8976 CNY/USD"
SRC_GBT2589 = "GB/T 2589-2020 General principles for calculation of the comprehensive energy consumption, Annex A reference coefficients"

GEM_COAL_SRC = "Global Energy Monitor, Global Coal Plant Tracker July 2023 (CC BY 4.0); extract shared/data/raw/gem_gcpt_2023-07_china_coal_units.csv via Rick10119/PyPSA-China@caf1d59"
GEM_GAS_SRC = "Global Energy Monitor, Global Gas Plant Tracker Feb 2023 (CC BY-NC-SA 4.0, non-commercial); extract shared/data/raw/gem_ggpt_2023-02_china_gas_units.csv via Rick10119/PyPSA-China@caf1d59"
GEM_WIND_SRC = "Global Energy Monitor, Global Wind Power Tracker May 2023 (CC BY 4.0); extract shared/data/raw/gem_gwpt_2023-05_china_wind_phases.csv via Rick10119/PyPSA-China@caf1d59"
WRI_SRC = "WRI Global Power Plant Database, China source file (CC BY 4.0), wri/global-power-plant-database@7a91cfb raw_source_files/WRI/China.csv"
PYPSA_CAP_SRC = "China Electricity Statistical Yearbook 2021 (2020 data) via Xiaowei-Z/PyPSA-China data/p_nom (shared/data/raw/province_installed_capacity_2020_pypsa_china.csv)"

# --------------------------------------------------------------------------------------
# Model cities: id -> province (as in the PyPSA capacity file), province code, GEM/WRI keys
# --------------------------------------------------------------------------------------
CITIES: dict[str, dict] = {
    "shenyang": {"prov": "Liaoning", "code": 210100},
    "anshan": {"prov": "Liaoning", "code": 210300},
    "fushun": {"prov": "Liaoning", "code": 210400},
    "changchun": {"prov": "Jilin", "code": 220100},
    "jilin": {"prov": "Jilin", "code": 220200},
    "songyuan": {"prov": "Jilin", "code": 220700},
    "baotou": {"prov": "InnerMongolia", "code": 150200},
    "ordos": {"prov": "InnerMongolia", "code": 150600},
    "tangshan": {"prov": "Hebei", "code": 130200},
    "changzhi": {"prov": "Shanxi", "code": 140400},
    "zibo": {"prov": "Shandong", "code": 370300},
    "tongling": {"prov": "Anhui", "code": 340700},
    "huangshi": {"prov": "Hubei", "code": 420200},
    "zhuzhou": {"prov": "Hunan", "code": 430200},
    "xiangtan": {"prov": "Hunan", "code": 430300},
    "loudi": {"prov": "Hunan", "code": 431300},
    "chongqing_west": {"prov": "Chongqing", "code": 500000},
    "zigong": {"prov": "Sichuan", "code": 510300},
    "shizuishan": {"prov": "Ningxia", "code": 640200},
    "ningdong": {"prov": "Ningxia", "code": 640100},
    "beijing_jingxi": {"prov": "Beijing", "code": 110000},
    "dalian": {"prov": "Liaoning", "code": 210200},
    "daqing": {"prov": "Heilongjiang", "code": 230600},
    "xuzhou": {"prov": "Jiangsu", "code": 320300},
    "pingxiang": {"prov": "Jiangxi", "code": 360300},
    "luoyang": {"prov": "Henan", "code": 410300},
    "pingdingshan": {"prov": "Henan", "code": 410400},
    "shaoguan": {"prov": "Guangdong", "code": 440200},
    "liupanshui": {"prov": "Guizhou", "code": 520200},
    "xiangyang": {"prov": "Hubei", "code": 420600},
    "yibin": {"prov": "Sichuan", "code": 511500},
    "hebi": {"prov": "Henan", "code": 410600},
}
ASSOCIATED = {"xiangyang": "Xiangyang", "yibin": "Yibin", "hebi": "Hebi"}
ASSOCIATED_ZH = {"xiangyang": "襄阳市", "yibin": "宜宾市", "hebi": "鹤壁市"}
CQ_DISTRICTS = {  # Z10 Chongqing west: 2017 list of 8 + Dadukou (2022 naming)
    500115: "长寿区",
    500102: "涪陵区",
    500106: "沙坪坝区",
    500116: "江津区",
    500117: "合川区",
    500151: "铜梁区",
    500118: "永川区",
    500153: "荣昌区",
    500104: "大渡口区",
}
CQ_XING = [
    "Changshou Qu",
    "Fuling Qu",
    "Shapingba Qu",
    "Jiangjin Qu",
    "Hechuan Qu",
    "Tongliang Xian",
    "Yongchuan Qu",
    "Rongchang Xian",
    "Dadukou Qu",
]
JINGXI_DISTRICTS = {110107: "石景山区", 110109: "门头沟区"}
MENTOUGOU_SHARE = 0.5  # assumed share of Mentougou inside the Jingxi zone (solar split only)

COASTAL_CITIES = ("dalian", "tangshan")
OPERATING_STATUSES = {"operating", "retired", "mothballed"}

# Pipeline statuses counted as evidence of developable wind sites (potentials)
PIPELINE_STATUSES = {"construction", "permitted", "pre-permit", "pre-construction", "announced"}


def _province_codes(raw: Path) -> dict[str, str]:
    df = pd.read_csv(raw / "province_codes_pypsa_china.csv")
    return dict(zip(df["Full name"], df["Code"], strict=True))


def _row(**kw) -> dict:
    kw.setdefault("method", "")
    return kw


def _bool(x: bool) -> str:
    return "true" if x else "false"


def _finish(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows)
    df["estimate"] = df["estimate"].map(_bool)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    return df[columns + ["source", "estimate", "method"]]


# ======================================================================================
# 1. power_units
# ======================================================================================
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
    code_to_city = {v["code"]: k for k, v in CITIES.items()}
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
        return code_to_city.get(code)

    z["city_id"] = z.apply(city_of, axis=1)
    z = z[z["city_id"].notna()]
    # Associated cities (not in the zone file): GEM's own prefecture field, as for zones;
    # gas (prefecture field often empty or a district) by the OCHA polygon.
    parts = [z.drop(columns=["city_code", "district_zh", "zone_id", "zone_assign_method"])]
    for cid, name in ASSOCIATED.items():
        ma = full["major_area"].astype(str)
        by_field = ma.str.startswith(name) & full["fuel"].isin(["coal", "wind"])
        by_poly = (full["adm2_zh"] == ASSOCIATED_ZH[cid]) & (full["fuel"] == "gas")
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
    src = {"coal": GEM_COAL_SRC, "gas": GEM_GAS_SRC, "wind": GEM_WIND_SRC}
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
            _row(
                city_id=r.city_id,
                unit_id=r.id,
                tech=r.fuel,
                capacity_mw=round(float(r.capacity_mw), 3),
                start_year="" if pd.isna(r.start_year) else int(r.start_year),
                heat_rate_gce_per_kwh=hr,
                captive=_bool(_captive(r.captive_raw)),
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
    code_to_city = {v["code"]: k for k, v in CITIES.items()}

    def wri_city(code: int) -> str | None:
        if code in CQ_DISTRICTS:
            return "chongqing_west"
        if 500000 < code < 510000:
            return None  # other Chongqing districts: not in zone
        if code in JINGXI_DISTRICTS:
            return "beijing_jingxi"
        if code == 640100:
            return None  # Yinchuan: WRI gives no district; no hydro/nuclear there anyway
        return code_to_city.get(code)

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
            _row(
                city_id=r.city_id,
                unit_id=f"WRI{r._4}",
                tech=fuel_map[r.Fuel],
                capacity_mw=float(r._9),
                start_year="" if pd.isna(r.cod) else int(r.cod),
                heat_rate_gce_per_kwh="",
                captive="false",
                source=WRI_SRC + " (zone subset shared/data/raw/wri_china_plants_in_zone_cities.csv)",
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
    manual = {
        # Power Plant ID: (city_id, note)
        "Xiangjiaba": (
            "yibin",
            "border dam on the Jinsha (Yibin, Sichuan / Shuifu, Yunnan); attributed to Yibin by the "
            "plant coordinate; output is largely exported to East China by UHV",
        ),
        "Hubei Baokang Siping": ("xiangyang", "Baokang County belongs to Xiangyang"),
    }
    for name, (cid, note) in manual.items():
        hit = wraw[wraw["Name"] == name]
        for r in hit.itertuples():
            cod = pd.to_numeric(r._8, errors="coerce")
            rows.append(
                _row(
                    city_id=cid,
                    unit_id=f"WRI{r._1}",
                    tech="hydro",
                    capacity_mw=float(r._7),
                    start_year="" if pd.isna(cod) else int(cod),
                    heat_rate_gce_per_kwh="",
                    captive="false",
                    source=WRI_SRC,
                    estimate=False,
                    method="associated city: plant assigned by hand from WRI name/coordinates; " + note,
                )
            )
    # --- Solar: one aggregate estimated row per city
    for r in pv.itertuples():
        rows.append(
            _row(
                city_id=r.city_id,
                unit_id=f"EST-PV-{r.city_id}",
                tech="solar",
                capacity_mw=round(r.pv_mw, 1),
                start_year="",
                heat_rate_gce_per_kwh="",
                captive="false",
                source=PYPSA_CAP_SRC + "; split by " + r.share_source,
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
    df = _finish(rows, cols)
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

    rows = []
    for cid, info in CITIES.items():
        prov = info["prov"]
        prov_pv = float(cap.loc[prov, "solar_pv_mw"])
        pop_prov = float(pop_p.loc[prov.lower(), "2020"])
        if cid == "chongqing_west":
            share = xing_gdp(CQ_XING) / prov_xing["Chongqing"]
            meth = "GDP share of the 9 Z10 districts in Chongqing, county GDP 2015 (Xing et al. 2021)"
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = float(city.loc[500000, "pop_yearend_10k"]) * share
        elif cid == "beijing_jingxi":
            share = (
                xing_gdp(["Shijingshan Qu", "Mentougou Qu"], [1.0, MENTOUGOU_SHARE]) / prov_xing["Beijing"]
            )
            meth = (
                "GDP share of Shijingshan + 0.5 x Mentougou in Beijing, county GDP 2015 (Xing et al. 2021);"
                " the 0.5 Mentougou share is an assumption"
            )
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = float(city.loc[110000, "pop_yearend_10k"]) * share
        elif cid == "ningdong":
            share = xing_gdp(["Lingwu Shi"]) / prov_xing["Ningxia"]
            meth = "GDP share of Lingwu (host of the Ningdong base) in Ningxia, county GDP 2015 (Xing et al. 2021)"
            ssrc = "Xing et al. 2021 Nat. Commun. county GDP 2015 (CC BY 4.0)"
            pop = pop_prov * share
        else:
            g = float(city.loc[info["code"], "gdp_100m_cny"])
            share = g / float(gdp_p.loc[prov.lower(), "2020"])
            meth = "city GDP 2020 / provincial GDP 2020 (both nominal)"
            ssrc = "City Statistical Yearbook GDP 2020 (CSMAR extract) / NBS provincial GDP 2020"
            pop = float(city.loc[info["code"], "pop_yearend_10k"])
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
# 2. potentials
# ======================================================================================
ROOFTOP_KW_PER_CAPITA = 0.3  # assumption: ~3 m2 usable roof per person at ~100 W/m2
GROUND_PV_MULTIPLE = 3.0  # assumption: ground-mounted PV potential = 3 x 2020 city PV
DESERT_PV_MULTIPLE = 5.0  # assumption for desert land (Ordos, Baotou, Ningdong)
SUBSIDENCE_PV_MULTIPLE = 1.0  # assumption for subsidence / dumps / closed mines
WIND_MIN_MULTIPLE = 1.0  # wind potential at least 1 x 2020 city wind
DESERT_CITIES = ("ordos", "baotou", "ningdong")
SUBSIDENCE_CITIES = ("baotou", "ordos", "shizuishan", "ningdong")

# Pumped-storage sites in or at the edge of model cities. Names and sizes as recalled from the
# NEA 抽水蓄能中长期发展规划 (2021-2035) key-project list and project news; NOT verified in
# this build (flagged estimate=true). Source string names the plan; capacity per station.
PUMPED_HYDRO_SITES = [
    ("fushun", "Qingyuan (清原) pumped storage, Fushun", 1800),
    ("jilin", "Jiaohe (蛟河) pumped storage, Jilin city", 1200),
    ("baotou", "Meidaizhao (美岱召) pumped storage, Baotou", 1200),
    ("zibo", "Yiyuan (沂源) pumped storage, Zibo", 1200),
    ("dalian", "Zhuanghe (庄河) pumped storage, Dalian", 1000),
    ("luoyang", "Luoning (洛宁) pumped storage, Luoyang", 1400),
]
NEA_PSH_SRC = "NEA 抽水蓄能中长期发展规划（2021-2035年）(Sep 2021), key-project list; site names/sizes recalled, not verified"


def build_potentials(raw: Path, pv: pd.DataFrame, gem: pd.DataFrame, units: pd.DataFrame):
    rows = []
    wind = gem[gem["fuel"] == "wind"].copy()
    op20 = operating_2020(wind)
    wind["op2020"] = np.where(op20, wind["capacity_mw"], 0.0)
    # capacity that started after 2020 and is operating at tracker release
    post = (wind["status"] == "operating") & (wind["start_year"] > 2020)
    wind["post2020"] = np.where(post, wind["capacity_mw"], 0.0)
    wind["pipe"] = np.where(wind["status"].isin(PIPELINE_STATUSES), wind["capacity_mw"], 0.0)
    # GEM marks a few inland phases (e.g. in Changzhi) offshore: trust the flag on the coast only
    wind["offshore"] = wind["install"].astype(str).str.startswith("offshore") & wind["city_id"].isin(
        COASTAL_CITIES
    )
    for (cid, off), g in wind.groupby(["city_id", "offshore"]):
        dev = float(g["post2020"].sum() + g["pipe"].sum())
        base = float(g["op2020"].sum())
        pot = max(dev, WIND_MIN_MULTIPLE * base)
        if pot <= 0:
            continue
        rows.append(
            _row(
                city_id=cid,
                tech="wind",
                land_class="offshore" if off else "general",
                potential_mw=round(pot, 1),
                source=GEM_WIND_SRC,
                estimate=True,
                method=(
                    "max(GEM capacity started after 2020 + pipeline (construction/permitted/pre-permit/"
                    f"pre-construction/announced) = {dev:.0f} MW, {WIND_MIN_MULTIPLE} x end-2020 capacity "
                    f"{base:.0f} MW); no city resource assessment available; distributed wind missing from GEM"
                ),
            )
        )
    for r in pv.itertuples():
        rows.append(
            _row(
                city_id=r.city_id,
                tech="solar",
                land_class="general",
                potential_mw=round(GROUND_PV_MULTIPLE * r.pv_mw, 1),
                source=PYPSA_CAP_SRC + "; split by " + r.share_source,
                estimate=True,
                method=(
                    f"{GROUND_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); assumption "
                    "(national PV grew ~3x 2020-2024), not a land assessment"
                ),
            )
        )
        if not math.isnan(r.pop_10k):
            rows.append(
                _row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="rooftop",
                    potential_mw=round(r.pop_10k * 1e4 * ROOFTOP_KW_PER_CAPITA / 1e3, 1),
                    source=(
                        "population: City Statistical Yearbook 2020 (CSMAR extract, registered pop.) or NBS "
                        "provincial population x GDP share; kW/capita assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{ROOFTOP_KW_PER_CAPITA} kW per person x population {r.pop_10k:.1f} (10k); assumption "
                        "~3 m2 usable roof per person at ~100 W/m2"
                    ),
                )
            )
        if r.city_id in DESERT_CITIES:
            rows.append(
                _row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="desert",
                    potential_mw=round(DESERT_PV_MULTIPLE * r.pv_mw, 1),
                    source=(
                        "NDRC 14th-FYP implementation plan for the demonstration zones, section (十) "
                        "(desert, subsidence land, open-pit dumps, closed mines named for Baotou, Ordos, "
                        "Shizuishan, Ningdong); size: scaling assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{DESERT_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); Kubuqi/Mu Us "
                        "sandland; placeholder size, no land-area data"
                    ),
                )
            )
        if r.city_id in SUBSIDENCE_CITIES:
            rows.append(
                _row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="subsidence",
                    potential_mw=round(SUBSIDENCE_PV_MULTIPLE * r.pv_mw, 1),
                    source=(
                        "NDRC 14th-FYP implementation plan for the demonstration zones, section (十); "
                        "size: scaling assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{SUBSIDENCE_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); coal-mining "
                        "subsidence land, open-pit dumps, closed mines; placeholder size"
                    ),
                )
            )
    for cid, site, mw in PUMPED_HYDRO_SITES:
        rows.append(
            _row(
                city_id=cid,
                tech="pumped_hydro",
                land_class="general",
                potential_mw=float(mw),
                source=NEA_PSH_SRC,
                estimate=True,
                method=f"{site}: one named site in a mountainous part of the city; other cities: none assumed",
            )
        )
    return _finish(rows, ["city_id", "tech", "land_class", "potential_mw"])


# ======================================================================================
# 3. technologies
# ======================================================================================
LIT_CHINA = {"Zhu et al.", "Sun et al.", "Li et al.", "LBNL", "NREL ATB", "PyPSA-China_new"}


def _lit_capex(lit: pd.DataFrame, tech: str, year: str) -> tuple[float, list[str]]:
    d = lit[(lit["technology"] == tech) & (lit["cost_type"] == "investment")]
    d = d[d["reference"].isin(LIT_CHINA)]
    vals, refs = [], []
    for r in d.itertuples():
        v = pd.to_numeric(getattr(r, f"_{list(lit.columns).index(year) + 1}"), errors="coerce")
        if pd.isna(v):
            continue
        unit = r.unit.lower()
        if unit == "cny/kw":
            pass
        elif unit == "eur/kw":
            v = v * EUR_CNY_2020
        elif unit == "$/kw":
            v = v * USD_CNY_2020
        else:
            continue
        vals.append(float(v))
        refs.append(f"{r.reference} {v:.0f}")
    if not vals:
        raise ValueError(f"no China capex for {tech} {year}")
    return float(np.median(vals)), refs


def build_technologies(raw: Path) -> pd.DataFrame:
    lit = pd.read_csv(raw / "tech_costs_china_litreview_pypsa_china_pik.csv")
    lit_src = (
        "PyPSA-China-PIK literature review resources/data/costs/reference_costs/tech_costs_subset_litreview.csv "
        "(pik-piam/PyPSA-China-PIK@25c83bf): Zhu et al. 2025 EES; Sun et al. (SGERI); Li et al. 2024 EES; "
        "LBNL 2022-23; NREL ATB"
    )
    pc = {
        y: pd.read_csv(raw / f"pypsa_china_pik_costs_{y}.csv").set_index(["technology", "parameter"])
        for y in (2020, 2025, 2030)
    }
    pc_src = "PyPSA-China-PIK default costs resources/data/costs/default/costs_{y}.csv (pik-piam/PyPSA-China-PIK@25c83bf)"
    fx = f"EUR->CNY at {EUR_CNY_2020} (ECB 2020 average); DEA values are stated in 2020-EUR, so no deflation; lit-review CNY values taken as CNY2020 (price year not stated)"
    rows = []

    def pcv(y, tech, par) -> tuple[float, str]:
        r = pc[y].loc[(tech, par)]
        return float(r["value"]), str(r["source"])

    def add(tech, y, par, val, unit, source, estimate, method):
        rows.append(
            _row(
                tech=tech,
                year=y,
                parameter=par,
                value=round(float(val), 4),
                unit=unit,
                source=source,
                estimate=estimate,
                method=method,
            )
        )

    capex: dict[tuple[str, int], float] = {}
    lit_map = {
        "coal": "coal",
        "gas": "gas",
        "wind": "onwind",
        "solar": "solar-utility",
        "hydro": "hydro",
        "pumped_hydro": "PHS",
    }
    for tech, lt in lit_map.items():
        v20, r20 = _lit_capex(lit, lt, "2020")
        v30, r30 = _lit_capex(lit, lt, "2030")
        for y in (2020, 2025, 2030):
            v = {2020: v20, 2030: v30}.get(y, (v20 + v30) / 2)
            capex[(tech, y)] = v
            if tech == "pumped_hydro":
                continue  # split below
            meth = (
                f"median of China-specific sources for {lt} ({'; '.join(r20 if y == 2020 else r30)})"
                if y != 2025
                else f"linear interpolation 2020 ({v20:.0f}) - 2030 ({v30:.0f})"
            )
            if tech == "gas":
                meth += "; Zhu et al. 'gas' plant type not stated (taken as CCGT); DEA CCGT 880 EUR/kW not used (European cost level)"
            add(tech, y, "capex_power", v, "CNY2020/kW", lit_src, y == 2025, meth + "; " + fx)

    # Pumped hydro: Zhu et al. per-kW station cost split into power and energy parts
    psh_energy_share, psh_hours = 0.2, 6.0
    for y in (2020, 2025, 2030):
        total = capex[("pumped_hydro", y)]
        add(
            "pumped_hydro",
            y,
            "capex_power",
            total * (1 - psh_energy_share),
            "CNY2020/kW",
            lit_src,
            True,
            f"Zhu et al. station cost {total:.0f} CNY/kW (typical {psh_hours:.0f} h) x {1 - psh_energy_share:.1f}; "
            "power/energy split is an assumption of this build",
        )
        add(
            "pumped_hydro",
            y,
            "capex_energy",
            total * psh_energy_share / psh_hours,
            "CNY2020/kWh",
            lit_src,
            True,
            f"Zhu et al. station cost {total:.0f} CNY/kW x {psh_energy_share:.1f} / {psh_hours:.0f} h; split is an assumption",
        )

    # FOM (% of capex), lifetime, efficiency/heat rate from PyPSA-China-PIK defaults
    pmap = {
        "coal": "coal",
        "gas": "CCGT",
        "wind": "onwind",
        "solar": "solar-utility",
        "hydro": "hydro",
        "pumped_hydro": "PHS",
    }
    for tech, pt in pmap.items():
        for y in (2020, 2025, 2030):
            fom_pct, fsrc = pcv(y, pt, "FOM")
            base = capex[(tech, y)]
            add(
                tech,
                y,
                "fom",
                base * fom_pct / 100,
                "CNY2020/kW/yr",
                pc_src.format(y=y) + f" [{fsrc}]",
                False,
                f"FOM {fom_pct}%/yr of capex ({base:.0f} CNY2020/kW)",
            )
            life, lsrc = pcv(y, pt, "lifetime")
            add(tech, y, "lifetime", life, "yr", pc_src.format(y=y) + f" [{lsrc}]", False, "as given")
            if tech in ("coal", "gas"):
                eff, esrc = pcv(y, pt, "efficiency")
                add(
                    tech,
                    y,
                    "heat_rate",
                    1e3 / (eff * MWH_TH_PER_TCE),
                    "gce/kWh",
                    pc_src.format(y=y) + f" [{esrc}]",
                    False,
                    f"heat rate = 1e3 / (efficiency {eff:.4f} x {MWH_TH_PER_TCE:.3f} kWh/kgce); new-build plant",
                )
            if tech == "pumped_hydro":
                eff, esrc = pcv(y, pt, "efficiency")
                add(
                    tech,
                    y,
                    "efficiency",
                    eff,
                    "fraction",
                    pc_src.format(y=y) + f" [{esrc}]",
                    False,
                    "round trip",
                )

    # Battery (Li-ion): energy capex from LBNL (CNY/kWh), power capex from DEA inverter
    for y in (2020, 2025, 2030):
        e20 = 650.0
        e30 = 310.0
        ev = {2020: e20, 2030: e30}.get(y, (e20 + e30) / 2)
        add(
            "battery",
            y,
            "capex_energy",
            ev,
            "CNY2020/kWh",
            lit_src + " [LBNL 2023: Achieving an 80% carbon-free electricity system in China by 2035]",
            y == 2025,
            "LBNL battery storage CNY/kWh" + ("; 2025 interpolated" if y == 2025 else ""),
        )
        inv, isrc = pcv(y, "battery inverter", "investment")
        add(
            "battery",
            y,
            "capex_power",
            inv * EUR_CNY_2020,
            "CNY2020/kW",
            pc_src.format(y=y) + f" [{isrc}]",
            False,
            f"DEA battery inverter {inv} EUR/kW x {EUR_CNY_2020}; " + fx,
        )
        fom_pct, fsrc = pcv(y, "battery inverter", "FOM")
        add(
            "battery",
            y,
            "fom",
            inv * EUR_CNY_2020 * fom_pct / 100,
            "CNY2020/kW/yr",
            pc_src.format(y=y) + f" [{fsrc}]",
            False,
            f"inverter FOM {fom_pct}%/yr of inverter capex",
        )
        eff, esrc = pcv(y, "battery inverter", "efficiency")
        add(
            "battery",
            y,
            "efficiency",
            eff * eff,
            "fraction",
            pc_src.format(y=y) + f" [{esrc}]",
            False,
            f"round trip = inverter efficiency {eff} squared (charge and discharge)",
        )
        life, lsrc = pcv(y, "battery storage", "lifetime")
        add(
            "battery",
            y,
            "lifetime",
            life,
            "yr",
            pc_src.format(y=y) + f" [{lsrc}]",
            False,
            "battery storage (cells) lifetime; inverter lifetime 10 yr in the same source",
        )

    # Coal flexibility retrofit: no source found in this pass
    for y in (2020, 2025, 2030):
        add(
            "coal_flex_retrofit",
            y,
            "capex_power",
            1000.0,
            "CNY2020/kW",
            "no public figure retrieved in this build; order of magnitude of Chinese reports on the "
            "2021 NDRC/NEA 'three retrofits' (煤电机组改造升级实施方案, 发改运行〔2021〕1519号)",
            True,
            "assumption: ~1000 CNY per kW of added regulating range (min-load cut), constant over time; "
            "replace with a sourced figure",
        )
        add(
            "coal_flex_retrofit",
            y,
            "lifetime",
            15.0,
            "yr",
            "assumption of this build",
            True,
            "assumed economic life of a retrofit",
        )
    return _finish(rows, ["tech", "year", "parameter", "value", "unit"])


# ======================================================================================
# 4. prices
# ======================================================================================
# Desulphurised coal benchmark on-grid tariff (脱硫燃煤标杆电价, CNY/kWh). From 2020 the
# benchmark price (燃煤发电基准价) equals this tariff (NDRC 发改价格规〔2019〕1658号).
SOLARBE_URL = "https://wenku.solarbe.com/p-20929.html"
DOC360_URL = "http://360doc.com/content/17/0419/10/40293786_646779495.shtml"
BENCHMARK_TARIFF = {
    "BJ": 0.3598,
    "TJ": 0.3655,
    "SH": 0.4155,
    "AH": 0.3844,
    "FJ": 0.3932,
    "HI": 0.4298,
    "HE": 0.3682,
    "HA": 0.3779,
    "HL": 0.3740,
    "HB": 0.4161,
    "HN": 0.4500,
    "JL": 0.3731,
    "JS": 0.3910,
    "JX": 0.4143,
    "LN": 0.3749,
    "NX": 0.2595,
    "QH": 0.3247,
    "SD": 0.3949,
    "ZJ": 0.4153,
    "GS": 0.3078,
    "NM": 0.2932,
    "SX": 0.3320,
    "SN": 0.3545,
    "GD": 0.4530,
    "GX": 0.4207,
    "YN": 0.3358,
}
# Not in the solarbe excerpt: older (April 2017) table, flagged as estimates
BENCHMARK_TARIFF_OLD = {"CQ": 0.3796, "SC": 0.4012, "GZ": 0.3363, "XJ": 0.2500}


# Chinese thermal coal (5,500 kcal/kg NAR, Qinhuangdao port, CNY/t). No published 2020 annual
# average could be retrieved with the search tool; the 2020 value is the mean of dated 2020 spot
# quotes, each with its address. 1 tce = 7,000 kcal, so CNY/tce = CNY/t x 7000 / 5500.
COAL_KCAL_PER_KG = 5500
TCE_KCAL_PER_KG = 7000
COAL_QHD_2020_QUOTES = [  # (date, CNY/t, source)
    (
        "2020-02-end",
        556,
        "Xinhua 2020-04-19: 540 on 3 Apr, 'down 16 yuan from the end of February', https://en.imsilkroad.com/p/312863.html",
    ),
    ("2020-04-03", 540, "Xinhua 2020-04-19, https://en.imsilkroad.com/p/312863.html"),
    (
        "2020-05",
        500,
        "Chuancai Securities coal H1-2020 review: price 'fell below 500' in Q2 before the May turn, http://www.baogao8.com/p-110855.html",
    ),
    (
        "2020-06-end",
        570,
        "Chuancai Securities coal H1-2020 review: '截止6月底煤价达到570元/吨', http://www.baogao8.com/p-110855.html",
    ),
    (
        "2020-11-27",
        586,
        "Xinhua 2021-01-24: 642 on 25 Dec, 'up 56 yuan from Nov. 27', http://www.china.org.cn/china/Off_the_Wire/2021-01/24/content_77148925.htm",
    ),
    (
        "2020-12-25",
        642,
        "Xinhua 2021-01-24, http://www.china.org.cn/china/Off_the_Wire/2021-01/24/content_77148925.htm",
    ),
]
# NDRC 发改价格〔2022〕303号 (24 Feb 2022, in force 1 May 2022): reasonable range of the medium- and
# long-term contract price of Qinhuangdao 5,500 kcal 下水煤, 570-770 CNY/t.
COAL_LTC_RANGE_2022 = (570, 770)
COAL_LTC_URL = "http://www.dongmingdx.com/article/56327.html"
COAL_LTC_URL2 = (
    "https://www.channelnewsasia.com/business/china-sets-price-guide-benchmark-thermal-coal-2516571"
)


def _coal_cny_tce(cny_t: float) -> float:
    return cny_t * TCE_KCAL_PER_KG / COAL_KCAL_PER_KG


def build_prices(raw: Path) -> pd.DataFrame:
    rows = []
    # --- coal: Chinese port price (2020) and policy contract range (2025)
    q = [v for _, v, _ in COAL_QHD_2020_QUOTES]
    c2020 = sum(q) / len(q)
    rows.append(
        _row(
            item="coal",
            region="national",
            year=2020,
            value=round(_coal_cny_tce(c2020), 1),
            unit="CNY2020/tce",
            source="Qinhuangdao 5,500 kcal/kg thermal-coal spot quotes, 2020: "
            + "; ".join(f"{d} {v} CNY/t ({s})" for d, v, s in COAL_QHD_2020_QUOTES),
            estimate=True,
            method=(
                f"mean of the {len(q)} dated 2020 spot quotes = {c2020:.1f} CNY/t (5,500 kcal/kg) x 7000/5500 "
                "(1 tce = 7,000 kcal) ; no published 2020 annual average was retrieved (quotes miss Jul-Oct and "
                "over-weight the December spike and the May trough equally); port (FOB north-port) price, "
                "excludes rail/sea freight to inland plants"
            ),
        )
    )
    lo, hi = COAL_LTC_RANGE_2022
    mid = (lo + hi) / 2
    rows.append(
        _row(
            item="coal",
            region="national",
            year=2025,
            value=round(_coal_cny_tce(mid), 1),
            unit="CNY2020/tce",
            source=(
                "NDRC 关于进一步完善煤炭市场价格形成机制的通知 (发改价格〔2022〕303号): reasonable range of the "
                f"medium/long-term contract price of Qinhuangdao 5,500 kcal 下水煤 {lo}-{hi} CNY/t, "
                f"{COAL_LTC_URL}; also Reuters 2022-02-24, {COAL_LTC_URL2}"
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
                _row(
                    item=item,
                    region="national",
                    year=y,
                    value=round(cny_tce, 1),
                    unit="CNY2020/tce",
                    source=fuel_src.format(y=y, s=r["source"]),
                    estimate=True,
                    method=(
                        f"{eur_mwh} EUR/MWh_th x {MWH_TH_PER_TCE:.3f} MWh/tce x {EUR_CNY_2020} CNY/EUR; an international "
                        "marker price used as proxy for China's delivered price (no citable Chinese city-gate or "
                        "industrial price retrieved); same value in the 2025 file"
                    ),
                )
            )
    for code, v in BENCHMARK_TARIFF.items():
        rows.append(
            _row(
                item="grid_import",
                region=code,
                year=2020,
                value=round(v * 1000, 1),
                unit="CNY2020/MWh",
                source=f"provincial desulphurised coal benchmark tariff table, {SOLARBE_URL}; benchmark = 2020 燃煤发电基准价 per NDRC 发改价格规〔2019〕1658号",
                estimate=False,
                method="CNY/kWh x 1000; on-grid (wholesale) coal benchmark used as the price of grid imports; Hebei and Inner Mongolia single values cover two grids each",
            )
        )
    for code, v in BENCHMARK_TARIFF_OLD.items():
        rows.append(
            _row(
                item="grid_import",
                region=code,
                year=2020,
                value=round(v * 1000, 1),
                unit="CNY2020/MWh",
                source=f"table of provincial desulphurised coal benchmark tariffs as of April 2017, {DOC360_URL}",
                estimate=True,
                method="pre-July-2017 tariff used as proxy for the 2020 benchmark (not in the newer table found); CNY/kWh x 1000",
            )
        )
    return _finish(rows, ["item", "region", "year", "value", "unit"])


# ======================================================================================
# 5. emission factors
# ======================================================================================
# MEE & NBS, 2022 provincial average electricity CO2 emission factors (公告2024年第33号,
# 20 Dec 2024), kgCO2/kWh = tCO2/MWh. Values transcribed from a secondary copy; the
# year label differs between secondary copies (some label them 2021). Flagged estimate.
GRID_EF_2022 = {
    "BJ": 0.5580,
    "TJ": 0.7041,
    "HE": 0.7252,
    "SX": 0.7096,
    "NM": 0.6849,
    "LN": 0.5626,
    "JL": 0.4932,
    "HL": 0.5368,
    "SH": 0.5849,
    "JS": 0.5978,
    "ZJ": 0.5153,
    "AH": 0.6782,
    "FJ": 0.4092,
    "JX": 0.5752,
    "SD": 0.6410,
    "HA": 0.6058,
    "HB": 0.4364,
    "HN": 0.4900,
    "GD": 0.4403,
    "GX": 0.4044,
    "HI": 0.4184,
    "CQ": 0.5227,
    "SC": 0.1404,
    "GZ": 0.4989,
    "YN": 0.1073,
    "SN": 0.6558,
    "GS": 0.4772,
    "QH": 0.1567,
    "NX": 0.6423,
    "XJ": 0.6231,
}
GRID_EF_NATIONAL_2022 = 0.5366
MEE_SRC = (
    "MEE & NBS, 关于发布2022年电力二氧化碳排放因子的公告 (公告2024年第33号, 20 Dec 2024), provincial average "
    "electricity CO2 emission factors; original at www.mee.gov.cn (URL not retrieved)"
)
# IPCC 2006 Guidelines Vol. 2 ch. 1 Table 1.4 default CO2 emission factors (kg CO2/TJ)
IPCC_EF = {
    "coal": (94600.0, "Other bituminous coal"),
    "oil": (73300.0, "Crude oil"),
    "gas": (56100.0, "Natural gas"),
}


def build_emission_factors() -> pd.DataFrame:
    rows = []
    for item, (kg_tj, label) in IPCC_EF.items():
        rows.append(
            _row(
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
    for code, v in GRID_EF_2022.items():
        rows.append(
            _row(
                item=f"grid:{code}",
                value=v,
                unit="tCO2/MWh",
                source=MEE_SRC,
                estimate=True,
                method=(
                    "2022 provincial average factor used for the 2020 base year (no 2020 provincial set found); "
                    "values transcribed from a secondary copy, not checked against the MEE PDF"
                ),
            )
        )
    rows.append(
        _row(
            item="grid:national",
            value=GRID_EF_NATIONAL_2022,
            unit="tCO2/MWh",
            source=MEE_SRC,
            estimate=True,
            method="2022 national average factor used for the 2020 base year; secondary copies disagree on the year label (0.5568 vs 0.5366 for 2021/2022)",
        )
    )
    return _finish(rows, ["item", "value", "unit"])


# ======================================================================================
# 6. constants
# ======================================================================================
def build_constants() -> pd.DataFrame:
    rows = [
        _row(
            name="tce_gj",
            year=0,
            value=TCE_GJ,
            unit="GJ/tce",
            source=SRC_GBT2589,
            estimate=False,
            method="1 kgce = 29307.6 kJ (7000 kcal)",
        ),
        _row(
            name="elec_coal_equivalent_kgce_per_kwh",
            year=2020,
            value=0.3055,
            unit="kgce/kWh",
            source="China Electricity Council, 中国电力行业年度发展报告2021: 2020 national average coal consumption rate for power supply (供电标准煤耗) 305.5 gce/kWh",
            estimate=False,
            method=(
                "供电煤耗 of thermal plants >= 6 MW; CEC figure as widely quoted, report page not retrieved in this build; "
                "NBS energy balances use the generation rate (发电煤耗), which is lower"
            ),
        ),
        _row(
            name="elec_calorific_kgce_per_kwh",
            year=0,
            value=0.1229,
            unit="kgce/kWh",
            source=SRC_GBT2589,
            estimate=False,
            method="3600 kJ/kWh / 29307.6 kJ/kgce",
        ),
        _row(
            name="raw_coal_tce_per_t",
            year=0,
            value=0.7143,
            unit="tce/t",
            source=SRC_GBT2589,
            estimate=False,
            method="raw coal 20908 kJ/kg reference value",
        ),
        _row(
            name="gas_tce_per_1000m3",
            year=0,
            value=1.33,
            unit="tce/1000m3",
            source=SRC_GBT2589 + "; China Energy Statistical Yearbook conversion table",
            estimate=False,
            method="natural gas 38931 kJ/m3 (GB/T 2589 range 1.100-1.330 kgce/m3; statistical yearbook uses 1.33)",
        ),
        _row(
            name="oil_tce_per_t",
            year=0,
            value=1.4286,
            unit="tce/t",
            source=SRC_GBT2589,
            estimate=False,
            method="crude oil 41816 kJ/kg reference value",
        ),
        _row(
            name="mwh_th_per_tce",
            year=0,
            value=round(MWH_TH_PER_TCE, 4),
            unit="MWh/tce",
            source=SRC_GBT2589,
            estimate=False,
            method="29.3076 GJ / 3.6 GJ/MWh",
        ),
        _row(
            name="btu_per_gce",
            year=0,
            value=BTU_PER_GCE,
            unit="Btu/gce",
            source=SRC_GBT2589 + "; 1 Btu = 1.05506 kJ (ISO 31-4)",
            estimate=False,
            method="29.3076 kJ / 1.05506 kJ/Btu; converts GEM heat rates (Btu/kWh) to gce/kWh",
        ),
        _row(
            name="eur_cny",
            year=2020,
            value=EUR_CNY_2020,
            unit="CNY/EUR",
            source=SRC_ECB,
            estimate=False,
            method="annual average 2020, used for all EUR cost conversions",
        ),
        _row(
            name="usd_cny",
            year=2020,
            value=USD_CNY_2020,
            unit="CNY/USD",
            source=SRC_NBS_FX,
            estimate=False,
            method="annual average 2020",
        ),
    ]
    return _finish(rows, ["name", "year", "value", "unit"])


# ======================================================================================
# 7. targets, city_targets
# ======================================================================================
PROV_NAME_TO_CAPFILE = {"Inner Mongolia": "InnerMongolia"}
CITY_NAME_TO_ID = {"Liupanshui": "liupanshui", "Ordos": "ordos"}
TARGET_SKIP = {"energy_intensity_definition_change"}  # method note, no value


def _parse_value(v) -> tuple[float | None, str]:
    s = str(v).strip()
    if s in ("", "nan"):
        return None, ""
    if "-" in s:
        lo, hi = (float(x) for x in s.split("-"))
        return (lo + hi) / 2, f"range {s} stated; midpoint used"
    return float(s), ""


def build_targets(raw: Path) -> pd.DataFrame:
    a = pd.read_csv(raw / "policy_targets_14fyp_compiled.csv")
    b = pd.read_csv(raw / "policy_targets_14fyp_addendum.csv")
    a["file"] = "policy_targets_14fyp_compiled.csv"
    b["file"] = "policy_targets_14fyp_addendum.csv"
    rows: dict[tuple, dict] = {}
    for r in pd.concat([a, b], ignore_index=True).itertuples():
        if r.indicator in TARGET_SKIP:
            continue
        val, note = _parse_value(r.value)
        if val is None:
            continue
        scope, region = r.scope, r.region
        estimate = False
        method_bits = [f"raw file {r.file}", f"qualifier: {r.qualifier}"]
        if note:
            method_bits.append(note)
            estimate = True
        if scope == "city":
            if r.region.startswith("Tieling"):
                # not a model city: kept as the Liaoning proxy it stands for
                scope, region = "province", "Liaoning"
                estimate = True
                method_bits.append(
                    "Tieling city target implementing Liaoning's 辽政发〔2022〕16号, used as proxy for the Liaoning "
                    "provincial figure (not seen)"
                )
            else:
                region = CITY_NAME_TO_ID[r.region]
        src = str(r.source_url)
        if src.startswith(("UNVERIFIED", "(text seen")) and r.region == "Ordos":
            src = (
                "鄂尔多斯市“十四五”节能减排综合工作实施方案 (29 Nov 2022); companion plan listed at "
                "https://www.ordos.gov.cn/zzms/slh_zcwjx/index_26.html"
            )
            method_bits.append("plan text seen by the data helper; address of the plan page not retrieved")
        if isinstance(r.note, str) and r.note:
            method_bits.append("note: " + r.note.replace("\n", " ")[:300])
        base_year = "" if pd.isna(r.base_year) else int(r.base_year)
        ty = str(r.target_year)
        target_year = int(ty.split("-")[-1])
        if "-" in ty:
            method_bits.append(f"target period {ty}; last year used")
        unit = str(r.unit)
        unit = "percent vs base_year" if unit == "% vs base" else unit
        key = (scope, region, r.indicator, target_year)
        rows[key] = _row(  # addendum rows come last and supersede
            scope=scope,
            region=region,
            indicator=r.indicator,
            value=val,
            unit=unit,
            base_year=base_year,
            target_year=target_year,
            source=src,
            estimate=estimate,
            method="; ".join(method_bits),
        )
    return _finish(
        list(rows.values()),
        ["scope", "region", "indicator", "value", "unit", "base_year", "target_year"],
    )


def build_city_targets(targets: pd.DataFrame, codes: dict[str, str]) -> pd.DataFrame:
    rows = []
    prov_label = {v: k for k, v in PROV_NAME_TO_CAPFILE.items()}
    for cid, info in CITIES.items():
        prov = prov_label.get(info["prov"], info["prov"])
        for ind in ("energy_intensity_reduction", "co2_intensity_reduction"):
            sel = targets[(targets["indicator"] == ind) & (targets["target_year"] == 2025)]
            city = sel[(sel["scope"] == "city") & (sel["region"] == cid)]
            provr = sel[(sel["scope"] == "province") & (sel["region"] == prov)]
            nat = sel[(sel["scope"] == "national")]
            if not city.empty:
                t, frm, est, meth = (
                    city.iloc[0],
                    "city",
                    city.iloc[0]["estimate"] == "true",
                    "city's own target",
                )
            elif not provr.empty:
                t, frm = provr.iloc[0], "province"
                est = provr.iloc[0]["estimate"] == "true"
                meth = f"provincial target of {prov} applied to the city"
                if est:
                    meth += " (provincial figure itself is a proxy; see targets.csv)"
            else:
                t, frm, est = nat.iloc[0], "national", True
                meth = "national default: no provincial target found"
            rows.append(
                _row(
                    city_id=cid,
                    indicator=ind,
                    value=float(t["value"]),
                    unit="percent",
                    base_year=2020,
                    target_year=2025,
                    resolved_from=frm,
                    source=t["source"],
                    estimate=est,
                    method=meth,
                )
            )
    return _finish(
        rows,
        ["city_id", "indicator", "value", "unit", "base_year", "target_year", "resolved_from"],
    )


# ======================================================================================
# 8. storage mandates
# ======================================================================================
def build_storage_mandates(raw: Path) -> pd.DataFrame:
    a = pd.read_csv(raw / "policy_targets_14fyp_compiled.csv")
    st = a[a["indicator"].str.startswith("storage")]
    nm = st[st["indicator"] == "storage_ratio_new_RE_market_projects"].iloc[0]
    nx = st[st["indicator"] == "storage_ratio_new_RE"].iloc[0]
    nat = st[(st["scope"] == "national") & (st["qualifier"] == ">20 provinces")].iloc[0]
    rows = [
        _row(
            region="NM",
            power_ratio=float(nm["value"]) / 100,
            duration_h=4.0,
            source=nm["source_url"],
            estimate=False,
            method=(
                "Inner Mongolia Mar 2022 opinion: 15% x 4 h for market-based (市场化) projects; guaranteed-grid "
                "(保障性) projects 15% x 2 h; the 4 h market case is used"
            ),
        ),
        _row(
            region="NX",
            power_ratio=float(nx["value"]) / 100,
            duration_h=2.0,
            source=nx["source_url"],
            estimate=False,
            method="Ningxia new-storage implementation plan (Feb 2023): 10% x 2 h",
        ),
        _row(
            region="national",
            power_ratio=0.15,
            duration_h=2.0,
            source=nat["source_url"],
            estimate=True,
            method=(
                "national range 10-20% of RE capacity (2022-2024, >20 provinces; mandate scrapped for new plants "
                "in 2025): midpoint 15%; duration not stated, 2 h assumed (most common provincial duration)"
            ),
        ),
    ]
    return _finish(rows, ["region", "power_ratio", "duration_h"])


# ======================================================================================
# 9. efficiency programmes
# ======================================================================================
def build_efficiency_programmes() -> pd.DataFrame:
    a = pd.read_csv(HERE / "efficiency_programmes_assumptions.csv")
    rows = []
    for r in a.itertuples():
        rows.append(
            _row(
                sector=r.sector,
                programme=r.programme,
                potential_share=r.potential_share,
                cost=r.cost,
                unit="CNY2020/tce",
                source=(
                    "assumption of this build (calibration/build/efficiency_programmes_assumptions.csv); "
                    "no published China sector supply curve retrieved; measure lists after Ma, Chen & Xu 2015 "
                    "Future Cities and Environment 1:7 (steel, 36 measures) and the 2021 NDRC/MIIT energy-saving "
                    "programmes"
                ),
                estimate=True,
                method=(
                    f"{r.basis}. Cost = annualised investment per tce/yr saved or switched (CRF ~0.12, 8%/15 yr, "
                    "x assumed 3000-10000 CNY per tce/yr of capacity), excluding fuel-cost changes, which the "
                    "planner prices separately"
                ),
            )
        )
    return _finish(rows, ["sector", "programme", "potential_share", "cost", "unit"])


# ======================================================================================
# Checks recorded at build time (reported in SOURCES-supply.md)
# ======================================================================================
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
    u["prov"] = u["city_id"].map(lambda c: CITIES[c]["prov"])
    s = u.groupby(["prov", "tech"])["capacity_mw"].sum().reset_index()
    s = s[s["tech"].isin(colmap)]
    s["province_total_mw"] = [float(cap.loc[p, colmap[t]]) for p, t in zip(s["prov"], s["tech"], strict=True)]
    s["ok"] = s["capacity_mw"] <= s["province_total_mw"] + 1e-6
    return s


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--raw", type=Path, default=DEFAULT_RAW)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    raw, out = args.raw, args.out
    out.mkdir(parents=True, exist_ok=True)
    codes = _province_codes(raw)

    pv = solar_shares(raw)
    units, chk = build_power_units(raw, pv)
    tables = {
        "power_units.csv": units,
        "potentials.csv": build_potentials(raw, pv, chk["gem_all"], units),
        "technologies.csv": build_technologies(raw),
        "prices.csv": build_prices(raw),
        "emission_factors.csv": build_emission_factors(),
        "constants.csv": build_constants(),
    }
    targets = build_targets(raw)
    tables["targets.csv"] = targets
    tables["city_targets.csv"] = build_city_targets(targets, codes)
    tables["storage_mandates.csv"] = build_storage_mandates(raw)
    tables["efficiency_programmes.csv"] = build_efficiency_programmes()
    for name, df in tables.items():
        df.to_csv(out / name, index=False, lineterminator="\n")
        print(f"wrote {name}: {len(df)} rows")
    sums = provincial_sums(raw, units)
    print("\nCity fleet sums vs provincial 2020 totals (MW):")
    print(sums.to_string(index=False))
    fleet = units.pivot_table(
        index="city_id", columns="tech", values="capacity_mw", aggfunc="sum", fill_value=0
    )
    print("\nFleet by city (GW):")
    print((fleet / 1000).round(2).to_string())


if __name__ == "__main__":
    main()
