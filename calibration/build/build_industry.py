"""industry.csv: 2020 value added and final energy by carrier (coal, oil, gas, heat,
electricity) of every model city and sector. Part of the city build (``build_cities.py``);
methods in SOURCES-cities.md; the assumptions are rows of ``sources/constants.csv``,
``sector_intensity.csv`` and ``specialisation.csv``.
"""

from __future__ import annotations

import pandas as pd
from city_inputs import (
    CARRIER_OF_FUEL,
    CITIES,
    ENERGY_FUELS,
    HEAT_SHARE_OF_POWER_SECTOR,
    HEAT_SPLIT_NORTH,
    INDUSTRIAL,
    IPCC_EF,
    NAT_ELEC_SHARE,
    NAT_GDP_SHARE,
    NORTH,
    POWER_SECTOR,
    REL_ELEC_INTENSITY,
    REL_ENERGY_INTENSITY,
    SECTOR_MAP,
    SPECIALISATION,
    SRC_CEADS_PROV,
    SRC_CITY_STATS,
    SRC_CSMAR_NOTE,
    SRC_PROV_ENERGY,
    TCE_PER_MWH_COAL_EQ,
    TJ_PER_TCE,
    norm_prov,
)
from zonesim.data.schema import SECTORS


def _relative(values: dict[str, float]) -> str:
    """'steel 10, building materials 6, ..., other 1' (other_industry = 1)."""
    label = {"other_industry": "other"}
    return ", ".join(f"{label.get(s, s.replace('_', ' '))} {v:g}" for s, v in values.items())


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
            "sectors mapped to 7), industrial sectors scaled by secondary share / "
            f"{NAT_GDP_SHARE['secondary']:g}, "
            f"services by tertiary share / {NAT_GDP_SHARE['tertiary']:g}{spec_txt}"
        )
        m_heat = (
            f"purchased heat = {heat_share:g} x provincial power/heat-sector fossil input "
            "(CEADs 2019) per unit provincial energy x city energy_total 2020 (assumed share;"
            " CEADs does not separate heat); "
            + (
                f"north: {HEAT_SPLIT_NORTH['residential']:.0%} residential, "
                f"{HEAT_SPLIT_NORTH['services']:.0%} services, "
                f"{HEAT_SPLIT_NORTH['industry']:.0%} industry by coal use"
                if pc[cid] in NORTH
                else "south: all to industry by coal use"
            )
        )
        m_va = (
            "value added 2020: secondary VA split across industrial sectors by final energy "
            f"/ assumed relative energy intensity ({_relative(REL_ENERGY_INTENSITY)}); "
            "primary VA put into other_industry; services = "
            "tertiary VA; residential = 0 (households produce no VA); " + SRC_CSMAR_NOTE
        )
        m_el = (
            "electricity 2020 = city_history electricity split by national 2020 sector "
            "shares (CEC) scaled by city structure; industrial part split by VA x assumed "
            f"relative electricity intensity ({_relative(REL_ELEC_INTENSITY)}); "
            "sums exactly to city_history electricity 2020"
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
