"""The comparison report drawn and written: its figures, its sections in order, and the same
content as Markdown (figures beside it) and as one self-contained HTML file."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from zonesim import plot
from zonesim.plot import base
from zonesim.results import Results


@dataclass
class Report:
    """What :func:`compare` produced."""

    out: Path
    results: dict[str, Results]
    tables: dict[str, pd.DataFrame]
    figures: dict[str, Path] = field(default_factory=dict)

    @property
    def html(self) -> Path:
        return self.out / "report.html"

    @property
    def markdown(self) -> Path:
        return self.out / "report.md"


def _fmt(df: pd.DataFrame) -> pd.DataFrame:
    df = df.copy()
    for c in df.columns:
        if df[c].dtype.kind == "f":
            df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}")
    return df


def _md_table(df: pd.DataFrame) -> str:
    df = _fmt(df)
    head = "| " + " | ".join(map(str, df.columns)) + " |\n|" + "---|" * len(df.columns) + "\n"
    body = "".join("| " + " | ".join(str(v).replace("|", "/") for v in row) + " |\n" for row in df.to_numpy())
    return head + body


DETAIL_MAX = 4
"""Per-scenario detail figures (pathways, capacity, investments) are drawn for up to this many
scenarios; beyond it the report keeps to the comparison figures."""


def _figures(cases, results, zones, zone_runs, scen, plans, lang, stamp) -> dict[str, tuple[str, Any]]:
    figs: dict[str, tuple[str, Any]] = {}
    figs["gap_heatmap"] = (
        "2025 target gap by zone and lever mix",
        plot.gap_heatmap(zones, lang=lang, stamp=stamp),
    )
    figs["cost_co2"] = (
        "Cost and CO2 against the reference",
        plot.cost_co2_figure(scen, stamp=stamp),
    )
    pathways = {n: [r.pathways for r in c.runs.values()] for n, c in cases.items()}
    figs["scenario_pathways"] = (
        "CO2 and coal of all zones, by scenario",
        plot.scenarios_figure(pathways, stamp=stamp),
    )
    all_plans = pd.concat(plans.values(), ignore_index=True)
    if any(c.startswith("marginal_") for c in all_plans.columns):
        figs["marginal_cost"] = (
            "Marginal cost of the targets",
            plot.marginal_cost_figure(all_plans, stamp=stamp),
        )
    for i, (name, res) in enumerate(results.items()):
        zmap = zones[zones["scenario"] == name][["zone_id", "gap_pp"]]
        figs[f"map_{name}"] = (
            f"Zones on the map: 2025 energy-intensity gap, {name}",
            plot.zone_map(zmap, lang=lang, stamp={**stamp, "scenario": name}),
        )
        if len(results) <= DETAIL_MAX or i == 0:
            figs[f"intensity_{name}"] = (
                f"Energy intensity against targets, {name}",
                plot.pathways_figure(res, lang=lang),
            )
            figs[f"indicators_{name}"] = (
                f"Headline indicators, {name}",
                plot.indicators_figure(res, lang=lang),
            )
            figs[f"capacity_{name}"] = (
                f"Capacity mix by zone, {name}",
                plot.mix_figure(res, "capacity", lang=lang),
            )
            if not res.investments.empty:
                figs[f"investments_{name}"] = (f"Planned vs built, {name}", plot.investments_figure(res))
    return figs


def _sections(
    results: Mapping[str, Results], tables: Mapping[str, pd.DataFrame], summary: list[str]
) -> list[tuple[str, str, Any]]:
    """(heading, text, table or figure-key list) in report order."""
    return [
        ("Summary", " ".join(summary), None),
        (
            "Levers ranked",
            "Rank 1 meets every target in the most zones; ties go to the larger CO2 cut. CO2, coal and "
            "cost are cumulative over the simulated years against the reference scenario at the same "
            "seed; cost per tonne = cost difference / CO2 difference over the same years (carbon "
            "payments included, so a carbon price raises it). Brackets: 5th-95th percentile over seeds.",
            tables["summary"],
        ),
        (
            "Who meets which target",
            "Final year, per zone: energy-intensity change against the zone's 2025 target (headroom or "
            "miss, percentage points), coal use against the cap where a scenario caps coal, and any "
            "target on which the planner had to use slack (could not meet it). 'met in x % of seeds' "
            "where seeds differ.",
            tables["targets"],
        ),
        ("", "", ["gap_heatmap", "cost_co2", "scenario_pathways"] + _keys(results, "map_")),
        ("Levers compared", "Levers in force in each scenario, with their settings.", tables["levers"]),
        (
            "Scenarios at a glance",
            "Means over seeds (with _sd, _p05, _p95 where there are several): zones meeting every "
            "target, the energy-intensity target and the coal cap; planner city-years with slack; "
            "cumulative system cost (annualised capex, O&M, fuel, carbon payments, imports; bn "
            "CNY2020); final-year and cumulative CO2 (Mt) and coal (Mtce); differences (d_) against "
            "the first scenario at the same seed.",
            tables["scenarios"],
        ),
        (
            "Marginal cost of the targets",
            "Dual values of the planner's target constraints (CNY per tce, or per tCO2) over the "
            "city-years where the target binds and is met: mean and maximum, and the share of "
            "city-years binding. City-years where the target was not met (slack used) are counted "
            "apart: their dual is the slack penalty, not a price.",
            tables["marginal"],
        ),
        ("", "", ["marginal_cost"]),
        (
            "Plan vs built",
            "New capacity the planner asked for against what cities built after finance and build-rate "
            "limits (MW over the horizon; first seed of each scenario).",
            tables["plan_vs_built"],
        ),
        ("", "", _keys(results, "investments_")),
        ("Pathways", "Projected pathways against targets and the capacity mix, per scenario.", None),
        ("", "", _keys(results, "intensity_") + _keys(results, "indicators_") + _keys(results, "capacity_")),
        ("Zone detail", "Final-year values per scenario and zone (means over seeds).", tables["zones"]),
    ] + [
        (
            f"{period}: {title}",
            text,
            table,
        )
        for period, title, text in (
            (
                "2021-2025",
                "energy dual control",
                "Each zone's 2021-2025 outcome against its targets (energy and CO2 intensity vs 2020): "
                "gap in percentage points, negative = headroom (first seed of each scenario).",
            ),
            (
                "2026-2030",
                "carbon dual control",
                "Each zone's 2026-2030 outcome: CO2 intensity vs 2025 against the binding target "
                "(national -17 %, 15th Five-Year Plan outline, applied to every city: no provincial "
                "figure published), total CO2 vs 2025 (guiding; assumed not above 2025), the "
                "non-fossil share against the 2030 commitment (about 25 %; a national figure a city "
                "need not match) and the year CO2 peaks (2030 = still rising). The planner's price "
                "of the CO2-intensity target is marginal_co2_intensity in the marginal-cost table "
                "when a scenario enforces it (carbon_dual_control).",
            ),
        )
        if (table := _period_section(tables, period)) is not None
    ]


def _period_section(tables: Mapping[str, pd.DataFrame], period: str) -> pd.DataFrame | None:
    """The period's rows, one line per scenario and zone (binding target first)."""
    df = tables["periods"]
    df = df[df["period"] == period]
    if df.empty:
        return None
    wide = df.pivot_table(
        index=["scenario", "zone"],
        columns="indicator",
        values=["outcome", "target", "gap_pp"],
        aggfunc="first",
    )
    wide.columns = [f"{ind}: {what}" for what, ind in wide.columns]
    wide = wide[
        sorted(
            wide.columns,
            key=lambda c: (c.split(":")[0], ["target", "outcome", "gap_pp"].index(c.split(": ")[1])),
        )
    ]
    binding = df[df["kind"] == "binding"].groupby(["scenario", "zone"])["met"].all().rename("binding met")
    extra = df.drop_duplicates(["scenario", "zone"]).set_index(["scenario", "zone"])
    wide = wide.join(binding)
    if period == "2026-2030":
        wide["CO2 peak year"] = extra["co2_peak_year"].astype("Int64")
    return wide.reset_index()


