"""Compare lever mixes: run what is missing, tabulate, draw, and write a self-contained report.

``compare(["scenarios/baseline.yaml", "scenarios/combined.yaml"], out="results/compare")``
runs each scenario (or reuses ``out/runs/<name>/`` when its stamp matches the scenario hash
and data version), then writes ``report.html`` (figures embedded, no external files),
``report.md`` with ``figures/*.png`` beside it, and the comparison tables as CSV.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from zonesim import plot
from zonesim.results import Results, code_version
from zonesim.scenario import Scenario, load_scenario
from zonesim.units import MEGA


# --------------------------------------------------------------------------- running
def load_or_run(scenario: Scenario, run_dir: Path, base: Any = None, log=print) -> Results:
    """Results of ``scenario`` in ``run_dir``: read if the stored stamp matches, else run and write."""
    from zonesim.data import load
    from zonesim.runner import run

    base = base if base is not None else load()
    stamp_file = run_dir / "stamp.json"
    if stamp_file.exists():
        stamp = json.loads(stamp_file.read_text())
        same = (
            stamp.get("scenario_hash") == scenario.hash()
            and stamp.get("data_version") == base.version
            and stamp.get("code_version") == code_version()
        )
        if same:
            log(f"reusing {run_dir} (scenario '{scenario.name}', hash {scenario.hash()})")
            return Results.read(run_dir)
    log(f"running scenario '{scenario.name}' -> {run_dir}")
    return run(scenario, out=run_dir, base=base)


def read_store(store: str | Path) -> dict[str, Results]:
    """Results from a store directory: every folder below it holding a ``stamp.json`` and tables.

    When several runs share a scenario name (replications) the first by path is used and
    named ``<scenario>``; others are named ``<scenario>#<seed>``.
    """
    found: dict[str, Results] = {}
    for stamp in sorted(Path(store).rglob("stamp.json")):
        if not (stamp.parent / "pathways.parquet").exists():
            continue
        res = Results.read(stamp.parent)
        name = str(res.stamp.get("scenario", stamp.parent.name))
        if name in found:
            name = f"{name}#{res.stamp.get('seed', stamp.parent.name)}"
        found[name] = res
    if not found:
        raise ValueError(f"{store}: no runs found (folders with stamp.json and pathways.parquet)")
    return found


# ---------------------------------------------------------------------------- tables
def levers_table(scenarios: Mapping[str, Scenario | None]) -> pd.DataFrame:
    """One row per scenario and lever in force, with its settings."""
    rows = []
    for name, sc in scenarios.items():
        if sc is None:
            rows.append({"scenario": name, "lever": "(from store)", "settings": ""})
            continue
        active = sc.levers.active()
        if not active:
            rows.append({"scenario": name, "lever": "none (baseline)", "settings": ""})
        for lever, value in active.items():
            settings = ", ".join(f"{k}={v}" for k, v in value.model_dump().items())
            rows.append({"scenario": name, "lever": lever, "settings": settings})
    return pd.DataFrame(rows, columns=["scenario", "lever", "settings"])


def comparison_table(results: Mapping[str, Results]) -> pd.DataFrame:
    """Scenario x zone in the final year: intensity change, target, gap (pp), met, CO2, cumulative cost."""
    rows = []
    for name, res in results.items():
        z = res.zones()
        last = z[z["year"] == z["year"].max()]
        later = z[z["year"] > z["year"].min()]
        cost = later.groupby("zone_id")["cost_bn"].sum()
        capex = later.groupby("zone_id")["capex_bn"].sum()
        for r in last.itertuples():
            gap = max(r.intensity_change_pct - r.intensity_target_pct, 0.0)
            rows.append(
                {
                    "scenario": name,
                    "zone_id": r.zone_id,
                    "year": int(r.year),
                    "intensity_change_pct": r.intensity_change_pct,
                    "intensity_target_pct": r.intensity_target_pct,
                    "gap_pp": gap,
                    "met": gap <= 0,
                    "co2_mt": r.co2_t / MEGA,
                    "energy_counted_mtce": r.energy_counted_total_tce / MEGA,
                    "coal_share": r.coal_share,
                    "nonfossil_share": r.nonfossil_share,
                    "cost_bn": float(cost.get(r.zone_id, 0.0)),
                    "capex_bn": float(capex.get(r.zone_id, 0.0)),
                }
            )
    return pd.DataFrame(rows)


def scenario_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """One row per scenario: zones meeting the target, cumulative cost, final CO2, change vs the first."""
    g = comparison.groupby("scenario", sort=False)
    out = pd.DataFrame(
        {
            "zones": g.size(),
            "zones_met": g["met"].sum().astype(int),
            "mean_gap_pp": g["gap_pp"].mean(),
            "cost_bn": g["cost_bn"].sum(),
            "capex_bn": g["capex_bn"].sum(),
            "co2_mt": g["co2_mt"].sum(),
        }
    ).reset_index()
    ref = out.iloc[0]
    out["d_cost_bn"] = out["cost_bn"] - ref["cost_bn"]
    out["d_co2_mt"] = out["co2_mt"] - ref["co2_mt"]
    abated = -out["d_co2_mt"]
    out["cny_per_t_co2_avoided"] = (out["d_cost_bn"] * 1e9 / (abated * 1e6)).where(abated > 1e-9)
    return out


def marginal_table(plans: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Marginal cost of each target per scenario: mean and max over city-years, share of them binding."""
    rows = []
    for name, p in plans.items():
        for col in [c for c in p.columns if c.startswith("marginal_")]:
            v = p[col].astype(float)
            rows.append(
                {
                    "scenario": name,
                    "target": col.removeprefix("marginal_"),
                    "mean_cny_per_unit": v.mean(),
                    "max_cny_per_unit": v.max(),
                    "binding_share": float((v.abs() > 1e-6).mean()) if len(v) else 0.0,
                    "slack_total": float(
                        p.get(f"slack_{col.removeprefix('marginal_')}", pd.Series([0.0])).sum()
                    ),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "scenario",
            "target",
            "mean_cny_per_unit",
            "max_cny_per_unit",
            "binding_share",
            "slack_total",
        ],
    )


