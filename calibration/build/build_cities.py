"""Build zones.csv, cities.csv, city_history.csv and industry.csv from shared/data/raw.

Run from the repository root:  .venv/bin/python calibration/build/build_cities.py

Reads ../shared/data/raw/* (build time only; the model never reads ../shared) and writes
calibration/data/{zones,cities,city_history,industry}.csv to the contract in
model/data/schema.py. Methods, assumptions and sources: calibration/data/SOURCES-cities.md.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.data.schema import SECTORS

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT.parent / "shared" / "data" / "raw"
OUT = ROOT / "calibration" / "data"
YEARS = list(range(2015, 2021))

# --------------------------------------------------------------------------------------
# Stated constants (their sources are listed in SOURCES-cities.md)
# --------------------------------------------------------------------------------------
TCE_PER_T_RAW_COAL = 0.7143  # GB/T 2589-2020: raw coal 20,908 kJ/kg / 29,307.6 kJ/kgce
TJ_PER_TCE = 0.0293076  # 1 tce = 29.3076 GJ (DESIGN.md convention)
# Coal-equivalent (power-supply) factor for electricity: CEC 2020 national average coal
# consumption of thermal power supply, 305.5 gce/kWh = 0.3055 tce/MWh.
TCE_PER_MWH_COAL_EQ = 0.3055
# IPCC 2006 GL Vol.2 Ch.1 Table 1.4 default CO2 factors (tCO2/TJ), oxidation factor 1.
# Used only to turn CEADs fuel CO2 back into energy *shares*; levels are rescaled to the
# statistical totals. 'other_gas' (BF/converter/producer gas) is given the gas-works-gas
# factor; 'other_coking_products' the coal-tar factor.
IPCC_EF = {
    "raw_coal": 94.6,
    "cleaned_coal": 94.6,
    "other_washed_coal": 94.6,
    "briquettes": 97.5,
    "coke": 107.0,
    "coke_oven_gas": 44.4,
    "other_gas": 44.4,
    "other_coking_products": 80.7,
    "crude_oil": 73.3,
    "gasoline": 69.3,
    "kerosene": 71.9,
    "diesel_oil": 74.1,
    "fuel_oil": 77.4,
    "lpg": 63.1,
    "refinery_gas": 57.6,
    "other_petroleum_products": 73.3,
    "natural_gas": 56.1,
}
# By-product fuels (coke-oven gas, blast-furnace/converter gas, coking by-products) carry
# energy already counted in the coal/coke they come from: they are excluded when CEADs CO2
# is turned back into energy (their CO2 stays in the CEADs totals).
BYPRODUCT_FUELS = ("coke_oven_gas", "other_gas", "other_coking_products")
ENERGY_FUELS = tuple(f for f in IPCC_EF if f not in BYPRODUCT_FUELS)
COAL_SHARE_CAP = 0.90  # provincial coal share of total energy capped (binds: Inner Mongolia)
CARRIER_OF_FUEL = {
    **{f: "coal" for f in list(IPCC_EF)[:8]},
    **{f: "oil" for f in list(IPCC_EF)[8:16]},
    "natural_gas": "gas",
}

# CEADs 46 sectors -> model sectors. The power/heat sector is transformation (planner's).
POWER_SECTOR = "Production and Supply of Electric Power, Steam and Hot Water"
SECTOR_MAP = {
    "Smelting and Pressing of Ferrous Metals": "steel",
    "Ferrous Metals Mining and Dressing": "steel",
    "Nonmetal Mineral Products": "building_materials",
    "Nonmetal Minerals Mining and Dressing": "building_materials",
    "Raw Chemical Materials and Chemical Products": "chemicals",
    "Chemical Fiber": "chemicals",
    "Petroleum Processing and Coking": "chemicals",
    "Smelting and Pressing of Nonferrous Metals": "nonferrous",
    "Nonferrous Metals Mining and Dressing": "nonferrous",
    "Transportation, Storage, Post and Telecommunication Services": "services",
    "Wholesale, Retail Trade and Catering Services": "services",
    "Others": "services",
    "Urban": "residential",
    "Rural": "residential",
}  # every other CEADs sector (other manufacturing, mining, construction, farming,
#    gas and water supply) -> other_industry
INDUSTRIAL = SECTORS[:5]  # the sectors of the secondary industry (primary value added in other_industry)

# ASSUMPTIONS (estimates, documented in SOURCES-cities.md; not sourced statistics)
# Relative final-energy intensity of value added (other_industry = 1) used to split a
# city's secondary VA across industrial sectors in proportion to energy / intensity.
REL_ENERGY_INTENSITY = {
    "steel": 10.0,
    "building_materials": 6.0,
    "chemicals": 6.0,
    "nonferrous": 5.0,
    "other_industry": 1.0,
}
# Relative electricity intensity of VA among industrial sectors (other_industry = 1).
REL_ELEC_INTENSITY = {
    "steel": 3.0,
    "building_materials": 3.0,
    "chemicals": 3.0,
    "nonferrous": 8.0,
    "other_industry": 1.0,
}
# National 2020 structure used as the reference that a city's structure is scaled against:
# GDP shares (NBS 2020 statistical communique: 7.7 / 37.8 / 54.5 %) and whole-society
# electricity use by sector (CEC 2020: primary 1.1, secondary 68.2, tertiary 16.1,
# residential 14.6 %).
NAT_GDP_SHARE = {"primary": 0.077, "secondary": 0.378, "tertiary": 0.545}
NAT_ELEC_SHARE = {"primary": 0.011, "secondary": 0.682, "tertiary": 0.161, "residential": 0.146}
# Heat: CEADs does not separate heat from power. Share of the provincial power-and-heat
# sector's fossil input assumed to reach final users as purchased heat.
HEAT_SHARE_OF_POWER_SECTOR = {"north": 0.15, "south": 0.05}
NORTH = {"BJ", "HE", "SX", "NM", "LN", "JL", "HL", "SD", "HA", "NX"}
HEAT_SPLIT_NORTH = {"residential": 0.6, "services": 0.2, "industry": 0.2}
# Specialisation multipliers applied to the provincial final-energy structure of a city.
SPECIALISATION = {
    "tangshan": {"steel": 2.0},
    "baotou": {"steel": 2.0, "nonferrous": 2.0},
    "anshan": {"steel": 2.0},
    "xiangtan": {"steel": 2.0},
    "loudi": {"steel": 2.0},
    "daqing": {"chemicals": 2.0},
    "jilin": {"chemicals": 2.0},
    "zibo": {"chemicals": 2.0},
    "fushun": {"chemicals": 2.0},
    "ningdong": {"chemicals": 3.0},
    "ordos": {"chemicals": 2.0},
    "shizuishan": {"chemicals": 2.0},
    "tongling": {"nonferrous": 10.0, "steel": 0.5},
    "huangshi": {"nonferrous": 2.0},
    "zhuzhou": {"nonferrous": 2.0},
}
MENTOUGOU_SHARE = 0.5  # share of Mentougou in Beijing Jingxi (assumption, see SOURCES)

# Source strings -------------------------------------------------------------------------
SRC_CITY_STATS = (
    "China City Statistical Yearbook / municipal statistical communiques (NBS and city "
    "statistics bureaux), via CSMAR China Regional Economy database"
)
SRC_CEADS = (
    "CEADs city CO2 inventories (Shan et al. 2022 Sci. Bull. 67:1910; Shan et al. 2018 "
    "Sci. Adv. 4:eaaq0390; https://ceads.net/data/city/)"
)
SRC_CEADS_PROV = "CEADs provincial CO2 inventories 2015-2019 (Shan et al. 2018 Sci. Data 5:170201)"
SRC_PROV_ENERGY = (
    "NBS / China Energy Statistical Yearbook provincial energy consumption and energy "
    "balances (via Wind extract); NBS/NDRC/NEA energy-intensity communiques 2018, 2020"
)
SRC_XING = "Xing et al. 2021 Nat. Commun. 12:3159 Suppl. Data 1 (county GDP and generation)"
SRC_CSMAR_NOTE = "values compiled via the CSMAR regional-economy extract for calibration"

# --------------------------------------------------------------------------------------
# Model cities
# --------------------------------------------------------------------------------------
# city_id, zone, name_en, name_zh, province, admin codes, membership, default, lat, lon,
# basis (prefecture | chongqing | beijing | ningdong), csmar/ceads city code, ceads name
CITIES = [
    ("shenyang", "Z01", "Shenyang", "沈阳市", "Liaoning", "210100", 41.8057, 123.4315),
    ("anshan", "Z01", "Anshan", "鞍山市", "Liaoning", "210300", 41.1087, 122.9946),
    ("fushun", "Z01", "Fushun", "抚顺市", "Liaoning", "210400", 41.8808, 123.9572),
    ("changchun", "Z02", "Changchun", "长春市", "Jilin", "220100", 43.8800, 125.3228),
    ("jilin", "Z02", "Jilin (city)", "吉林市", "Jilin", "220200", 43.8378, 126.5494),
    ("songyuan", "Z02", "Songyuan", "松原市", "Jilin", "220700", 45.1411, 124.8250),
    ("baotou", "Z03", "Baotou", "包头市", "Inner Mongolia", "150200", 40.6562, 109.8345),
    ("ordos", "Z03", "Ordos", "鄂尔多斯市", "Inner Mongolia", "150600", 39.6086, 109.7813),
    ("tangshan", "Z04", "Tangshan", "唐山市", "Hebei", "130200", 39.6309, 118.1802),
    ("changzhi", "Z05", "Changzhi", "长治市", "Shanxi", "140400", 36.1954, 113.1163),
    ("zibo", "Z06", "Zibo", "淄博市", "Shandong", "370300", 36.8131, 118.0548),
    ("tongling", "Z07", "Tongling", "铜陵市", "Anhui", "340700", 30.9454, 117.8123),
    ("huangshi", "Z08", "Huangshi", "黄石市", "Hubei", "420200", 30.1994, 115.0389),
    ("zhuzhou", "Z09", "Zhuzhou", "株洲市", "Hunan", "430200", 27.8274, 113.1340),
    ("xiangtan", "Z09", "Xiangtan", "湘潭市", "Hunan", "430300", 27.8297, 112.9441),
    ("loudi", "Z09", "Loudi", "娄底市", "Hunan", "431300", 27.7281, 111.9964),
    (
        "chongqing_west",
        "Z10",
        "Chongqing west (zone districts)",
        "重庆西部(示范区各区)",
        "Chongqing",
        "500115;500102;500106;500116;500117;500151;500118;500153;500104",
        29.5937,
        106.3900,
    ),
    ("zigong", "Z11", "Zigong", "自贡市", "Sichuan", "510300", 29.3390, 104.7784),
    ("shizuishan", "Z12", "Shizuishan", "石嘴山市", "Ningxia", "640200", 39.0133, 106.3761),
    (
        "ningdong",
        "Z12",
        "Ningdong Energy & Chemical Base",
        "宁东能源化工基地",
        "Ningxia",
        "640181",
        38.1000,
        106.6000,
    ),
    (
        "beijing_jingxi",
        "Z13",
        "Beijing Jingxi (Shijingshan + part of Mentougou)",
        "北京京西(石景山区+门头沟区部分)",
        "Beijing",
        "110107;110109",
        39.9056,
        116.2229,
    ),
    ("dalian", "Z14", "Dalian", "大连市", "Liaoning", "210200", 38.9140, 121.6147),
    ("daqing", "Z15", "Daqing", "大庆市", "Heilongjiang", "230600", 46.5893, 125.1036),
    ("xuzhou", "Z16", "Xuzhou", "徐州市", "Jiangsu", "320300", 34.2610, 117.1859),
    ("pingxiang", "Z17", "Pingxiang", "萍乡市", "Jiangxi", "360300", 27.6229, 113.8543),
    ("luoyang", "Z18", "Luoyang", "洛阳市", "Henan", "410300", 34.6197, 112.4540),
    ("pingdingshan", "Z18", "Pingdingshan", "平顶山市", "Henan", "410400", 33.7662, 113.1927),
    ("shaoguan", "Z19", "Shaoguan", "韶关市", "Guangdong", "440200", 24.8104, 113.5972),
    ("liupanshui", "Z20", "Liupanshui", "六盘水市", "Guizhou", "520200", 26.5918, 104.8303),
    ("xiangyang", "", "Xiangyang", "襄阳市", "Hubei", "420600", 32.0090, 112.1220),
    ("yibin", "", "Yibin", "宜宾市", "Sichuan", "511500", 28.7513, 104.6417),
    ("hebi", "", "Hebi", "鹤壁市", "Henan", "410600", 35.7470, 114.2975),
]
BASIS = {"chongqing_west": "chongqing", "beijing_jingxi": "beijing", "ningdong": "ningdong"}
CSMAR_CODE = {c[0]: int(c[5]) for c in CITIES if ";" not in c[5] and c[0] not in BASIS}
CSMAR_CODE.update({"chongqing_west": 500000, "beijing_jingxi": 110000, "ningdong": 640100})
CHONGQING_DISTRICTS = [
    "Changshou Qu", "Fuling Qu", "Shapingba Qu", "Jiangjin Qu", "Hechuan Qu",
    "Tongliang Xian", "Yongchuan Qu", "Rongchang Xian", "Dadukou Qu",
]  # fmt: skip
YINCHUAN_COUNTIES = [
    "Xingqing Qu", "Xixia Qu", "Jinfeng Qu", "Yongning Xian", "Helan Xian", "Lingwu Shi",
]  # fmt: skip
NO_CEADS = {"fushun", "loudi"}  # no CEADs city series in 2015-2019
# CEADs breaks: keep one basis, replace the other side by the city's share of provincial
# CO2 on the kept side (see SOURCES-cities.md for the physical-plausibility test).
CEADS_DROP = {"liupanshui": [2016, 2017, 2018, 2019], "tongling": [2018, 2019]}
BREAK_PROVINCES_2018 = ["Heilongjiang", "Hubei", "Hunan", "Shanxi", "Tianjin"]

SCOPE_NOTES = {
    "chongqing_west": (
        "One model unit for the Chongqing zone: the 8 districts of the 2017 list (Changshou, "
        "Fuling, Shapingba, Jiangjin, Hechuan, Tongliang, Yongchuan, Rongchang; Chongqing "
        "DRC, Apr 2017) plus Dadukou (named 2022 as a key component of the renamed "
        "Chongqing-west zone). Values = Chongqing municipality x district share from Xing "
        "et al. 2021 county data (c. 2015); membership uncertain because no official "
        "14th-FYP district list was found."
    ),
    "beijing_jingxi": (
        "Shijingshan District plus an assumed 50% of Mentougou District (its "
        "industrial-transition lowland/new-town part); values = Beijing x district share "
        "from Xing et al. 2021 county GDP (c. 2015). The Mentougou share is an assumption."
    ),
    "ningdong": (
        "Ningdong Energy & Chemical Base, an industrial base (not a prefecture) mainly in "
        "Lingwu (county-level city under Yinchuan, GB/T 2260 640181). Values = Yinchuan x "
        "Lingwu share (Xing et al. 2021): GDP share for GDP/population, a generation/GDP "
        "blend for energy and CO2. Likely understates the base's energy use after the "
        "2016 coal-to-liquids start-up."
    ),
    "dalian": "Whole Dalian prefecture; the exact coastal sub-city scope was not verified.",
    "jilin": "Jilin prefecture-level city (labelled 'Jilin(province)' in the CSMAR extract).",
    "xiangyang": "Associated: named beside zone cities in the 14th-FYP implementation plan; "
    "in neither the 2017 nor the 2019 notice. Not simulated by default.",
    "yibin": "Associated: named beside zone cities in the 14th-FYP implementation plan; "
    "in neither notice. Not simulated by default.",
    "hebi": "Associated: named in the 14th-FYP implementation plan as a provincial-level "
    "demonstration zone; in neither notice. Not simulated by default.",
}


def norm_prov(name: str) -> str:
    return str(name).replace(" ", "").replace("(province)", "").strip().lower()


def b(x: bool) -> str:
    return "true" if x else "false"


# --------------------------------------------------------------------------------------
# Readers
# --------------------------------------------------------------------------------------
def read_inputs() -> dict[str, pd.DataFrame]:
    r = {}
    r["zones"] = pd.read_csv(RAW / "zones_industrial_transformation_demo_zones.csv")
    r["csmar"] = pd.read_csv(RAW / "city_gdp_structure_population_2010_2021_csmar_extract.csv")
    r["ceads_city"] = pd.read_csv(RAW / "ceads_city_co2_1997_2019_all290.csv")
    r["ceads_zone"] = pd.read_csv(RAW / "ceads_city_co2_zone_cities_2005_2019.csv")
    r["ceads_prov"] = pd.read_csv(RAW / "ceads_province_co2_by_fuel_2015_2019.csv")
    r["ceads_sec"] = pd.read_csv(RAW / "ceads_province_co2_sector_fuel_2015_2019_long.csv")
    r["xing"] = pd.read_csv(RAW / "county_gdp_powergen_2015_xing2021_ncomms.csv")
    r["xing"].columns = ["fid", "county", "province", "gdp_usd", "gen_mwh", "storage"]
    r["xing"]["province"] = r["xing"]["province"].str.strip()
    r["penergy"] = pd.read_csv(RAW / "province_total_energy_consumption_2015_2020.csv")
    r["pcarrier"] = pd.read_csv(RAW / "province_coal_oil_gas_electricity_consumption_2015_2020.csv")
    r["pnbs"] = pd.read_csv(RAW / "province_energy_intensity_change_nbs_2018_2020.csv")
    r["pgdp"] = pd.read_csv(RAW / "province_historical_gdp_pypsa_china.csv", skiprows=1)
    r["codes"] = pd.read_csv(RAW / "province_codes_pypsa_china.csv")
    return r


# --------------------------------------------------------------------------------------
# zones.csv and cities.csv
# --------------------------------------------------------------------------------------
def build_zones(r) -> pd.DataFrame:
    z = r["zones"].groupby("zone_id", sort=True).first().reset_index()
    out = pd.DataFrame(
        {
            "zone_id": z.zone_id,
            "name_en": z.zone_name_en,
            "name_zh": z.zone_name_zh,
            "province": z.province,
            "batch": z.batch.astype(int),
            "approval_year": z.approval_year.astype(int),
            "source": [
                (
                    "NDRC/MOST/MIIT/MLR/CDB notice, Apr 2017 (首批示范区); "
                    if bt == 1
                    else "NDRC/MOST/MIIT/MNR/CDB notice, 30 Aug 2019 (第二批示范区); "
                )
                + u
                for bt, u in zip(z.batch, z.source_url, strict=True)
            ],
            "estimate": "false",
            "method": "zone list as published in the notice (hand-compiled raw table)",
        }
    )
    assert len(out) == 20
    return out


def build_cities(r) -> pd.DataFrame:
    codes = {norm_prov(a): c for a, c in zip(r["codes"]["Full name"], r["codes"]["Code"], strict=True)}
    rows = []
    for cid, zid, en, zh, prov, adm, lat, lon in CITIES:
        if zid == "":
            membership, default = "associated", False
            src = "NDRC 14th-FYP implementation plan for the demonstration zones (shared/policy)"
            method = "named in the plan text but in neither notice: associated, off by default"
        elif cid in BASIS:
            membership, default = "member_uncertain", True
            src = {
                "chongqing_west": "Chongqing DRC via 华龙网 27 Apr 2017 "
                "(https://cq.chinadaily.com.cn/a/201704/27/WS5bdfa04ea3101a87ca90c992.html); "
                "Chongqing NDRC 10 Jun 2022 (http://fzggw.cq.gov.cn/zwxx/bmdt/202206/"
                "t20220610_10802439_wap.html)",
                "beijing_jingxi": "NDRC et al. notice 30 Aug 2019 (http://big5.www.gov.cn/gate/"
                "big5/www.gov.cn/xinwen/2019-09/01/content_5426208.htm); "
                "http://funxun.com/news/35/2021810102420.html",
                "ningdong": "NDRC et al. notice Apr 2017 (http://www.yicai.com/news/5271217.html); "
                "2020 evaluation (http://www.sdenews.com/html/2021/6/318861.shtml)",
            }[cid]
            method = {
                "chongqing_west": "membership choice: 2017 district list + Dadukou as one unit",
                "beijing_jingxi": "membership choice: Shijingshan + 50% of Mentougou (assumed)",
                "ningdong": "membership choice: base proxied by Lingwu within Yinchuan",
            }[cid]
        else:
            membership, default = "member", True
            zrow = r["zones"][r["zones"].city_code == int(adm)]
            src = zrow.source_url.iloc[0] if len(zrow) else ""
            src = "Zone notice: " + src
            method = "prefecture named in the zone notice"
        rows.append(
            {
                "city_id": cid,
                "zone_id": zid,
                "name_en": en,
                "name_zh": zh,
                "province": prov,
                "province_code": codes[norm_prov(prov)],
                "admin_codes": adm,
                "membership": membership,
                "included_by_default": b(default),
                "lat": lat,
                "lon": lon,
                "scope_note": SCOPE_NOTES.get(cid, ""),
                "source": src + "; coordinates: GeoNames / Wikipedia city-centre coordinates",
                "estimate": "false",
                "method": method
                + ("; lat/lon = mean of the district seats" if cid == "chongqing_west" else "")
                + ("; lat/lon approximate (base centre)" if cid == "ningdong" else ""),
            }
        )
    return pd.DataFrame(rows)


# --------------------------------------------------------------------------------------
# Sub-city shares (Xing et al. 2021, c. 2015)
# --------------------------------------------------------------------------------------
def power_weight(r, prov_ceads: str) -> float:
    """Share of the power-and-heat sector in provincial CEADs scope-1 CO2, 2019."""
    s = r["ceads_sec"]
    s = s[(s.province == prov_ceads) & (s.year == 2019) & (s.fuel_or_item == "scope_1_total")]
    return float(s.loc[s.sector == POWER_SECTOR, "mt_co2"].sum() / s.mt_co2.sum())


def subcity_shares(r) -> dict[str, dict[str, float]]:
    x = r["xing"]
    out = {}

    def share(prov, members, weights=None):
        tot = x[x.province == prov]
        sel = tot[tot.county.isin(members)].set_index("county")
        missing = set(members) - set(sel.index)
        assert not missing, missing
        w = pd.Series(1.0, index=members) if weights is None else pd.Series(weights)
        gdp = float((sel.gdp_usd * w).sum() / tot.gdp_usd.sum())
        gen = float((sel.gen_mwh * w).sum() / tot.gen_mwh.sum())
        return gdp, gen

    g, e = share("Chongqing", CHONGQING_DISTRICTS)
    wp = power_weight(r, "Chongqing")
    out["chongqing_west"] = {"gdp": g, "gen": e, "wp": wp, "energy": wp * e + (1 - wp) * g}
    g, e = share(
        "Beijing",
        ["Shijingshan Qu", "Mentougou Qu"],
        {"Shijingshan Qu": 1.0, "Mentougou Qu": MENTOUGOU_SHARE},
    )
    wp = power_weight(r, "Beijing")
    out["beijing_jingxi"] = {"gdp": g, "gen": e, "wp": wp, "energy": wp * e + (1 - wp) * g}
    # Ningdong: Lingwu within Yinchuan (denominator = Yinchuan's six counties/districts)
    yc = x[(x.province == "Ningxia") & x.county.isin(YINCHUAN_COUNTIES)]
    assert len(yc) == 6
    lw = yc[yc.county == "Lingwu Shi"].iloc[0]
    g, e = float(lw.gdp_usd / yc.gdp_usd.sum()), float(lw.gen_mwh / yc.gen_mwh.sum())
    wp = power_weight(r, "Ningxia")
    out["ningdong"] = {"gdp": g, "gen": e, "wp": wp, "energy": wp * e + (1 - wp) * g}
    return out


# --------------------------------------------------------------------------------------
# Socio-economic history (GDP, population, shares)
# --------------------------------------------------------------------------------------
def socio_history(r, shares) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (long rows, wide helper frame indexed by city_id, year)."""
    cs = r["csmar"]
    rows, helper = [], []
    for cid, *_ in CITIES:
        code = CSMAR_CODE[cid]
        d = cs[cs.city_code == code].set_index("year").sort_index()
        d = d.reindex(range(2014, 2021))
        # --- real growth: fill gaps by interpolation over 2014-2019 (flat at the ends)
        g = d.gdp_real_growth_pct.copy()
        filled_g = g.isna()
        g19 = g.loc[2014:2019].interpolate(limit_direction="both")
        g.loc[2014:2019] = g19
        assert not np.isnan(g.loc[2020]), cid
        real = {2020: d.loc[2020, "gdp_100m_cny"] / 10.0}  # 100m CNY -> bn CNY
        est_chain = {2020: False}
        for y in range(2019, 2014, -1):
            real[y] = real[y + 1] / (1 + g.loc[y + 1] / 100.0)
            est_chain[y] = est_chain[y + 1] or bool(filled_g.loc[y + 1])
        # --- shares of GDP
        nom = d.gdp_100m_cny * 1e4  # 10k CNY
        sec = d.secondary_share_pct / 100
        ter = d.tertiary_share_pct / 100
        sec_va = d.gdp_secondary_10k_cny / nom
        ter_va = d.gdp_tertiary_10k_cny / nom
        share_src = {}
        for y in range(2015, 2021):
            if not np.isnan(sec.loc[y]) and not np.isnan(ter.loc[y]):
                share_src[y] = "reported"
            elif not np.isnan(sec_va.loc[y]) and not np.isnan(ter_va.loc[y]):
                sec.loc[y], ter.loc[y] = sec_va.loc[y], ter_va.loc[y]
                share_src[y] = "va"
            else:
                sec.loc[y], ter.loc[y] = np.nan, np.nan
                share_src[y] = "interp"
        sec = sec.loc[2015:2020].interpolate(limit_direction="both")
        ter = ter.loc[2015:2020].interpolate(limit_direction="both")
        # --- population (10k)
        pop = d.pop_yearend_10k.copy()
        pop_src = {}
        for y in range(2015, 2021):
            if not np.isnan(pop.loc[y]):
                pop_src[y] = "reported"
            elif not np.isnan(d.loc[y, "gdp_per_capita_cny"]) and not np.isnan(nom.loc[y]):
                pop.loc[y] = d.loc[y, "gdp_100m_cny"] * 1e8 / d.loc[y, "gdp_per_capita_cny"] / 1e4
                pop_src[y] = "gdppc"
            else:
                pop_src[y] = "interp"
        pop = pop.loc[2015:2020].interpolate(limit_direction="both")

        k = 1.0
        if cid in BASIS:
            k = shares[cid]["gdp"]
        for y in YEARS:
            est_scope = cid in BASIS
            scope_m = ""
            if est_scope:
                base = {
                    "chongqing_west": "Chongqing municipality",
                    "beijing_jingxi": "Beijing municipality",
                    "ningdong": "Yinchuan prefecture",
                }[cid]
                scope_m = (
                    f"{base} value x {k:.4f} (unit's share of {base} GDP in Xing et "
                    "al. 2021 county data, c. 2015, held constant); "
                )
            gm = (
                "constant 2020 prices: 2020 nominal GDP, back-cast with the city's "
                "published real growth rates (GDP_{t-1} = GDP_t / (1 + g_t))"
            )
            if est_chain[y]:
                gm += (
                    "; missing real growth rates filled by linear interpolation of the "
                    "city's 2014-2019 rates (flat at the ends)"
                )
            rows.append(
                dict(
                    city_id=cid,
                    year=y,
                    variable="gdp",
                    value=real[y] * k,
                    unit="bnCNY2020",
                    source=SRC_CITY_STATS,
                    estimate=b(est_chain[y] or est_scope),
                    method=scope_m + gm + "; " + SRC_CSMAR_NOTE,
                )
            )
            pm = "year-end registered (hukou) population where reported"
            if pop_src[y] == "gdppc":
                pm = (
                    "not reported: nominal GDP / GDP per capita (implies an average, "
                    "largely resident, population; mixes bases with hukou years)"
                )
            elif pop_src[y] == "interp":
                pm = "not reported: linear interpolation of neighbouring years"
            rows.append(
                dict(
                    city_id=cid,
                    year=y,
                    variable="population",
                    value=pop.loc[y] * k,
                    unit="10k persons",
                    source=SRC_CITY_STATS,
                    estimate=b(pop_src[y] != "reported" or est_scope),
                    method=scope_m + pm + " (hukou vs resident caveat); " + SRC_CSMAR_NOTE,
                )
            )
            for var, ser in (("secondary_share", sec), ("tertiary_share", ter)):
                sm = {
                    "reported": "reported share of GDP (nominal)",
                    "va": "sector value added / GDP (nominal)",
                    "interp": "not reported: linear interpolation of neighbouring years",
                }[share_src[y]]
                if est_scope:
                    sm = "share of the whole " + base + " (no district structure data); " + sm
                rows.append(
                    dict(
                        city_id=cid,
                        year=y,
                        variable=var,
                        value=float(ser.loc[y]),
                        unit="fraction",
                        source=SRC_CITY_STATS,
                        estimate=b(share_src[y] == "interp" or est_scope),
                        method=sm + "; " + SRC_CSMAR_NOTE,
                    )
                )
            helper.append(
                dict(
                    city_id=cid,
                    year=y,
                    gdp=real[y] * k,
                    sec=float(sec.loc[y]),
                    ter=float(ter.loc[y]),
                    nom_gdp=float(d.loc[2020, "gdp_100m_cny"]) * k,
                )
            )
    return pd.DataFrame(rows), pd.DataFrame(helper).set_index(["city_id", "year"])


