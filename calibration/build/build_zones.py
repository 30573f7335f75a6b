"""zones.csv and cities.csv: the 20 zones (from the raw zone table) and the model cities with
their membership choices (``sources/cities.csv``). Part of the city build (``build_cities.py``).
"""

from __future__ import annotations

import pandas as pd
from city_inputs import CITIES, REGISTRY, SCOPE_NOTES, b, norm_prov


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
        reg = REGISTRY.loc[cid]
        membership = reg["membership"]
        if membership == "member":
            default = True
            zrow = r["zones"][r["zones"].city_code == int(adm)]
            src = zrow.source_url.iloc[0] if len(zrow) else ""
            src = "Zone notice: " + src
            method = "prefecture named in the zone notice"
        else:
            default = membership != "associated"
            src, method = reg["source"], reg["method"]
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
                "source": src + "; coordinates: " + reg["coordinates_source"],
                "estimate": "false",
                "method": method
                + ("; lat/lon = mean of the district seats" if cid == "chongqing_west" else "")
                + ("; lat/lon approximate (base centre)" if cid == "ningdong" else ""),
            }
        )
    return pd.DataFrame(rows)