def gap_built_table(results: Mapping[str, Results]) -> pd.DataFrame:
    """Plan-vs-built: planned and built MW over the horizon by scenario and technology, and the gap."""
    rows = []
    for name, res in results.items():
        inv = res.investments
        if inv.empty:
            continue
        s = inv.groupby("tech")[["planned_mw", "built_mw"]].sum().abs()
        for tech, r in s.iterrows():
            rows.append({"scenario": name, "tech": tech, "planned_mw": r.planned_mw, "built_mw": r.built_mw})
    df = pd.DataFrame(rows, columns=["scenario", "tech", "planned_mw", "built_mw"])
    df["gap_mw"] = df["planned_mw"] - df["built_mw"]
    df["gap_pct"] = (100 * df["gap_mw"] / df["planned_mw"]).where(df["planned_mw"] > 0)
    return df


# ---------------------------------------------------------------------------- report
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


def compare(
    scenarios: Iterable[str | Path] = (),
    out: str | Path = "results/compare",
    store: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    lang: str = "en",
    log=print,
) -> Report:
    """Run (or reuse) each scenario, then write the comparison report to ``out``.

    ``overrides`` are applied to every scenario (e.g. a zone selection and short horizon for
    a quick look); runs are cached in ``out/runs/<name>/``. With ``store`` the runs found in
    that directory (folders with ``stamp.json``) are added to the comparison.
    """
    from zonesim.data import load

    out = Path(out)
    figdir = out / "figures"
    figdir.mkdir(parents=True, exist_ok=True)
    base = load()
    scens: dict[str, Scenario | None] = {}
    results: dict[str, Results] = {}
    for path in scenarios:
        sc = load_scenario(path, **dict(overrides or {}))
        if sc.name in results:
            raise ValueError(f"two scenarios are named '{sc.name}'; names must differ to be compared")
        scens[sc.name] = sc
        results[sc.name] = load_or_run(sc, out / "runs" / sc.name, base=base, log=log)
    if store is not None:
        for name, res in read_store(store).items():
            if name not in results:
                scens[name] = None
                results[name] = res
    if not results:
        raise ValueError("nothing to compare: give scenario files or a store directory")

    comp = comparison_table(results)
    plans = {}
    for n, r in results.items():
        p = r.plans.copy()
        p["scenario"] = n
        plans[n] = p
    tables = {
        "levers": levers_table(scens),
        "scenarios": scenario_table(comp),
        "zones": comp,
        "marginal": marginal_table(plans),
        "plan_vs_built": gap_built_table(results),
    }
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False)

    stamp = {
        "code_version": next(iter(results.values())).stamp.get("code_version", ""),
        "data_version": base.version,
    }
    figs: dict[str, tuple[str, Any]] = {}
    figs["gap_heatmap"] = (
        "2025 target gap by zone and lever mix",
        plot.gap_heatmap(comp, lang=lang, stamp=stamp),
    )
    figs["cost_co2"] = ("Cost against CO2", plot.cost_co2_figure(tables["scenarios"], stamp=stamp))
    all_plans = pd.concat(plans.values(), ignore_index=True)
    if any(c.startswith("marginal_") for c in all_plans.columns):
        figs["marginal_cost"] = (
            "Marginal cost of the targets",
            plot.marginal_cost_figure(all_plans, stamp=stamp),
        )
    for name, res in results.items():
        figs[f"map_{name}"] = (f"Zones by location: 2025 gap, {name}", plot.zone_map(res, lang=lang))
        figs[f"indicators_{name}"] = (f"Headline indicators, {name}", plot.indicators_figure(res, lang=lang))
        figs[f"intensity_{name}"] = (
            f"Energy intensity against targets, {name}",
            plot.pathways_figure(res, lang=lang),
        )
        figs[f"capacity_{name}"] = (
            f"Capacity mix by zone, {name}",
            plot.mix_figure(res, "capacity", lang=lang),
        )
        if not res.investments.empty:
            figs[f"investments_{name}"] = (f"Planned vs built, {name}", plot.investments_figure(res))
    import matplotlib.pyplot as plt

    images: dict[str, str] = {}
    paths: dict[str, Path] = {}
    for key, (_, fig) in figs.items():
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        data = buf.getvalue()
        path = figdir / f"{key}.png"
        path.write_bytes(data)
        paths[key] = path
        images[key] = base64.b64encode(data).decode()

    sections = _sections(results, tables)
    _write_markdown(out / "report.md", sections, figs, results, stamp)
    _write_html(out / "report.html", sections, figs, images, results, stamp)
    log(f"report written to {out / 'report.html'} and {out / 'report.md'}")
    return Report(out=out, results=results, tables=tables, figures=paths)


