"""Out-of-sample validation: the model's 2021-2025 energy intensity against published outcomes.

``published_outcomes.csv`` is validation data: nothing in the fit reads it (the fit uses
``city_history`` 2015-2019 only, :mod:`zonesim.calibration.fit`). For each simulated city and
year the published energy-intensity change is the city's own figure, else its province's,
else the nation's (``resolved``); the all-zones aggregate weights the cities by GDP, as the
model does.

Like with like: a published change compares two years on the basis in force when it was
published. Up to 2022 that is total energy; from the year in ``constants.csv``
(``published_ei_nonfossil_excluded_from``, 2023) it is energy without non-fossil energy and
without energy used as raw material (feedstock), for both years of the change. The model's
change is computed on the same basis (:func:`modelled_change`): local non-fossil generation
(``nonfossil_primary_tce``) and feedstock are removed from both years; imported electricity
stays in full, as in the model's accounting rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from zonesim.data import BaseYear

INDICATOR = "energy_intensity_change"
"""Published yearly change of energy per unit of real GDP, % (NBS communiqués and bulletins)."""


def published_by_city(base: BaseYear, cities: pd.DataFrame, years: list[int]) -> pd.DataFrame:
    """Per city and year: the published energy-intensity change (%) and where it comes from."""
    pub = base.tables["published_outcomes"]
    pub = pub[pub["variable"] == INDICATOR].set_index(["scope", "region", "year"])["value"]
    rows = []
    for cid, prov in zip(cities["city_id"], cities["province"], strict=True):
        for y in years:
            for scope, region in (("city", cid), ("province", prov), ("national", "China")):
                if (scope, region, y) in pub.index:
                    rows.append(
                        {
                            "city_id": cid,
                            "year": y,
                            "published_pct": float(pub.loc[(scope, region, y)]),
                            "resolved": scope,
                        }
                    )
                    break
    return pd.DataFrame(rows, columns=["city_id", "year", "published_pct", "resolved"])


BASIS_NOTE = (
    "energy per unit of real GDP, yearly change, both years on the published basis of the later one: "
    "total energy through 2022, energy without non-fossil energy and feedstock from 2023 "
    "(constants.csv `published_ei_nonfossil_excluded_from`)"
)
"""How the model's yearly change is measured against the published one (for report texts)."""

BASIS_CONSTANT = "published_ei_nonfossil_excluded_from"
"""constants.csv: the first year published on the basis without non-fossil and raw-material energy."""


def nonfossil_excluded_from(base: BaseYear) -> int:
    """The first year whose published energy-intensity change excludes non-fossil energy and
    feedstock (constants.csv); years before it are on total energy."""
    return int(base.constant(BASIS_CONSTANT))


def modelled_change(pathways: pd.DataFrame, excluded_from: int | None = None) -> pd.DataFrame:
    """Per city and year: the yearly change of energy per unit of GDP, %, both years on the
    published basis of the later one: total energy before ``excluded_from``, energy without
    local non-fossil generation and feedstock from it on (None: total energy every year)."""
    p = pathways.sort_values(["city_id", "year"])
    total = p["energy_total_tce"]
    narrow = total - p["nonfossil_primary_tce"] - p["feedstock_tce"]
    prev_total = total.groupby(p["city_id"]).shift(1)
    prev_narrow = narrow.groupby(p["city_id"]).shift(1)
    gdp, prev_gdp = p["gdp_bn"], p["gdp_bn"].groupby(p["city_id"]).shift(1)
    use_narrow = p["year"] >= (excluded_from if excluded_from is not None else np.inf)
    now = total.where(~use_narrow, narrow)
    before = prev_total.where(~use_narrow, prev_narrow)
    out = p[["city_id", "zone_id", "year", "gdp_bn"]].copy()
    out["model_pct"] = 100.0 * ((now / gdp) / (before / prev_gdp) - 1.0)
    out["basis"] = np.where(use_narrow, "excl_nonfossil_feedstock", "total")
    return out.dropna(subset=["model_pct"])


def out_of_sample(pathways: pd.DataFrame, base: BaseYear) -> dict[str, pd.DataFrame]:
    """Model vs published, per city-year, per zone-year and for all zones together (pp errors).

    Zone and all-zones values weight each city's change by its GDP of the year before, for the
    model and for the published figures alike.
    """
    cities = base.cities.set_index("city_id").loc[pathways["city_id"].unique()].reset_index()
    years = sorted(int(y) for y in pathways["year"].unique() if y > pathways["year"].min())
    model = modelled_change(pathways, nonfossil_excluded_from(base))
    pub = published_by_city(base, cities, years)
    city = model.merge(pub, on=["city_id", "year"], how="inner")
    prev = pathways.assign(year=pathways["year"] + 1)[["city_id", "year", "gdp_bn"]]
    city = city.merge(prev.rename(columns={"gdp_bn": "weight"}), on=["city_id", "year"])
    city["error_pp"] = city["model_pct"] - city["published_pct"]

    def weighted(df: pd.DataFrame) -> pd.Series:
        w = df["weight"] / df["weight"].sum()
        own = df["resolved"] != "national"
        return pd.Series(
            {
                "model_pct": float((w * df["model_pct"]).sum()),
                "published_pct": float((w * df["published_pct"]).sum()),
                "share_own_figure": float(w[own].sum()),
            }
        )

    zone = city[city["zone_id"].notna()].groupby(["zone_id", "year"]).apply(weighted, include_groups=False)
    zone["error_pp"] = zone["model_pct"] - zone["published_pct"]
    total = city[city["zone_id"].notna()].groupby("year").apply(weighted, include_groups=False)
    total["error_pp"] = total["model_pct"] - total["published_pct"]
    return {"city": city, "zone": zone.reset_index(), "all_zones": total.reset_index()}


def summary(tables: dict[str, pd.DataFrame], tolerance_all: float = 1.5, tolerance_zone: float = 2.0) -> dict:
    """Headline figures: the all-zones error per year and the share of zone-years within tolerance."""
    total, zone = tables["all_zones"], tables["zone"]
    return {
        "all_zones_error_pp": {int(r.year): round(float(r.error_pp), 2) for r in total.itertuples()},
        "all_zones_within": bool((total["error_pp"].abs() <= tolerance_all).all()),
        "zone_years_within_share": float(np.mean(zone["error_pp"].abs() <= tolerance_zone))
        if len(zone)
        else float("nan"),
        "zone_years": int(len(zone)),
    }
