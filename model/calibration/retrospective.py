"""The 2021-2025 retrospective: each zone's modelled outcome against its targets and the
published record (``published_outcomes.csv``, validation only: nothing is fitted to it).

The published cumulative change 2020->2025 of a city compounds its yearly published
energy-intensity changes (the city's own, else its province's, else the nation's; the
``resolved`` column says which). Zone figures weight cities by GDP. Those yearly figures are of
different vintages (accounting basis, GDP before or after the 2024 census revision), so the
page ends with the all-zones change since 2020 against each national cumulative figure on its
own vintage (:func:`zonesim.calibration.validation.cumulative_comparison`).

:func:`record_checks` sets each zone beside every published record that bears on its own
area (the city's figure, else its province's; never the nation's): the NDRC and provincial
H1 2021 warning levels, yearly and cumulative energy-intensity changes, NDRC statements
that a province's 14th-FYP progress lagged, and a province's statement that it reached its
five-year target early. Each check compares the model's change of the
cities' combined energy per unit of GDP over the same period and on the same basis, and says
whether the two agree on direction, on met/missed (against the progress requirement of the
cities' five-year target) and, for figures, on size within 2 pp. docs/validation-record.md
lists what was found and what was not.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.calibration.validation import (
    BASE_YEAR,
    BASIS_NOTE,
    narrow_energy,
    nonfossil_excluded_from,
    out_of_sample,
    summary,
)
from zonesim.calibration.validation import CUMULATIVE as PUBLISHED
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


GRADE = "dual_control_grade_h1"
"""Warning level of an H1 energy-intensity barometer: 1 rose, 2 fell short of progress, 3 on track."""
ON_TRACK = "dual_control_on_track_h1"
"""1 = met the H1 progress requirement, 0 = did not."""
YEARLY, CUMULATIVE = PUBLISHED["energy"]  # the yearly and since-2020 variables
BEHIND = "energy_intensity_behind_schedule"
"""1 = NDRC states the province's 14th-FYP energy-intensity progress lags (as of ``year``)."""
REACHED = "energy_intensity_target_reached"
"""1 = the province states it reached its 14th-FYP energy-intensity target by ``year``."""
RECORD_VARIABLES = (GRADE, ON_TRACK, YEARLY, CUMULATIVE, BEHIND, REACHED)
SIZE_PP = 2.0
"""A published figure and the model agree on size when within this many percentage points."""


def _change_pct(p: pd.DataFrame, cities: list[str], start: int, end: int, narrow: bool) -> float:
    """Change (%) of the cities' combined energy per unit of GDP from ``start`` to ``end``;
    ``narrow``: energy without local non-fossil generation and feedstock in both years."""
    d = (
        p[p["city_id"].isin(cities)]
        .groupby("year")[["energy_total_tce", "nonfossil_primary_tce", "feedstock_tce", "gdp_bn"]]
        .sum()
    )
    energy = narrow_energy(d) if narrow else d["energy_total_tce"]
    ei = energy / d["gdp_bn"]
    return float(100.0 * (ei[end] / ei[start] - 1.0))


def _requirement_pct(target_pct: float, years: int) -> float:
    """The progress requirement after ``years`` of a five-year target (compound pro rata), %."""
    return 100.0 * ((1.0 + target_pct / 100.0) ** (years / 5.0) - 1.0)


def _resolved_records(base: BaseYear, cities: pd.DataFrame) -> pd.DataFrame:
    """Per city: each record variable and year, the city's own figure, else its province's."""
    pub = base.tables["published_outcomes"]
    pub = pub[pub["variable"].isin(RECORD_VARIABLES) & pub["scope"].isin(["city", "province"])]
    own = pub[(pub["scope"] == "city") & (pub["resolved_from"] == "city")]
    prov = pub[pub["scope"] == "province"]
    rows = []
    for c in cities.itertuples(index=False):
        mine = own[own["region"] == c.city_id]
        theirs = prov[prov["region"] == c.province]
        theirs = theirs[
            ~theirs.set_index(["variable", "year"]).index.isin(mine.set_index(["variable", "year"]).index)
        ]
        for r in pd.concat([mine, theirs]).itertuples(index=False):
            rows.append(
                {
                    "city_id": c.city_id,
                    "zone_id": c.zone_id,
                    "variable": r.variable,
                    "year": int(r.year),
                    "published": float(r.value),
                    "unit": r.unit,
                    "from": f"{r.scope}: {r.region}",
                    "period_basis": r.basis,
                }
            )
    return pd.DataFrame(rows)