def _sections(
    results: Mapping[str, Results], tables: Mapping[str, pd.DataFrame]
) -> list[tuple[str, str, Any]]:
    """(heading, text, table or figure-key list) in report order."""
    comp = tables["zones"]
    sc = tables["scenarios"]
    met = comp.pivot_table(index="zone_id", columns="scenario", values="gap_pp", aggfunc="first")[
        list(results)
    ]
    met = met.map(lambda v: "met" if v <= 0 else f"miss by {v:.1f} pp").reset_index()
    first = sc.iloc[0]["scenario"]
    best = sc.sort_values(["zones_met", "cost_bn"], ascending=[False, True]).iloc[0]
    years = sorted({int(y) for y in comp["year"]})
    lines = [
        f"{len(results)} scenarios, {comp['zone_id'].nunique()} zones, final year {years[-1]}.",
        f"Most zones meeting their energy-intensity target: '{best['scenario']}' "
        f"({int(best['zones_met'])}/{int(best['zones'])}, "
        f"cumulative cost {best['cost_bn']:,.0f} bn CNY2020).",
        f"Differences (d_) are against the first scenario, '{first}'.",
    ]
    if years[-1] < 2025:
        lines.append(f"Note: the horizon ends in {years[-1]}, before the 2025 target year; gaps are interim.")
    return [
        ("Summary", " ".join(lines), None),
        ("Levers compared", "Levers in force in each scenario, with their settings.", tables["levers"]),
        (
            "Scenarios at a glance",
            "Zones meeting their 2025 energy-intensity target, cumulative system cost (annualised capex, "
            "O&M, fuel, carbon payments, imports; bn CNY2020), final-year CO2 (Mt), and cost per tonne "
            "of CO2 avoided against the first scenario (carbon payments included, so a carbon price "
            "raises this figure).",
            sc,
        ),
        ("Who meets the 2025 target", "Energy-intensity gap per zone under each lever mix.", met),
        ("", "", ["gap_heatmap", "cost_co2"] + [k for k in _keys(results, "map_")]),
        (
            "Marginal cost of the targets",
            "Dual values of the planner's target constraints (CNY per tce, or per tCO2), mean and "
            "maximum over city-years, and the share of city-years in which the target binds. Zero: the "
            "target costs nothing at the margin (met anyway, or not enforced in that scenario).",
            tables["marginal"],
        ),
        ("", "", ["marginal_cost"]),
        (
            "Plan vs built",
            "New capacity the planner asked for against what cities built after finance and build-rate "
            "limits (MW over the horizon).",
            tables["plan_vs_built"],
        ),
        ("", "", _keys(results, "investments_")),
        ("Pathways", "Projected pathways against targets and the capacity mix, per scenario.", None),
        ("", "", _keys(results, "intensity_") + _keys(results, "indicators_") + _keys(results, "capacity_")),
        ("Zone detail", "Final-year values per scenario and zone.", comp),
    ]


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
    parts.append(f"\n{plot._source(stamp, plot.SOURCE_TARGETS)}\n")
    path.write_text("\n".join(parts), encoding="utf-8")


CSS = """
body{font-family:sans-serif;max-width:1200px;margin:2em auto;color:#111;line-height:1.4}
table{border-collapse:collapse;font-size:12px;margin:0.5em 0 1.5em}
th,td{border:1px solid #999;padding:2px 6px;text-align:right}
th{background:#eee} td:first-child,th:first-child{text-align:left}
img{max-width:100%;border:1px solid #ccc;margin:0.5em 0} figure{margin:1em 0}
figcaption{font-size:12px;color:#444}
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
            parts.append(f"<p>{html.escape(text)}</p>")
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
    parts.append(f"<p><small>{html.escape(plot._source(stamp, plot.SOURCE_TARGETS))}</small></p>")
    parts.append("</body></html>")
    path.write_text("\n".join(parts), encoding="utf-8")
