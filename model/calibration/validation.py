"""Out-of-sample validation: the model's 2021-2025 energy intensity against published outcomes.

``published_outcomes.csv`` is validation data: the 2015-2019 fit never reads it
(:mod:`zonesim.calibration.fit` uses ``city_history``), and the recent stage
(:mod:`zonesim.calibration.recent`) reads only the zone-year table below for its fit years
(2021-2022); later years and the cumulative figures are never fitted. For each simulated city and
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

Vintages: the yearly figures are first-published values of different vintages (total energy
and GDP before the fifth-census revision for 2021-2022; 2023 without non-fossil and feedstock
energy, GDP before the revision; 2024-2025 without them, GDP revised), so they do not compound
to the NDRC's cumulative figures. :func:`cumulative_comparison` compares the zones' change since
2020 with each national cumulative figure on its own basis, and with the figures implied on
the same vintage by the yearly ones (:func:`published_vintages`); :func:`vintage_periods` gives
the changes between those points. None of it is read by the recent fit
(:mod:`zonesim.calibration.recent` uses the zone-year table of the fit years only).
"""

from __future__ import annotations

import re

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


def narrow_energy(frame: pd.DataFrame) -> pd.Series:
    """Energy on the published basis from 2023: total energy without local non-fossil
    generation and feedstock (tce; rows of pathways, or their sums)."""
    return frame["energy_total_tce"] - frame["nonfossil_primary_tce"] - frame["feedstock_tce"]


def modelled_change(pathways: pd.DataFrame, excluded_from: int | None = None) -> pd.DataFrame:
    """Per city and year: the yearly change of energy per unit of GDP, %, both years on the
    published basis of the later one: total energy before ``excluded_from``, energy without
    local non-fossil generation and feedstock from it on (None: total energy every year)."""
    p = pathways.sort_values(["city_id", "year"])
    total = p["energy_total_tce"]
    narrow = narrow_energy(p)
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
    total["national_vintage"] = total.index.map(yearly_vintages(base)).fillna("")
    return {"city": city, "zone": zone.reset_index(), "all_zones": total.reset_index()}


def yearly_vintages(base: BaseYear) -> dict[int, str]:
    """Per year: the vintage of the national yearly energy-intensity change (the figure most
    city-years resolve to): publication month, accounting basis and GDP vintage."""
    pub = base.tables["published_outcomes"]
    nat = pub[(pub["scope"] == "national") & (pub["variable"] == INDICATOR)]
    excluded_from = nonfossil_excluded_from(base)
    out = {}
    for r in nat.itertuples():
        v = vintage_of(r.basis, int(r.year), INDICATOR)
        key = vintage_key("energy", False, int(r.year), v, excluded_from)
        out[int(r.year)] = f"first published {v}: {vintage_label(key)}" if key else _NO_VINTAGE
    return out


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


# ------------------------------------------------------------------------------------------
# Cumulative change since 2020 on each published vintage (like with like across vintages)
# ------------------------------------------------------------------------------------------

CENSUS_REVISION = "2024-12"
"""Month NBS published the fifth-economic-census revision of GDP (2023 GDP revised up by 3.4
trillion CNY, 26 Dec 2024: Xinhua, http://en.people.cn/n3/2024/1226/c90000-20258939.html).
A published figure of this vintage or later is on the revised GDP, an earlier one on the GDP
before the revision; a national row's vintage is the ``vintage YYYY-MM`` its ``basis`` opens
with in published_outcomes.csv."""

BASE_YEAR = 2020
"""The 14th Five-Year Plan's base year: every cumulative figure compares a year with 2020."""

CUMULATIVE = {
    "energy": ("energy_intensity_change", "energy_intensity_change_since_2020"),
    "co2": ("co2_intensity_change", "co2_intensity_change_since_2020"),
}
"""Per indicator: the yearly and the cumulative-since-2020 variable of published_outcomes.csv."""

ACCOUNTING_LABEL = {
    "total": "total energy",
    "excl_nonfossil_feedstock": "energy excl. non-fossil and feedstock",
    "co2": "CO2",
}
GDP_LABEL = {"pre-census": "GDP before the census revision", "revised": "GDP revised (fifth census)"}


def vintage_label(key: tuple[str, str]) -> str:
    """Report label of a vintage key (accounting basis, GDP vintage)."""
    return f"{ACCOUNTING_LABEL[key[0]]}; {GDP_LABEL[key[1]]}"


_VINTAGE = re.compile(r"^vintage (\d{4}-\d{2})\b")
_NO_VINTAGE = "vintage not stated"


def vintage_of(basis: str, year: int, variable: str) -> str | None:
    """The publication month (``YYYY-MM``) a national row's ``basis`` opens with, or None when it
    opens with ``vintage not stated``; anything else is an error naming the row and field."""
    m = _VINTAGE.match(str(basis))
    if m:
        return m.group(1)
    if str(basis).startswith(_NO_VINTAGE):
        return None
    raise ValueError(
        f"published_outcomes.csv: national {variable} {year}: field 'basis' must open with "
        f"'vintage YYYY-MM' (the publication month) or '{_NO_VINTAGE}'; got {basis!r}"
    )


