"""Validation report: observed vs modelled per city and variable, figures, data caveats."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from zonesim.calibration.stats import (  # noqa: E402
    VARIABLES,
    by_city,
    co2_benchmarks,
    co2_by_city_years,
    co2_city_years,
    comparison,
    summary,
)

# documented breaks in city_history (calibration/data/SOURCES-cities.md)
BREAKS = {
    "liupanshui": "CEADs CO2 2015->2016 -57 %: 2015 basis kept, 2016-2019 from the 2015 provincial share",
    "tongling": "CEADs CO2 2017->2018 -66 %: 2015-2017 basis kept; 2019 census revision of GDP levels",
    "daqing": "provincial energy break 2018 (Heilongjiang) rescaled; 2019 census revision of structure",
    "changzhi": "provincial energy break 2018 (Shanxi) rescaled",
    "huangshi": "provincial energy break 2018 (Hubei) rescaled",
    "zhuzhou": "provincial energy break 2018 (Hunan) rescaled",
    "xiangtan": "provincial energy break 2018 (Hunan) rescaled",
    "loudi": "provincial energy break 2018 (Hunan) rescaled; no CEADs series (energy from peer intensity)",
    "fushun": "no CEADs series after 2013: energy from peer-city intensity, CO2 from provincial ratio",
    "songyuan": "2019 census revision of structure (secondary 42 % -> 20 %)",
    "jilin": "2019 census revision of GDP level and structure",
    "zibo": "2019 census revision of GDP level and structure",
    "tangshan": "CEADs CO2 rises 221 -> 414 Mt 2015-2019 while the city reports energy intensity "
    "-16.27 % 2015-2020 (RECIPE.md, 'What the 15.0 % is made of')",
    "baotou": "CEADs CO2 -16 % in 2016 while the city's bulletin reports energy intensity -4.92 % (2016)",
    "shizuishan": "CEADs CO2 -23 % in 2016 (64.1 -> 49.6 Mt), flat to 2018, +23 % in 2019",
    "xuzhou": "CEADs CO2 141.8 -> 103.1 -> 128.8 Mt 2015-2017",
    "zigong": "CEADs CO2 falls 9.0 -> 3.9 Mt 2015-2019: possibly incomplete coverage",
    "ningdong": "sub-city unit (share of Yinchuan, c. 2015 shares, before the 2016 coal-to-liquids plant)",
    "chongqing_west": "sub-city unit (districts of Chongqing by fixed shares)",
    "beijing_jingxi": "sub-city unit (Shijingshan + 50 % of Mentougou)",
}


def _caveats(comp: pd.DataFrame) -> pd.DataFrame:
    est = (
        comp[comp["estimate"]]
        .groupby(["city_id", "variable"])["year"]
        .apply(lambda y: ",".join(str(v) for v in sorted(y)))
    )
    wide = est.unstack("variable").fillna("")
    wide = wide[[v for v in VARIABLES if v in wide.columns]]
    wide["break_or_note"] = [BREAKS.get(c, "") for c in wide.index]
    return wide.reset_index()


def _figure(comp: pd.DataFrame, variable: str, path: Path) -> None:
    d = comp[comp["variable"] == variable]
    cities = sorted(d["city_id"].unique())
    ncol = 6
    nrow = (len(cities) + ncol - 1) // ncol
    fig, axes = plt.subplots(nrow, ncol, figsize=(2.6 * ncol, 2.0 * nrow), squeeze=False)
    for ax, c in zip(axes.flat, cities, strict=False):
        x = d[d["city_id"] == c].sort_values("year")
        ax.plot(x["year"], x["modelled"], "-", color="C0", label="backcast")
        real = x[~x["estimate"]]
        est = x[x["estimate"]]
        ax.plot(real["year"], real["observed"], "o", color="k", ms=3, label="observed")
        ax.plot(est["year"], est["observed"], "o", mfc="none", color="C3", ms=3, label="observed (estimate)")
        ax.set_title(c, fontsize=8)
        ax.tick_params(labelsize=6)
    for ax in list(axes.flat)[len(cities) :]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=6)
    fig.suptitle(f"{variable}: backcast 2015-2020 vs city_history (open red: estimated values)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def co2_error_lines(comp: pd.DataFrame, out: Path) -> list[str]:
    """The section behind the headline CO2 MAPE: every CEADs city-year's error (written to
    ``co2_city_years.csv``), the MAPE recomputed from them, each city's contribution, and what
    the error is made of (energy path or carbon content; the per-city trend floor)."""
    table = co2_city_years(comp)
    table.to_csv(out / "co2_city_years.csv", index=False)
    cities = co2_by_city_years(table)
    b = co2_benchmarks(table)
    wide = table.pivot(index="city_id", columns="year", values="error_pct").reindex(cities["city_id"])
    years = list(wide.columns)
    lines = [
        "",
        "## CO2 error by CEADs city-year (2015-2019)",
        "",
        "Error of the backcast against each CEADs city inventory value, % (blank: the year's value "
        "is an estimate, not in the MAPE); the city's MAPE, its contribution to the headline (pp; the "
        "contributions add up to it), the MAPE without the city, and its mean absolute error of the "
        "energy path and of CO2 per tce (`co2_city_years.csv`):",
        "",
        "| city | " + " | ".join(str(y) for y in years) + " | MAPE % | contribution pp | MAPE without % "
        "| energy APE % | CO2/tce APE % |",
        "|---|" + "---:|" * (len(years) + 5),
    ]
    for r in cities.itertuples():
        cells = ["" if pd.isna(wide.loc[r.city_id, y]) else f"{wide.loc[r.city_id, y]:+.1f}" for y in years]
        lines.append(
            f"| {r.city_id} | " + " | ".join(cells) + f" | {r.mape_pct:.1f} | {r.contribution_pp:.2f} "
            f"| {r.mape_without_pct:.1f} | {r.energy_ape_pct:.1f} | {r.carbon_ape_pct:.1f} |"
        )
    lines += [
        "",
        f"MAPE recomputed from these {len(table)} city-years: **{b['mape_pct']:.1f} %**. "
        f"Had the model's energy been the observed, the error of CO2 per tce alone would give "
        f"{b['carbon_only_pct']:.1f} %; the energy path alone errs by {b['energy_only_pct']:.1f} % "
        f"on the same city-years. A separate exponential trend per city fitted to its own CEADs "
        f"values still leaves {b['city_trend_floor_pct']:.1f} % (the year-to-year movement of the "
        "inventories that no smooth path follows).",
    ]
    return lines


def write_report(out: Path | str, result: dict[str, Any], record: dict[str, Any]) -> Path:
    """Write the validation report into ``out`` and return the path of its Markdown page."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    comp = comparison(result["model"], result["obs"])
    comp.to_csv(out / "observed_vs_modelled.csv", index=False)
    table = by_city(comp)
    table.to_csv(out / "mape_by_city.csv", index=False)
    caveats = _caveats(comp)
    caveats.to_csv(out / "data_caveats.csv", index=False)
    for v in VARIABLES:
        _figure(comp, v, out / f"backcast_{v}.png")
    s = summary(comp)
    lines = [
        "# zonesim calibration and validation report",
        "",
        f"Data version {record['data_version']}; calibration file schema {record['schema']}; "
        f"{len(record['settings']['cities'])} cities; quick={record['settings']['quick']}.",
        "Backcast 2015-2020 from the constructed 2015 start (calibration/RECIPE.md); fit years 2016-2019;",
        "statistics over 2015-2019 (2015 energy is matched by construction); 2020 out of sample.",
        _anchor_line(record["settings"]),
        "",
        "## Headline",
        "",
        "| statistic | value |",
        "|---|---:|",
        f"| CO2 MAPE 2015-2019, CEADs city-years ({s['co2_ceads_city_years']}, "
        f"{len(s['co2_ceads_cities'])} cities) | {s['co2_mape_ceads_pct']:.1f} % |",
        f"| CO2 bias, CEADs city-years | {s['co2_bias_ceads_pct']:+.1f} % |",
    ]
    for v in VARIABLES:
        lines.append(
            f"| {v} MAPE / bias 2015-2019 | {s[f'{v}_mape_pct']:.1f} % / {s[f'{v}_bias_pct']:+.1f} % |"
        )
    for v in ("gdp", "energy_total", "co2"):
        lines.append(f"| {v} MAPE 2020 (out of sample) | {s[f'{v}_mape_2020_pct']:.1f} % |")
    target_met = s["co2_mape_ceads_pct"] <= 10.0
    lines += [
        "",
        f"Target CO2 MAPE <= 10 % on CEADs cities: **{'met' if target_met else 'not met'}**.",
        "",
        "## Parameters",
        "",
        "| parameter | prior | estimate | 95 % interval | identified | used | note |",
        "|---|---:|---:|---|---|---:|---|",
    ]
    for k, p in record["parameters"].items():
        lo, hi = p["ci95"]
        lines.append(
            f"| {k} | {p['prior']:.4g} | {p['estimate']:.4g} | [{lo:.3g}, {hi:.3g}] | "
            f"{'yes' if p['identified'] else 'no'} | {p['value']:.4g} | {p['note']} |"
        )
    worst = table[table["variable"] == "co2"].sort_values("mape_pct", ascending=False)
    lines += [
        "",
        "## CO2 by city (2015-2019)",
        "",
        "| city | MAPE % | bias % | estimated years | 2020 error % |",
    ]
    lines.append("|---|---:|---:|---:|---:|")
    for r in worst.itertuples():
        lines.append(
            f"| {r.city_id} | {r.mape_pct:.1f} | {r.bias_pct:+.1f} | {int(r.n_estimated)} "
            f"| {r.error_2020_pct:+.1f} |"
        )
    lines += co2_error_lines(comp, out)
    lines += [
        "",
        "Per city and variable: `mape_by_city.csv`; every value: `observed_vs_modelled.csv`;",
        "figures: `backcast_<variable>.png`.",
        "",
        "## Cities whose data are estimates or have breaks",
        "",
        "Years flagged `estimate=true` in city_history (energy, coal and electricity are estimates",
        "everywhere) and the documented breaks (calibration/data/SOURCES-cities.md):",
        "",
        "| city | co2 estimated years | gdp estimated years | break or note |",
        "|---|---|---|---|",
    ]
    for r in caveats.itertuples():
        lines.append(
            f"| {r.city_id} | {getattr(r, 'co2', '')} | {getattr(r, 'gdp', '')} | {r.break_or_note} |"
        )
    page = out / "README.md"
    page.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return page


