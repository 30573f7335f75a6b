"""Per-zone summary of the base-year data (``zonesim data summary``)."""

from __future__ import annotations

import pandas as pd
from zonesim.data.load import BaseYear


def zone_summary(base: BaseYear, year: int = 2020) -> pd.DataFrame:
    """Cities, GDP, energy, coal share, CO2, coal/wind/solar GW and target per zone."""
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
                "cities": len(ids),
                "GDP bn": round(gdp, 0),
                "energy Mtce": round(h["energy_total"].sum() / 1e6, 1),
                "tce/10k": round(h["energy_total"].sum() / (gdp * 1e5), 2),
                "coal share": round(h["coal"].sum() / h["energy_total"].sum(), 2),
                "CO2 Mt": round(h["co2"].sum() / 1e6, 1),
                "coal GW": round(u.get("coal", pd.Series(0.0)).sum() / 1e3, 1),
                "wind GW": round(u.get("wind", pd.Series(0.0)).sum() / 1e3, 1),
                "solar GW": round(u.get("solar", pd.Series(0.0)).sum() / 1e3, 1),
                "EI target %": round(-(ei.reindex(ids) * h["gdp"]).sum() / gdp, 1),
            }
        )
    return pd.DataFrame(rows)