def vintage_key(
    indicator: str, cumulative: bool, year: int, vintage: str | None, excluded_from: int
) -> tuple[str, str] | None:
    """(accounting basis, GDP vintage) of a published national figure, None without a vintage;
    figures chain only on equal keys.

    Energy: a yearly change is on total energy before ``excluded_from`` (constants.csv) and
    without non-fossil and raw-material energy from it on; a cumulative figure is the NDRC's
    assessment of the five-year target, on the basis without them (the rows' ``basis`` says
    so). CO2 has one accounting basis. GDP: revised from ``CENSUS_REVISION`` on.
    """
    if vintage is None:
        return None
    if indicator == "energy":
        total = not cumulative and year < excluded_from
        accounting = "total" if total else "excl_nonfossil_feedstock"
    else:
        accounting = "co2"
    return accounting, "revised" if vintage >= CENSUS_REVISION else "pre-census"


def _chain(c0: float, y0: int, yearly: dict[int, tuple[float, tuple | None]], key: tuple) -> dict:
    """From C(y0) = c0 (% since 2020): the cumulative changes the yearly figures of the same
    vintage imply, backwards and forwards, with the arithmetic written out."""
    out: dict[int, tuple[float, str]] = {}
    c, y, divs = c0, y0, ""
    while y - 1 > BASE_YEAR and y in yearly and yearly[y][1] == key:
        c = 100 * ((1 + c / 100) / (1 + yearly[y][0] / 100) - 1)
        divs += f" / (1 {yearly[y][0]:+g} %)"
        out[y - 1] = (c, f"(1 {c0:+g} %){divs} - 1")
        y -= 1
    c, y, muls = c0, y0, ""
    while y + 1 in yearly and yearly[y + 1][1] == key:
        c = 100 * ((1 + c / 100) * (1 + yearly[y + 1][0] / 100) - 1)
        muls += f" x (1 {yearly[y + 1][0]:+g} %)"
        out[y + 1] = (c, f"(1 {c0:+g} %){muls} - 1")
        y += 1
    return out


def published_vintages(base: BaseYear) -> pd.DataFrame:
    """National change since 2020, %, per vintage: the published cumulative figures and those
    implied on the same vintage by the published yearly changes (never used to fit).

    Each published cumulative figure C(Y) is extended along the national yearly changes y of
    its vintage (:func:`vintage_key`): C(Y-1) = (1 + C(Y)) / (1 + y(Y)) - 1 backwards and
    C(Y+1) = (1 + C(Y)) (1 + y(Y+1)) - 1 forwards, while the yearly figures stay on that
    vintage; a published figure is never replaced by a derived one. Columns: indicator
    (energy | co2), year (2020 -> year), published_pct, kind (published | derived), key,
    vintage (label), how (the row's basis, or the arithmetic of a derived value).
    """
    pub = base.tables["published_outcomes"]
    nat = pub[pub["scope"] == "national"]
    excluded_from = nonfossil_excluded_from(base)
    rows: list[dict] = []
    for indicator, (yearly_var, cum_var) in CUMULATIVE.items():
        yearly = {}
        for r in nat[nat["variable"] == yearly_var].itertuples():
            v = vintage_of(r.basis, int(r.year), yearly_var)
            yearly[int(r.year)] = (
                float(r.value),
                vintage_key(indicator, False, int(r.year), v, excluded_from),
            )
        points: dict[tuple, dict[int, float]] = {}
        for r in nat[nat["variable"] == cum_var].itertuples():
            y = int(r.year)
            key = vintage_key(indicator, True, y, vintage_of(r.basis, y, cum_var), excluded_from)
            label = vintage_label(key) if key else _NO_VINTAGE
            rows.append(
                dict(
                    indicator=indicator,
                    year=y,
                    published_pct=float(r.value),
                    kind="published",
                    key=key,
                    vintage=label,
                    how=str(r.basis),
                )
            )
            if key is not None:
                points.setdefault(key, {})[y] = float(r.value)
        for key, published in points.items():
            derived: dict[int, tuple[float, str]] = {}
            for y0, c0 in sorted(published.items()):
                for y, (c, how) in _chain(c0, y0, yearly, key).items():
                    if y not in published and y not in derived:
                        derived[y] = (c, f"from the published {BASE_YEAR}-{y0} figure: {how}")
            rows += [
                dict(
                    indicator=indicator,
                    year=y,
                    published_pct=c,
                    kind="derived",
                    key=key,
                    vintage=vintage_label(key),
                    how=how,
                )
                for y, (c, how) in derived.items()
            ]
    out = pd.DataFrame(rows, columns=["indicator", "year", "published_pct", "kind", "key", "vintage", "how"])
    order = out["key"].map(lambda k: (0, *k) if k else (1, "", ""))
    return (
        out.assign(_o=order)
        .sort_values(["indicator", "_o", "year"])
        .drop(columns="_o")
        .reset_index(drop=True)
    )