# --------------------------------------------------------------------------------------
# Provincial energy
# --------------------------------------------------------------------------------------
def provincial_energy(r) -> dict[str, pd.DataFrame]:
    """Return provincial series (index year, columns normalised province names)."""
    pe = r["penergy"]
    pe = pe[pe.indicator == "total_energy_consumption"].copy()
    pe["p"] = pe.region.map(norm_prov)
    E = pe.pivot_table(index="year", columns="p", values="value") * 1e4  # tce
    nbs = r["pnbs"]
    nbs = nbs[nbs.indicator == "total_energy_consumption_growth"].copy()
    nbs["p"] = nbs.region.map(norm_prov)
    g18 = nbs[nbs.year == 2018].set_index("p").value
    for prov in BREAK_PROVINCES_2018:
        p = norm_prov(prov)
        f = E.loc[2018, p] / (1 + g18[p] / 100) / E.loc[2017, p]
        E.loc[[2015, 2016, 2017], p] *= f
    cp = r["ceads_prov"].copy()
    cp["p"] = cp.province.map(norm_prov)
    co2 = (
        cp[cp.fuel_or_item == "scope_1_total"].pivot_table(index="year", columns="p", values="mt_co2") * 1e6
    )  # tCO2
    # Ningxia 2015-2016 missing: back-cast 2017 by CEADs Ningxia CO2
    for y in (2015, 2016):
        E.loc[y, "ningxia"] = E.loc[2017, "ningxia"] * co2.loc[y, "ningxia"] / co2.loc[2017, "ningxia"]
    # coal energy from CEADs (coal-family CO2 / IPCC factor), fossil energy likewise
    cp = cp[cp.fuel_or_item.isin(ENERGY_FUELS)].copy()
    cp["tce"] = cp.mt_co2 * 1e6 / (cp.fuel_or_item.map(IPCC_EF) * TJ_PER_TCE)
    cp["carrier"] = cp.fuel_or_item.map(CARRIER_OF_FUEL)
    coal_ceads = cp[cp.carrier == "coal"].pivot_table(index="year", columns="p", values="tce", aggfunc="sum")
    pc = r["pcarrier"].copy()
    pc["p"] = pc.region.map(norm_prov)
    coal_phys = pc[pc.indicator == "coal_consumption"].pivot_table(index="year", columns="p", values="value")
    elec = (
        pc[pc.indicator == "electricity_consumption"].pivot_table(index="year", columns="p", values="value")
        * 1e5
    )  # 100m kWh -> MWh
    coal = coal_ceads.reindex(YEARS)
    coal.loc[2020] = coal.loc[2019] * coal_phys.loc[2020] / coal_phys.loc[2019]
    coal = coal[[c for c in coal.columns if c in coal_phys.columns]]
    coal = coal.clip(upper=COAL_SHARE_CAP * E.reindex(YEARS)[coal.columns])
    pg = r["pgdp"].copy()
    pg["p"] = pg.region.map(norm_prov).replace({"innermongolia": "innermongolia"})
    pgdp = pg.set_index("p")[[str(y) for y in YEARS]].T
    pgdp.index = pgdp.index.astype(int)
    return {
        "E": E,
        "co2": co2,
        "coal": coal,
        "coal_phys": coal_phys * 1e4 * TCE_PER_T_RAW_COAL,
        "elec": elec,
        "pgdp": pgdp,
    }