def record_checks(pathways: pd.DataFrame, base: BaseYear) -> pd.DataFrame:
    """Per zone and published record of its own area: the model on the same period and basis,
    and whether they agree (direction, met/missed, size within ``SIZE_PP``).

    Basis: H1 2021 levels on total energy (the 2021 rule), yearly changes on the basis of their
    year (validation.py), cumulative changes and 'behind schedule' statements on energy without
    non-fossil energy and feedstock (the rule NDRC applied to 14th-FYP progress from 2023); a
    'target reached' statement is set against the whole five-year target. H1
    records are set against the model's calendar-year change (the model is yearly).
    """
    ids = sorted(pathways["city_id"].unique())
    cities = base.cities.set_index("city_id").loc[ids].reset_index()
    cities = cities[cities["zone_id"].notna()]
    rec = _resolved_records(base, cities)
    years = set(int(y) for y in pathways["year"].unique())
    narrow_from = nonfossil_excluded_from(base)
    rows = []
    if rec.empty:
        return pd.DataFrame(rows)
    for (zone, var, year, src), grp in rec.groupby(["zone_id", "variable", "year", "from"], sort=True):
        ids = sorted(grp["city_id"])
        first = year - 1 if var in (GRADE, ON_TRACK, YEARLY) else BASE_YEAR
        if first not in years or year not in years:
            continue  # the run does not cover the record's period
        narrow = var in (CUMULATIVE, BEHIND, REACHED) or (var == YEARLY and year >= narrow_from)
        model = _change_pct(pathways, ids, first, year, narrow)
        last = pathways[(pathways["city_id"].isin(ids)) & (pathways["year"] == year)]
        target = float(np.average(last["intensity_target_pct"], weights=last["gdp_bn"]))
        need = target if var == REACHED else _requirement_pct(target, year - first)
        pub = float(grp["published"].iloc[0])
        direction = size = pd.NA
        if var == GRADE:
            grade = 1 if model > 0 else (3 if model <= need else 2)
            direction, status = (model > 0) == (pub == 1), grade == int(pub)
        elif var == ON_TRACK:
            status = (model <= need) == bool(pub)
        elif var == BEHIND:
            status = (model > need) == bool(pub)
        elif var == REACHED:
            status = (model <= need) == bool(pub)
        else:
            direction = (model < 0) == (pub < 0)
            status = (model <= need) == (pub <= need)
            size = abs(model - pub) <= SIZE_PP
        rows.append(
            {
                "zone": zone,
                "cities": ", ".join(ids),
                "record": var,
                "period": f"{first}-{year}" if first != year - 1 else str(year),
                "from": src,
                "published": pub,
                "unit": grp["unit"].iloc[0],
                "model_pct": model,
                "requirement_pct": need,
                "basis": "excl. non-fossil and feedstock" if narrow else "total energy",
                "direction_agrees": direction,
                "status_agrees": bool(status),
                "size_agrees": size,
            }
        )
    return pd.DataFrame(rows)


def record_summary(checks: pd.DataFrame) -> dict[str, int]:
    """How many checks, zones checked, and agreements (direction, met/missed, size)."""
    out = {"checks": len(checks), "zones": int(checks["zone"].nunique()) if len(checks) else 0}
    for col in ("direction_agrees", "status_agrees", "size_agrees"):
        vals = checks[col].dropna().astype(bool) if len(checks) else pd.Series(dtype=bool)
        out[col.replace("_agrees", "_checked")] = int(len(vals))
        out[col] = int(vals.sum())
    return out


def write(pathways: pd.DataFrame, base: BaseYear, out: Path | str, scenario: str) -> Path:
    """Write ``retrospective.md`` and its CSV tables to ``out``; return the page."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    zones = zone_table(pathways, base)
    tables = out_of_sample(pathways, base)
    head = summary(tables)
    checks = record_checks(pathways, base)
    checks.to_csv(out / "retrospective_record.csv", index=False)
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
        "## Each zone against its own published record (city, else province; docs/validation-record.md)",
        "",
        (
            checks.round(2).to_markdown(index=False)
            if len(checks)
            else "No record of a zone's own area found."
        ),
        "",
        "Agreement: direction {direction_agrees}/{direction_checked}, met/missed or warning level "
        "{status_agrees}/{status_checked}, size within 2 pp {size_agrees}/{size_checked} "
        "({checks} checks, {zones} zones).".format(**record_summary(checks)),
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