def modelled_cumulative(pathways: pd.DataFrame, weighting: str = "aggregate") -> pd.DataFrame:
    """All zones, change since 2020 per year, %, of energy per unit of GDP on total energy and
    without local non-fossil generation and feedstock (both years on the same basis), and of
    CO2 including imported electricity per unit of GDP (the zones' CO2 measure).

    ``aggregate``: the zones as one economy (their energy over their GDP), as the nation's
    figure is defined. ``gdp_weighted``: each year's change is the cities' changes weighted by
    their GDP of the year before (the yearly table's aggregation), compounded from 2020.
    """
    p = pathways[pathways["zone_id"].notna()].sort_values(["city_id", "year"])
    if BASE_YEAR not in set(p["year"]):
        raise ValueError(f"pathways: no {BASE_YEAR} (the base year of the cumulative comparison)")
    co2 = p["co2_incl_imports_t"] if "co2_incl_imports_t" in p else p["co2_t"]
    series = {
        "total": p["energy_total_tce"],
        "excl_nonfossil_feedstock": narrow_energy(p),
        "co2": co2,
    }
    out = {}
    for name, s in series.items():
        if weighting == "aggregate":
            z = pd.DataFrame({"s": s, "gdp": p["gdp_bn"], "year": p["year"]}).groupby("year").sum()
            level = z["s"] / z["gdp"]
            out[name] = 100 * (level / level.loc[BASE_YEAR] - 1)
        elif weighting == "gdp_weighted":
            by_city = p["city_id"]
            ratio = (s / p["gdp_bn"]) / (s / p["gdp_bn"]).groupby(by_city).shift(1)
            w = p["gdp_bn"].groupby(by_city).shift(1)
            ok = ratio.notna() & (p["year"] > BASE_YEAR)
            num = (w * ratio)[ok].groupby(p["year"][ok]).sum()
            yearly = num / w[ok].groupby(p["year"][ok]).sum()
            out[name] = 100 * (yearly.sort_index().cumprod() - 1)
        else:
            raise ValueError(f"weighting: expected 'aggregate' or 'gdp_weighted', got {weighting!r}")
    return pd.DataFrame(out).drop(index=BASE_YEAR, errors="ignore")


def cumulative_comparison(pathways: pd.DataFrame, base: BaseYear) -> pd.DataFrame:
    """Model vs each published (or same-vintage derived) national change since 2020, error in
    pp: the model on the figure's accounting basis (a figure without a stated vintage: the
    NDRC basis for energy), the zones as one economy (``model_pct``) and with the yearly
    table's GDP weighting compounded (``model_weighted_pct``). Years the pathways do not reach
    are left out."""
    model = modelled_cumulative(pathways)
    weighted = modelled_cumulative(pathways, "gdp_weighted")
    pub = published_vintages(base)
    pub = pub[pub["year"].isin(model.index)].copy()
    basis = [
        k[0] if k else ("excl_nonfossil_feedstock" if ind == "energy" else "co2")
        for ind, k in zip(pub["indicator"], pub["key"], strict=True)
    ]
    pub["model_pct"] = [float(model.loc[y, b]) for y, b in zip(pub["year"], basis, strict=True)]
    pub["error_pp"] = pub["model_pct"] - pub["published_pct"]
    pub["model_weighted_pct"] = [float(weighted.loc[y, b]) for y, b in zip(pub["year"], basis, strict=True)]
    pub["error_weighted_pp"] = pub["model_weighted_pct"] - pub["published_pct"]
    return pub.reset_index(drop=True)


def vintage_periods(cum: pd.DataFrame) -> pd.DataFrame:
    """Changes between consecutive points of one vintage (2020 included): what the published
    data allow as yearly (or multi-year) changes on one consistent vintage, with the average
    change a year and the model's over the same period on the same basis."""
    rows = []
    for (indicator, key), g in cum[cum["key"].notna()].groupby(["indicator", "key"], sort=False):
        g = g.sort_values("year")
        pts = [(BASE_YEAR, 0.0, 0.0)] + list(zip(g["year"], g["published_pct"], g["model_pct"], strict=True))
        for (y0, p0, m0), (y1, p1, m1) in zip(pts, pts[1:], strict=False):
            n = y1 - y0
            pub = 100 * ((1 + p1 / 100) / (1 + p0 / 100) - 1)
            mod = 100 * ((1 + m1 / 100) / (1 + m0 / 100) - 1)
            per = [100 * ((1 + x / 100) ** (1 / n) - 1) for x in (pub, mod)]
            rows.append(
                {
                    "indicator": indicator,
                    "vintage": vintage_label(key),
                    "period": f"{y0}-{y1}",
                    "years": n,
                    "published_pct": pub,
                    "model_pct": mod,
                    "published_pct_per_year": per[0],
                    "model_pct_per_year": per[1],
                    "error_pp_per_year": per[1] - per[0],
                }
            )
    return pd.DataFrame(rows)