# --------------------------------------------------------------------------------------
# Energy / CO2 history
# --------------------------------------------------------------------------------------
def ceads_city_series(r) -> dict[str, pd.Series]:
    cz = r["ceads_zone"]
    ca = r["ceads_city"]
    by_code = {int(c): g.set_index("year").co2_mt * 1e6 for c, g in cz.groupby("city_code")}
    extra = {"xiangyang": "湖北襄阳", "yibin": "四川宜宾", "hebi": "河南鹤壁"}
    out = {}
    for cid, *_ in CITIES:
        if cid in NO_CEADS:
            continue
        if cid in extra:
            s = ca[ca.city == extra[cid]].set_index("year").co2_mt * 1e6
        else:
            s = by_code[CSMAR_CODE[cid]]
        out[cid] = s.reindex(range(2015, 2020))
    return out


def energy_history(r, prov, socio, shares, cities) -> tuple[pd.DataFrame, pd.DataFrame]:
    E, CO2, COAL, ELEC, PGDP = prov["E"], prov["co2"], prov["coal"], prov["elec"], prov["pgdp"]
    ceads = ceads_city_series(r)
    pcode = dict(zip(cities.city_id, cities.province, strict=True))
    res = {}
    info = {}
    # pass 1: cities with a CEADs series (share of provincial CO2)
    for cid, *_ in CITIES:
        if cid in NO_CEADS:
            continue
        p = norm_prov(pcode[cid])
        s = ceads[cid].copy()
        for y in CEADS_DROP.get(cid, []):
            s.loc[y] = np.nan
        reported = s.notna()
        share = (s / CO2.loc[2015:2019, p]).interpolate(limit_direction="both")
        k = shares[cid]["energy"] if cid in BASIS else 1.0
        share = share * k
        share.loc[2020] = share.loc[2019]
        co2 = share.loc[2015:2019] * CO2.loc[2015:2019, p]
        co2.loc[2020] = co2.loc[2019] * E.loc[2020, p] / E.loc[2019, p]
        energy = share * E.loc[YEARS, p]
        res[cid] = {"share": share, "co2": co2, "energy": energy, "p": p}
        info[cid] = {"reported": reported, "k": k}
    # pass 2: no CEADs series -> peer (same-province CEADs zone cities) energy per unit of
    # secondary VA, times own secondary VA
    for cid in NO_CEADS:
        p = norm_prov(pcode[cid])
        peers = [
            c
            for c in res
            if res[c]["p"] == p
            and c not in BASIS
            and cities.set_index("city_id").loc[c, "membership"] != "associated"
        ]
        inten = {}
        for y in YEARS:
            e = sum(res[c]["energy"].loc[y] for c in peers)
            v = sum(socio.loc[(c, y), "gdp"] * socio.loc[(c, y), "sec"] for c in peers)
            inten[y] = e / v
        energy = pd.Series(
            {y: inten[y] * socio.loc[(cid, y), "gdp"] * socio.loc[(cid, y), "sec"] for y in YEARS}
        )
        share = energy / E.loc[YEARS, p]
        co2 = energy.loc[2015:2019] * CO2.loc[2015:2019, p] / E.loc[2015:2019, p]
        co2.loc[2020] = co2.loc[2019] * E.loc[2020, p] / E.loc[2019, p]
        res[cid] = {"share": share, "co2": co2, "energy": energy, "p": p}
        info[cid] = {"peers": peers}
    rows = []
    for cid, *_ in CITIES:
        d = res[cid]
        p = d["p"]
        # GDP share of province (2020, nominal, same basis) for the electricity key
        gshare = socio.loc[(cid, 2020), "nom_gdp"] / PGDP.loc[2020, p]
        d["gshare"] = gshare
        for y in YEARS:
            sh = d["share"].loc[y]
            coal = sh * COAL.loc[y, p]
            elec = ELEC.loc[y, p] * 0.5 * (sh + gshare)
            d.setdefault("coal", {})[y] = coal
            d.setdefault("elec", {})[y] = elec
            # provenance of CO2
            if cid in NO_CEADS:
                co2m = (
                    "no CEADs series in 2015-2019: energy_total x provincial CEADs "
                    "scope-1 CO2 / provincial energy consumption"
                )
                co2_est = True
                em = (
                    "no CEADs city series: city secondary VA (constant 2020 prices) x energy "
                    "per unit secondary VA of the same-province CEADs zone cities ("
                    + ", ".join(info[cid]["peers"])
                    + ")"
                )
            else:
                rep = y <= 2019 and bool(info[cid]["reported"].loc[y])
                co2_est = not rep or cid in BASIS
                if y == 2020:
                    co2m = "CEADs ends 2019: 2019 value x provincial total-energy growth 2019->2020 (NBS)"
                elif rep:
                    co2m = "CEADs city inventory value (territorial, energy + process)"
                else:
                    why = (
                        "inventory break (basis not kept, see SOURCES-cities.md)"
                        if y in CEADS_DROP.get(cid, [])
                        else "missing in CEADs"
                    )
                    co2m = (
                        f"{why}: city share of provincial CEADs scope-1 CO2 interpolated "
                        "between reported years (flat at the ends) x provincial CO2"
                    )
                em = (
                    "provincial total energy consumption x city share of provincial CO2 "
                    "(CEADs city / CEADs provincial scope-1 total"
                    + (
                        ", share interpolated/held where CEADs city value missing or dropped"
                        if not rep
                        else ""
                    )
                    + ")"
                )
                if y == 2020:
                    em += "; 2020 uses the 2019 share"
            scope_m = ""
            if cid in BASIS:
                s_ = shares[cid]
                base = {"chongqing_west": "Chongqing", "beijing_jingxi": "Beijing", "ningdong": "Yinchuan"}[
                    cid
                ]
                scope_m = (
                    f"{base} value x {s_['energy']:.4f} = w*gen_share + (1-w)*gdp_share "
                    f"with w = {s_['wp']:.3f} (power/heat share of provincial CEADs CO2 "
                    f"2019), gen_share = {s_['gen']:.4f}, gdp_share = {s_['gdp']:.4f} "
                    "(Xing et al. 2021, c. 2015); "
                )
            prov_note = ""
            if p in [norm_prov(x) for x in BREAK_PROVINCES_2018] and y < 2018:
                prov_note = (
                    "; provincial 2015-2017 levels spliced onto the revised 2018 basis "
                    "with the NBS 2018 growth rate"
                )
            if p == "ningxia" and y < 2017:
                prov_note = "; provincial 2015-2016 energy missing: 2017 level x CEADs Ningxia CO2 ratio"
            src_e = SRC_PROV_ENERGY + "; " + (SRC_CEADS if cid not in NO_CEADS else SRC_CEADS_PROV)
            if cid in BASIS:
                src_e += "; " + SRC_XING
            rows += [
                dict(
                    city_id=cid,
                    year=y,
                    variable="energy_total",
                    value=d["energy"].loc[y],
                    unit="tce",
                    source=src_e,
                    estimate="true",
                    method=scope_m + em + prov_note + " (coal-equivalent method for primary "
                    "electricity, as in the provincial statistics)",
                ),
                dict(
                    city_id=cid,
                    year=y,
                    variable="coal",
                    value=coal,
                    unit="tce",
                    source=src_e + "; " + SRC_CEADS_PROV,
                    estimate="true",
                    method=scope_m + "energy_total x provincial coal share of energy; provincial"
                    " coal (tce) = CEADs CO2 of raw/cleaned/washed coal, briquettes"
                    " and coke / IPCC 2006 default factors (by-product gases excluded; capped at"
                    " 90% of provincial energy; 2015-2019; 2020 = 2019 x growth of balance-sheet"
                    " coal tonnes); total coal incl. power and heat generation input" + prov_note,
                ),
                dict(
                    city_id=cid,
                    year=y,
                    variable="electricity",
                    value=elec,
                    unit="MWh",
                    source=src_e,
                    estimate="true",
                    method=scope_m + "provincial electricity consumption (energy balance) x "
                    "0.5*(city share of provincial CO2/energy + city share of provincial GDP "
                    f"2020 [{gshare:.4f}]): CO2 share overweights power/coal-chemical "
                    "exporters, GDP share underweights electro-intensive industry",
                ),
                dict(
                    city_id=cid,
                    year=y,
                    variable="co2",
                    value=d["co2"].loc[y],
                    unit="tCO2",
                    source=SRC_CEADS if cid not in NO_CEADS else SRC_CEADS_PROV + "; " + SRC_PROV_ENERGY,
                    estimate=b(co2_est or y == 2020),
                    method=scope_m + co2m,
                ),
            ]
    return pd.DataFrame(rows), res


