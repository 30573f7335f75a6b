"""What the city builds share: the model cities, the constants and source lists they use, and
the raw tables they read (``zones``, ``history``, ``industry`` families; ``build_cities.py``).

Every value here comes from ``sources/`` (through ``common``); methods, assumptions and
sources are described in calibration/data/SOURCES-cities.md.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from common import cite, cities, const, members, source, subcity
from zonesim.data.schema import SECTORS

YEARS = list(range(2015, 2021))

# --------------------------------------------------------------------------------------
# Constants (sources/constants.csv)
# --------------------------------------------------------------------------------------
TCE_PER_T_RAW_COAL = const("raw_coal_tce_per_t")
TJ_PER_TCE = const("tce_gj") / 1000
TCE_PER_MWH_COAL_EQ = const("elec_coal_equivalent_kgce_per_kwh", 2020)  # kgce/kWh = tce/MWh
# provincial coal share of total energy capped (binds: Inner Mongolia)
COAL_SHARE_CAP = const("coal_share_cap")
NAT_GDP_SHARE = {k: const(f"national_gdp_share_{k}", 2020) for k in ("primary", "secondary", "tertiary")}
NAT_ELEC_SHARE = {
    k: const(f"national_elec_share_{k}", 2020) for k in ("primary", "secondary", "tertiary", "residential")
}
HEAT_SHARE_OF_POWER_SECTOR = {k: const(f"heat_share_of_power_sector_{k}") for k in ("north", "south")}
HEAT_SPLIT_NORTH = {k: const(f"heat_split_north_{k}") for k in ("residential", "services", "industry")}

# IPCC 2006 default CO2 factors (tCO2/TJ). Used only to turn CEADs fuel CO2 back into energy
# *shares*; levels are rescaled to the statistical totals. By-product fuels (coke-oven gas,
# blast-furnace/converter gas, coking by-products) carry energy already counted in the
# coal/coke they come from: excluded when CEADs CO2 is turned back into energy.
_IPCC = source("ipcc_emission_factors")
IPCC_EF = {f: v / 1000 for f, v in zip(_IPCC["fuel"], _IPCC["value"], strict=True)}  # kg/TJ -> t/TJ
CARRIER_OF_FUEL = dict(zip(_IPCC["fuel"], _IPCC["carrier"], strict=True))
ENERGY_FUELS = tuple(_IPCC.loc[~_IPCC["byproduct"], "fuel"])

# CEADs 46 sectors -> model sectors; every other CEADs sector -> other_industry; the power/heat
# sector is transformation (the planner's).
_MAP = source("ceads_sector_map")
POWER_SECTOR = str(_MAP.loc[_MAP["sector"] == "power", "ceads_sector"].iloc[0])
SECTOR_MAP = dict(
    _MAP.loc[_MAP["sector"] != "power", ["ceads_sector", "sector"]].itertuples(index=False, name=None)
)
INDUSTRIAL = SECTORS[:5]  # the sectors of the secondary industry (primary value added in other_industry)

_INT = source("sector_intensity")
REL_ENERGY_INTENSITY = dict(zip(_INT["sector"], _INT["energy_intensity"], strict=True))
REL_ELEC_INTENSITY = dict(zip(_INT["sector"], _INT["electricity_intensity"], strict=True))
NORTH = set(members("north_heating_province"))
SPECIALISATION: dict[str, dict[str, float]] = {}
for _cid, _sector, _m in source("specialisation")[["city_id", "sector", "multiplier"]].itertuples(
    index=False
):
    SPECIALISATION.setdefault(_cid, {})[_sector] = float(_m)

# --------------------------------------------------------------------------------------
# Citations (sources/citations.csv)
# --------------------------------------------------------------------------------------
SRC_CITY_STATS = cite("city_stats")
SRC_CEADS = cite("ceads_city")
SRC_CEADS_PROV = cite("ceads_province")
SRC_PROV_ENERGY = cite("province_energy")
SRC_XING = cite("xing")
SRC_CSMAR_NOTE = cite("csmar_note")

# --------------------------------------------------------------------------------------
# Model cities (sources/cities.csv, subcity_units.csv, memberships.csv, ceads_breaks.csv)
# --------------------------------------------------------------------------------------
REGISTRY = cities().set_index("city_id", drop=False)
CITIES = list(
    REGISTRY[
        ["city_id", "zone_id", "name_en", "name_zh", "province", "admin_codes", "lat", "lon"]
    ].itertuples(index=False, name=None)
)
BASIS = {c: REGISTRY.loc[c, "scope_basis"] for c in REGISTRY.index if REGISTRY.loc[c, "scope_basis"]}
CSMAR_CODE = {c: int(v) for c, v in REGISTRY["statistics_code"].items()}
SCOPE_NOTES = {c: v for c, v in REGISTRY["scope_note"].items() if v}
CEADS_NAME = {c: v for c, v in REGISTRY["ceads_name"].items() if v}
NO_CEADS = members("no_ceads_series")  # no CEADs city series in 2015-2019
_JX = subcity("beijing_jingxi")
JINGXI_WEIGHTS = dict(zip(_JX["xing_county"], _JX["weight"].astype(float), strict=True))
CHONGQING_DISTRICTS = list(subcity("chongqing_west")["xing_county"])
LINGWU = str(subcity("ningdong")["xing_county"].iloc[0])
YINCHUAN_COUNTIES = list(subcity("ningdong", "reference")["xing_county"])
# CEADs breaks: keep one basis, replace the other side by the city's share of provincial CO2
# on the kept side (see SOURCES-cities.md for the physical-plausibility test).
CEADS_DROP: dict[str, list[int]] = {}
for _cid, _y in source("ceads_breaks")[["city_id", "year"]].itertuples(index=False):
    CEADS_DROP.setdefault(_cid, []).append(int(_y))
BREAK_PROVINCES_2018 = list(members("energy_break_2018_province"))


def scope_region(city_id: str) -> str:
    """The statistical unit a sub-city unit is a share of, short ('Chongqing', 'Yinchuan')."""
    return BASIS[city_id].split()[0]


def norm_prov(name: str) -> str:
    return str(name).replace(" ", "").replace("(province)", "").strip().lower()


def b(x: bool) -> str:
    return "true" if x else "false"


def read_inputs(raw: Path) -> dict[str, pd.DataFrame]:
    """The raw tables of the city builds (``shared/data/raw``; build time only)."""
    r = {}
    r["zones"] = pd.read_csv(raw / "zones_industrial_transformation_demo_zones.csv")
    r["csmar"] = pd.read_csv(raw / "city_gdp_structure_population_2010_2021_csmar_extract.csv")
    r["ceads_city"] = pd.read_csv(raw / "ceads_city_co2_1997_2019_all290.csv")
    r["ceads_zone"] = pd.read_csv(raw / "ceads_city_co2_zone_cities_2005_2019.csv")
    r["ceads_prov"] = pd.read_csv(raw / "ceads_province_co2_by_fuel_2015_2019.csv")
    r["ceads_sec"] = pd.read_csv(raw / "ceads_province_co2_sector_fuel_2015_2019_long.csv")
    r["xing"] = pd.read_csv(raw / "county_gdp_powergen_2015_xing2021_ncomms.csv")
    r["xing"].columns = ["fid", "county", "province", "gdp_usd", "gen_mwh", "storage"]
    r["xing"]["province"] = r["xing"]["province"].str.strip()
    r["penergy"] = pd.read_csv(raw / "province_total_energy_consumption_2015_2020.csv")
    r["pcarrier"] = pd.read_csv(raw / "province_coal_oil_gas_electricity_consumption_2015_2020.csv")
    r["pnbs"] = pd.read_csv(raw / "province_energy_intensity_change_nbs_2018_2020.csv")
    r["pgdp"] = pd.read_csv(raw / "province_historical_gdp_pypsa_china.csv", skiprows=1)
    r["codes"] = pd.read_csv(raw / "province_codes_pypsa_china.csv")
    return r