def append_out_of_sample(page: Path, pathways: pd.DataFrame, base: Any, scenario: str) -> None:
    """Add the out-of-sample section (2021-2025 against the published record, never fitted) to
    the report page: all zones by year and each zone-year, model vs published, error in pp."""
    from zonesim.calibration.validation import BASIS_NOTE, out_of_sample
    from zonesim.calibration.validation import summary as oos_summary

    tables = out_of_sample(pathways, base)
    tables["zone"].to_csv(page.parent / "out_of_sample_zone_years.csv", index=False)
    tables["all_zones"].to_csv(page.parent / "out_of_sample_all_zones.csv", index=False)
    head = oos_summary(tables)
    lines = [
        "",
        f"## Out of sample: 2021-2025 against the published record (scenario `{scenario}`)",
        "",
        f"Model: {BASIS_NOTE}; published: the city's figure, else "
        "its province's, else the nation's (`published_outcomes.csv`, never used in the fit). "
        "Zones and all zones weight cities by GDP.",
        "",
        tables["all_zones"].round(2).to_markdown(index=False),
        "",
        f"All zones within ±1.5 pp every year: **{'yes' if head['all_zones_within'] else 'no'}**; "
        f"zone-years within ±2 pp: {head['zone_years_within_share']:.0%} of {head['zone_years']} "
        "(per zone and year: `out_of_sample_zone_years.csv`).",
        "",
        tables["zone"].round(2).to_markdown(index=False),
        "",
    ]
    lines += vintage_section(pathways, base, page.parent, "out_of_sample")
    with open(page, "a", encoding="utf-8") as fh:
        fh.write("\n".join(lines) + "\n")