# --------------------------------------------------------------------------------------
# industry.csv (2020)
# --------------------------------------------------------------------------------------
def provincial_structure(r) -> dict[str, pd.DataFrame]:
    """Final fossil energy (tce) by model sector x carrier, and power-sector input, 2019."""
    s = r["ceads_sec"]
    s = s[(s.year == 2019) & s.fuel_or_item.isin(ENERGY_FUELS)].copy()
    s["p"] = s.province.map(norm_prov)
    s["tce"] = s.mt_co2 * 1e6 / (s.fuel_or_item.map(IPCC_EF) * TJ_PER_TCE)
    s["carrier"] = s.fuel_or_item.map(CARRIER_OF_FUEL)
    s["msector"] = s.sector.map(SECTOR_MAP).fillna("other_industry")
    s.loc[s.sector == POWER_SECTOR, "msector"] = "power"
    out = {}
    for p, g in s.groupby("p"):
        out[p] = g.pivot_table(index="msector", columns="carrier", values="tce", aggfunc="sum").fillna(0.0)
    return out


def build_industry(r, prov, socio, res, cities) -> tuple[pd.DataFrame, pd.DataFrame]:
    struct = provincial_structure(r)
    E = prov["E"]
    pc = dict(zip(cities.city_id, cities.province_code, strict=True))
    rows, checks = [], []
    src = (
        SRC_CEADS_PROV
        + "; "
        + SRC_PROV_ENERGY
        + "; "
        + SRC_CITY_STATS
        + "; national 2020 structure: NBS 2020 communique, CEC 2020 electricity statistics"
    )
    for cid, *_ in CITIES:
        d = res[cid]
        p = d["p"]
        st = struct[p]
        e20 = d["energy"].loc[2020]
        el20 = d["elec"][2020]
        gdp = socio.loc[(cid, 2020), "gdp"]
        sec, ter = socio.loc[(cid, 2020), "sec"], socio.loc[(cid, 2020), "ter"]
        prim = max(0.0, 1.0 - sec - ter)
        # provincial final fossil (excl. power/heat sector) per unit of provincial energy
        fin = st.drop(index="power", errors="ignore")
        f_ratio = fin.values.sum() / E.loc[2019, p]
        pwr = float(st.loc["power"].sum()) if "power" in st.index else 0.0
        heat_share = HEAT_SHARE_OF_POWER_SECTOR["north" if pc[cid] in NORTH else "south"]
        heat_total = heat_share * pwr / E.loc[2019, p] * e20
        fossil_total = f_ratio * e20
        # city weights: provincial structure x specialisation x structure scaling
        w = fin.reindex(index=list(SECTORS), columns=["coal", "oil", "gas"]).fillna(0.0)
        for sct, m in SPECIALISATION.get(cid, {}).items():
            w.loc[sct] *= m
        w.loc[list(INDUSTRIAL)] *= sec / NAT_GDP_SHARE["secondary"]
        w.loc["services"] *= ter / NAT_GDP_SHARE["tertiary"]
        fossil = w / w.values.sum() * fossil_total
        # heat
        heat = pd.Series(0.0, index=list(SECTORS))
        coal_ind = fossil.loc[list(INDUSTRIAL), "coal"]
        if pc[cid] in NORTH:
            heat["residential"] = HEAT_SPLIT_NORTH["residential"] * heat_total
            heat["services"] = HEAT_SPLIT_NORTH["services"] * heat_total
            heat.loc[list(INDUSTRIAL)] = HEAT_SPLIT_NORTH["industry"] * heat_total * coal_ind / coal_ind.sum()
        else:
            heat.loc[list(INDUSTRIAL)] = heat_total * coal_ind / coal_ind.sum()
        # value added: secondary VA split by industrial energy / relative intensity
        ind_e = fossil.loc[list(INDUSTRIAL)].sum(axis=1) + heat.loc[list(INDUSTRIAL)]
        vw = ind_e / pd.Series(REL_ENERGY_INTENSITY)
        va = pd.Series(0.0, index=list(SECTORS))
        va.loc[list(INDUSTRIAL)] = gdp * sec * vw / vw.sum()
        va["other_industry"] += gdp * prim
        va["services"] = gdp * ter
        va["residential"] = 0.0
        # electricity: national sectoral structure scaled by city structure, industry split
        # by VA x relative electricity intensity
        ew = pd.Series(0.0, index=list(SECTORS))
        ind_w = NAT_ELEC_SHARE["secondary"] * sec / NAT_GDP_SHARE["secondary"]
        iv = (va.loc[list(INDUSTRIAL)] - (va.index == "other_industry")[:5] * gdp * prim) * pd.Series(
            REL_ELEC_INTENSITY
        )
        ew.loc[list(INDUSTRIAL)] = ind_w * iv / iv.sum()
        ew["other_industry"] += NAT_ELEC_SHARE["primary"] * prim / NAT_GDP_SHARE["primary"]
        ew["services"] = NAT_ELEC_SHARE["tertiary"] * ter / NAT_GDP_SHARE["tertiary"]
        ew["residential"] = NAT_ELEC_SHARE["residential"]
        elec = ew / ew.sum() * el20
        spec = SPECIALISATION.get(cid, {})
        spec_txt = (
            (", specialisation multipliers " + ", ".join(f"{k} x{v:g}" for k, v in spec.items()))
            if spec
            else ""
        )
        m_fossil = (
            "final fossil use (power/heat-sector input excluded) = energy_total 2020 x "
            f"provincial ratio {f_ratio:.3f} (CEADs 2019 final-sector fuel CO2 / IPCC "
            "2006 factors, over provincial energy consumption 2019); split over sectors "
            "and carriers by the provincial CEADs 2019 sector x fuel structure (46 "
            "sectors mapped to 7), industrial sectors scaled by secondary share / 0.378, "
            f"services by tertiary share / 0.545{spec_txt}"
        )
        m_heat = (
            f"purchased heat = {heat_share:g} x provincial power/heat-sector fossil input "
            "(CEADs 2019) per unit provincial energy x city energy_total 2020 (assumed share;"
            " CEADs does not separate heat); "
            + (
                "north: 60% residential, 20% services, 20% industry by coal use"
                if pc[cid] in NORTH
                else "south: all to industry by coal use"
            )
        )
        m_va = (
            "value added 2020: secondary VA split across industrial sectors by final energy "
            "/ assumed relative energy intensity (steel 10, building materials 6, chemicals "
            "6, nonferrous 5, other 1); primary VA put into other_industry; services = "
            "tertiary VA; residential = 0 (households produce no VA); " + SRC_CSMAR_NOTE
        )
        m_el = (
            "electricity 2020 = city_history electricity split by national 2020 sector "
            "shares (CEC) scaled by city structure; industrial part split by VA x assumed "
            "relative electricity intensity (steel 3, building materials 3, chemicals 3, "
            "nonferrous 8, other 1); sums exactly to city_history electricity 2020"
        )
        for sct in SECTORS:
            rows.append(
                dict(
                    city_id=cid,
                    sector=sct,
                    variable="value_added",
                    value=va[sct],
                    unit="bnCNY2020",
                    source=src,
                    estimate="true",
                    method=m_va,
                )
            )
            for car in ("coal", "oil", "gas"):
                rows.append(
                    dict(
                        city_id=cid,
                        sector=sct,
                        variable=car,
                        value=float(fossil.loc[sct, car]),
                        unit="tce",
                        source=src,
                        estimate="true",
                        method=m_fossil,
                    )
                )
            rows.append(
                dict(
                    city_id=cid,
                    sector=sct,
                    variable="heat",
                    value=float(heat[sct]),
                    unit="tce",
                    source=src,
                    estimate="true",
                    method=m_heat,
                )
            )
            rows.append(
                dict(
                    city_id=cid,
                    sector=sct,
                    variable="electricity",
                    value=float(elec[sct]),
                    unit="MWh",
                    source=src,
                    estimate="true",
                    method=m_el,
                )
            )
        final_f = float(fossil.values.sum() + heat.sum())
        p_el = el20 * TCE_PER_MWH_COAL_EQ
        checks.append(
            dict(
                city_id=cid,
                energy_total=e20,
                final_fossil_heat=final_f,
                elec_coal_eq=p_el,
                residual=e20 - final_f - p_el,
                residual_rel=(e20 - final_f - p_el) / e20,
            )
        )
    return pd.DataFrame(rows), pd.DataFrame(checks)