def _keys(results: Mapping[str, Results], prefix: str) -> list[str]:
    return [f"{prefix}{n}" for n in results]


def _provenance(results: Mapping[str, Results]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                k: r.stamp.get(k, "")
                for k in ("scenario", "scenario_hash", "seed", "data_version", "code_version")
            }
            for r in results.values()
        ]
    )


def _write_markdown(path: Path, sections, figs, results, stamp) -> None:
    parts = ["# zonesim: lever comparison\n"]
    for heading, text, content in sections:
        if heading:
            parts.append(f"## {heading}\n")
        if text:
            parts.append(text + "\n")
        if isinstance(content, pd.DataFrame):
            parts.append(_md_table(content))
        elif isinstance(content, list):
            for key in content:
                if key in figs:
                    parts.append(f"![{figs[key][0]}](figures/{key}.png)\n")
    parts.append("## Provenance\n")
    parts.append(_md_table(_provenance(results)))
    parts.append(f"\n{base.source_line(stamp, plot.SOURCE_TARGETS)}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


CSS = """
body{font-family:sans-serif;max-width:1280px;margin:1.5em auto;color:#111;line-height:1.4}
table{border-collapse:collapse;font-size:12px;margin:0.5em 0 1.5em}
th,td{border:1px solid #999;padding:2px 6px;text-align:right}
th{background:#eee} td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #ccc;margin:0.5em 0} figure{margin:1em 0}
figcaption{font-size:12px;color:#444}
p.summary{font-size:15px;background:#f4f4f4;padding:0.6em 0.9em;border-left:4px solid #333}
"""


def _write_html(path: Path, sections, figs, images, results, stamp) -> None:
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<title>zonesim: lever comparison</title>",
        f"<style>{CSS}</style></head><body>",
        "<h1>zonesim: lever comparison</h1>",
    ]
    for heading, text, content in sections:
        if heading:
            parts.append(f"<h2>{html.escape(heading)}</h2>")
        if text:
            cls = " class='summary'" if heading == "Summary" else ""
            parts.append(f"<p{cls}>{html.escape(text)}</p>")
        if isinstance(content, pd.DataFrame):
            parts.append(_fmt(content).to_html(index=False, border=0, escape=True))
        elif isinstance(content, list):
            for key in content:
                if key in figs:
                    cap = html.escape(figs[key][0])
                    parts.append(
                        f"<figure id='{key}'><img alt='{cap}' src='data:image/png;base64,{images[key]}'>"
                        f"<figcaption>{cap}</figcaption></figure>"
                    )
    parts.append("<h2>Provenance</h2>")
    parts.append(_provenance(results).to_html(index=False, border=0))
    parts.append(f"<p><small>{html.escape(base.source_line(stamp, plot.SOURCE_TARGETS))}</small></p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
