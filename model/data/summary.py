"""Per-zone summary of the base-year data (``zonesim data summary``)."""

from __future__ import annotations

import pandas as pd
from zonesim.data.load import BaseYear
from zonesim.units import KILO, MEGA, TEN_K_PER_BN


def _short(name: str) -> str:
    """An English city name without its bracketed note (``Jilin (city)`` -> ``Jilin``)."""
    return str(name).split(" (")[0]


def zone_summary(base: BaseYear, year: int = 2020) -> pd.DataFrame:
    """Per zone: member cities (English names), GDP, energy, coal share, CO2, coal/wind/solar GW,
    and the energy-intensity target."""
    cities = base.cities[base.cities["zone_id"].notna()]
    hist = base.city_history
    hist = hist[hist["year"] == year].pivot_table(index="city_id", columns="variable", values="value")
    units = base.power_units.groupby(["city_id", "tech"])["capacity_mw"].sum().unstack(fill_value=0.0)
    targets = base.city_targets
    ei = targets[targets["indicator"] == "energy_intensity_reduction"].set_index("city_id")["value"]
    rows = []
    for zone_id, members in cities.groupby("zone_id"):
        ids = list(members["city_id"])
        h = hist.reindex(ids)
        u = units.reindex(ids).fillna(0.0)
        gdp = h["gdp"].sum()
        rows.append(
            {
                "zone": zone_id,
                "name": base.zones.set_index("zone_id").loc[zone_id, "name_en"],
                "members": ", ".join(members["name_en"].map(_short)),
                "cities": len(ids),
                "GDP bn": round(gdp, 0),
                "energy Mtce": round(h["energy_total"].sum() / MEGA, 1),
                "tce/10k": round(h["energy_total"].sum() / (gdp * TEN_K_PER_BN), 2),
                "coal share": round(h["coal"].sum() / h["energy_total"].sum(), 2),
                "CO2 Mt": round(h["co2"].sum() / MEGA, 1),
                "coal GW": round(u.get("coal", pd.Series(0.0)).sum() / KILO, 1),
                "wind GW": round(u.get("wind", pd.Series(0.0)).sum() / KILO, 1),
                "solar GW": round(u.get("solar", pd.Series(0.0)).sum() / KILO, 1),
                "EI target %": round(-(ei.reindex(ids) * h["gdp"]).sum() / gdp, 1),
            }
        )
    return pd.DataFrame(rows)


def _item_column(df: pd.DataFrame) -> str | None:
    for col in ("variable", "parameter", "indicator", "name", "item", "tech", "series", "sector"):
        if col in df.columns:
            return col
    return None


def estimates(base: BaseYear) -> pd.DataFrame:
    """Every estimated quantity: table, what it is, how many rows, and the method used."""
    from zonesim.data.schema import TABLES

    rows = []
    for name, table in TABLES.items():
        if not table.provenance:
            continue
        df = getattr(base, name)
        est = df[df["estimate"]]
        if est.empty:
            continue
        item = _item_column(est)
        keys = [item, "method"] if item else ["method"]
        for key, grp in est.groupby(keys, dropna=False, sort=True):
            what = key[0] if item else ""
            method = key[-1] if isinstance(key, tuple) else key
            rows.append({"table": table.file, "quantity": what, "rows": len(grp), "method": method})
    return pd.DataFrame(rows)