# --------------------------------------------------------------------------------------
def main() -> None:
    r = read_inputs()
    zones = build_zones(r)
    cities = build_cities(r)
    shares = subcity_shares(r)
    socio_rows, socio = socio_history(r, shares)
    prov = provincial_energy(r)
    en_rows, res = energy_history(r, prov, socio, shares, cities)
    hist = pd.concat([socio_rows, en_rows], ignore_index=True)
    hist = hist.sort_values(["city_id", "year", "variable"]).reset_index(drop=True)
    industry, checks = build_industry(r, prov, socio, res, cities)

    OUT.mkdir(parents=True, exist_ok=True)
    zones.to_csv(OUT / "zones.csv", index=False)
    cities.to_csv(OUT / "cities.csv", index=False)
    hist.to_csv(OUT / "city_history.csv", index=False, float_format="%.10g")
    industry.to_csv(OUT / "industry.csv", index=False, float_format="%.8g")

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
    print("\nenergy identity 2020 (tce): E = final fossil+heat + electricity x 0.3055 + R")
    print(checks.set_index("city_id").to_string(float_format=lambda v: f"{v:,.3g}"))
    pe = prov["coal_phys"].loc[2020] / prov["E"].loc[2020]
    pc = prov["coal"].loc[2020] / prov["E"].loc[2020]
    print("\nprovincial coal share of energy 2020: CEADs-based vs balance tonnes x 0.7143")
    print(pd.DataFrame({"ceads": pc, "balance": pe}).dropna().round(2).T.to_string())


if __name__ == "__main__":
    main()
