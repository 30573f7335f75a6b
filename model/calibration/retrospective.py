"""The 2021-2025 retrospective: each zone's modelled outcome against its targets and the
published record (``published_outcomes.csv``, validation only: nothing is fitted to it).

The published cumulative change 2020->2025 of a city compounds its yearly published
energy-intensity changes (the city's own, else its province's, else the nation's; the
``resolved`` column says which). Zone figures weight cities by GDP. Those yearly figures are of
different vintages (accounting basis, GDP before or after the 2024 census revision), so the
page ends with the all-zones change since 2020 against each national cumulative figure on its
own vintage (:func:`zonesim.calibration.validation.cumulative_comparison`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.calibration.validation import BASIS_NOTE, out_of_sample, summary
from zonesim.data import BaseYear, load


def zone_table(pathways: pd.DataFrame, base: BaseYear, first: int = 2020, last: int = 2025) -> pd.DataFrame:
    """Per zone: modelled and published energy-intensity change first->last, target, errors."""
    tables = out_of_sample(pathways, base)
    city = tables["city"]
    city = city[(city["year"] > first) & (city["year"] <= last)]
    cum = city.groupby("city_id").agg(
        model_pct=("model_pct", lambda x: 100 * (np.prod(1 + x / 100) - 1)),
        published_pct=("published_pct", lambda x: 100 * (np.prod(1 + x / 100) - 1)),
        years=("year", "nunique"),
        resolved=("resolved", lambda r: "/".join(sorted(set(r)))),
    )
    cities = pathways[pathways["year"] == last].set_index("city_id")
    cum["zone_id"] = cities["zone_id"]
    cum["gdp"] = cities["gdp_bn"]
    cum["counted_pct"] = cities["intensity_change_pct"]
    cum["target_pct"] = cities["intensity_target_pct"]
    cum = cum.dropna(subset=["zone_id"])
    rows = []
    for zone, df in cum.groupby("zone_id"):
        w = df["gdp"] / df["gdp"].sum()
        rows.append(
            {
                "zone": zone,
                "cities": ", ".join(df.index),
                "model: energy/GDP chg %": float((w * df["model_pct"]).sum()),
                "published chg %": float((w * df["published_pct"]).sum()),
                "error pp": float((w * (df["model_pct"] - df["published_pct"])).sum()),
                "published from": "/".join(sorted(set("/".join(df["resolved"]).split("/")))),
                "model: counted intensity chg %": float((w * df["counted_pct"]).sum()),
                "target %": float((w * df["target_pct"]).sum()),
            }
        )
    out = pd.DataFrame(rows)
    out["model meets target"] = out["model: counted intensity chg %"] <= out["target %"]
    return out


def write(pathways: pd.DataFrame, base: BaseYear, out: Path | str, scenario: str) -> Path:
    """Write ``retrospective.md`` and its CSV tables to ``out``; return the page."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    zones = zone_table(pathways, base)
    tables = out_of_sample(pathways, base)
    head = summary(tables)
    zones.to_csv(out / "retrospective_zones.csv", index=False)
    tables["all_zones"].to_csv(out / "retrospective_all_zones.csv", index=False)
    tables["zone"].to_csv(out / "retrospective_zone_years.csv", index=False)
    lines = [
        f"# 2021-2025 retrospective: {scenario}",
        "",
        "Model against the published record (calibration/data/published_outcomes.csv; validation "
        "only, never fitted). Published figures are the city's own where found, else its "
        "province's, else the nation's (`published from`); energy intensity: "
        f"{BASIS_NOTE}; yearly changes compounded (the per-zone 2020-2025 figures below therefore mix "
        "the published vintages; the all-zones comparison on each vintage is at the end).",
        "",
        "## All zones together, by year (GDP-weighted)",
        "",
        tables["all_zones"].round(2).to_markdown(index=False),
        "",
        f"Zone-years within +/-2 pp: {head['zone_years_within_share']:.0%} of {head['zone_years']}.",
        "",
        "## Each zone, 2020-2025",
        "",
        zones.round(1).to_markdown(index=False),
        "",
    ]
    from zonesim.calibration.report import vintage_section

    lines += [
        "#" + s if s.startswith("### ") else s for s in vintage_section(pathways, base, out, "retrospective")
    ]
    lines.append("")
    page = out / "retrospective.md"
    page.write_text("\n".join(lines), encoding="utf-8")
    return page


def _cmd(args: argparse.Namespace) -> int:
    from zonesim.runner import run
    from zonesim.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    results = run(scenario, progress=True)
    out = Path(args.out) if args.out else Path("results") / f"{scenario.name}_retrospective"
    page = write(results.pathways, load(), out, scenario.name)
    print(page.read_text(encoding="utf-8"))
    print(f"written to {page}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "retrospective", help="run a 2021-2025 scenario and compare each zone with the published record"
    )
    p.add_argument("scenario", help="scenario file, e.g. scenarios/retrospective_2021_2025.yaml")
    p.add_argument("--out", metavar="DIR", help="output folder (default results/<name>_retrospective)")
    p.set_defaults(func=_cmd)
