"""city_history.csv: GDP, population, sector shares, energy, coal, electricity and CO2 of every
model city, 2015-2020, and the sub-city shares of the units that are not prefectures.
Part of the city build (``build_cities.py``); methods in SOURCES-cities.md.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from city_inputs import (
    BASIS,
    BREAK_PROVINCES_2018,
    CARRIER_OF_FUEL,
    CEADS_DROP,
    CEADS_NAME,
    CHONGQING_DISTRICTS,
    CITIES,
    COAL_SHARE_CAP,
    CSMAR_CODE,
    ENERGY_FUELS,
    IPCC_EF,
    JINGXI_WEIGHTS,
    LINGWU,
    NO_CEADS,
    POWER_SECTOR,
    SRC_CEADS,
    SRC_CEADS_PROV,
    SRC_CITY_STATS,
    SRC_CSMAR_NOTE,
    SRC_PROV_ENERGY,
    SRC_XING,
    TCE_PER_T_RAW_COAL,
    TJ_PER_TCE,
    YEARS,
    YINCHUAN_COUNTIES,
    b,
    norm_prov,
    scope_region,
)


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
    g, e = share("Beijing", list(JINGXI_WEIGHTS), JINGXI_WEIGHTS)
    wp = power_weight(r, "Beijing")
    out["beijing_jingxi"] = {"gdp": g, "gen": e, "wp": wp, "energy": wp * e + (1 - wp) * g}
    # Ningdong: Lingwu within Yinchuan (denominator = Yinchuan's six counties/districts)
    yc = x[(x.province == "Ningxia") & x.county.isin(YINCHUAN_COUNTIES)]
    assert len(yc) == len(YINCHUAN_COUNTIES)
    lw = yc[yc.county == LINGWU].iloc[0]
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
                base = BASIS[cid]
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
    out = {}
    for cid, *_ in CITIES:
        if cid in NO_CEADS:
            continue
        if cid in CEADS_NAME:
            s = ca[ca.city == CEADS_NAME[cid]].set_index("year").co2_mt * 1e6
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
                base = scope_region(cid)
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
                    f" {COAL_SHARE_CAP:.0%} of provincial energy; 2015-2019; 2020 = 2019 x growth of"
                    " balance-sheet coal tonnes); total coal incl. power and heat generation input"
                    + prov_note,
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