def vintage_section(pathways: pd.DataFrame, base: Any, out: Path, prefix: str) -> list[str]:
    """Markdown lines (and CSVs ``<prefix>_cumulative.csv``, ``<prefix>_vintage_periods.csv`` in
    ``out``): all zones' change since 2020 against each national cumulative figure on its own
    vintage, and the changes the published data allow on one consistent vintage."""
    from zonesim.calibration.validation import BASE_YEAR, cumulative_comparison, vintage_periods

    cum = cumulative_comparison(pathways, base)
    periods = vintage_periods(cum)
    cum.drop(columns="key").to_csv(out / f"{prefix}_cumulative.csv", index=False)
    periods.to_csv(out / f"{prefix}_vintage_periods.csv", index=False)
    shown = cum.rename(columns={"year": f"{BASE_YEAR}->year"})
    cols = [
        "indicator",
        f"{BASE_YEAR}->year",
        "vintage",
        "kind",
        "published_pct",
        "model_pct",
        "error_pp",
        "model_weighted_pct",
        "error_weighted_pp",
    ]
    derived = cum[cum["kind"] == "derived"]
    return [
        f"### All zones, change since {BASE_YEAR}, on each published vintage",
        "",
        "The yearly figures above are first-published communiqué values of different vintages "
        "(2021-2022 on total energy, 2023 on energy without non-fossil and feedstock, both on GDP "
        "before the fifth-census revision of Dec 2024; 2024-2025 without them and on the revised "
        "GDP), so they do not compound to the NDRC's cumulative figures. Here each national "
        "cumulative figure is compared on its own vintage: the model's energy on the figure's "
        "basis in 2020 and in the year, `model_pct` with the zones as one economy (their energy "
        "over their GDP, as the nation's figure is defined), `model_weighted_pct` with the yearly "
        "table's GDP weighting compounded. `derived` rows extend a published cumulative figure "
        "along the yearly figures of the same vintage (the arithmetic below). The model's GDP "
        "follows the realised growth published first (`macro_realised.csv`): the census "
        "revision is not in it. Validation only: nothing here is fitted.",
        "",
        shown[cols].round(2).to_markdown(index=False),
        "",
        *[f"- {r.indicator} {BASE_YEAR}->{r.year} ({r.vintage}): {r.how}" for r in derived.itertuples()],
        "",
        f"### Changes on one consistent vintage (between the points above, {BASE_YEAR} included)",
        "",
        "What the published data allow as yearly changes on a single vintage: 2024 and 2025 on "
        "the revised GDP, the years before only as blocks. Model: the zones as one economy, on "
        "the same basis; per year = the period's change annualised.",
        "",
        periods.round(2).to_markdown(index=False),
    ]


def _anchor_line(settings: dict) -> str:
    """The backcast's product anchors as the record states them (RECIPE.md, "Product anchors")."""
    if not settings.get("backcast_product_anchors"):
        return "Product anchors in the backcast: off (every sector on the city's realised GDP path)."
    pairs = ", ".join(f"{k} -> {v}" for k, v in settings.get("product_anchors", {}).items())
    scopes = ", ".join(settings.get("product_anchor_scopes", []))
    return f"Product anchors in the backcast: {pairs} (first of: {scopes}; product_output.csv)."
