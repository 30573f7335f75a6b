"""Compare lever mixes: run what is missing, judge every target, tabulate, draw, write a report.

``compare(["scenarios/baseline.yaml", "scenarios/combined.yaml"], out="results/compare")``
validates every scenario file first, runs each (or reuses ``out/runs/<name>/`` when its stamp
matches the scenario hash, data and code version), then writes ``report.html`` (figures
embedded, no external files), ``report.md`` with ``figures/*.png`` beside it, and the tables as
CSV. ``store=`` adds runs found in a folder: a batch store (``zonesim batch``; every seed of
every mix, so the report shows the spread over seeds) or folders of single runs.

The work is split by what it owns: :mod:`~zonesim.report.runs` (running and reading
runs), :mod:`~zonesim.report.tables` (judging and tabulating) and :mod:`~zonesim.report.render`
(figures and the written report); every name stays importable from here.

What a target "met" means is said in :mod:`~zonesim.report.tables`.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd
from zonesim import plot
from zonesim.report.render import CSS, DETAIL_MAX, Report, _figures, _sections, _write_html, _write_markdown
from zonesim.report.runs import Case, is_batch_store, load_or_run, read_batch_store, read_store
from zonesim.report.tables import (
    DUAL_TOL,
    RUN_TOTALS,
    SLACK_TOL,
    TARGET_UNITS,
    comparison_table,
    executive_table,
    gap_built_table,
    levers_table,
    marginal_table,
    periods_table,
    run_table,
    scenario_table,
    summary_text,
    targets_matrix,
    verdict,
    zone_outcomes,
    zone_table,
)
from zonesim.results import slug
from zonesim.scenario import Scenario, load_scenario

__all__ = [
    "CSS",
    "DETAIL_MAX",
    "DUAL_TOL",
    "RUN_TOTALS",
    "SLACK_TOL",
    "TARGET_UNITS",
    "Case",
    "Report",
    "compare",
    "comparison_table",
    "executive_table",
    "gap_built_table",
    "is_batch_store",
    "levers_table",
    "load_or_run",
    "marginal_table",
    "periods_table",
    "read_batch_store",
    "read_store",
    "run_table",
    "scenario_table",
    "summary_text",
    "targets_matrix",
    "verdict",
    "zone_outcomes",
    "zone_table",
]


def compare(
    scenarios: Iterable[str | Path] = (),
    out: str | Path = "results/compare",
    store: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    lang: str = "en",
    log=print,
) -> Report:
    """Run (or reuse) each scenario, then write the comparison report to ``out``.

    Every scenario file is read and validated before anything runs, so a typo in the last file
    is reported at once. ``overrides`` are deep-merged into every scenario (e.g. a zone
    selection and a short horizon for a quick look); runs are cached in ``out/runs/<name>/``.
    ``store``: a batch store (every seed of every mix; the report shows the spread over seeds)
    or a folder of single runs.
    """
    from zonesim.data import load

    out = Path(out)
    figdir = out / "figures"
    base = load()
    scens: dict[str, Scenario | None] = {}
    for path in scenarios:  # validate all first
        sc = load_scenario(path, **dict(overrides or {}))
        if sc.name in scens:
            raise ValueError(f"two scenarios are named '{sc.name}'; names must differ to be compared")
        scens[sc.name] = sc
    cases: dict[str, Case] = {}
    if store is not None and is_batch_store(store):
        cases.update(read_batch_store(store))
        scens = {**{n: c.scenario for n, c in cases.items()}, **scens}
    elif store is not None:
        for name, res in read_store(store).items():
            cases[name] = Case(name, None, {int(res.stamp.get("seed", 0) or 0): res})
            scens.setdefault(name, None)
    if not scens and not cases:
        raise ValueError("nothing to compare: give scenario files or a store directory")
    figdir.mkdir(parents=True, exist_ok=True)
    for name, sc in scens.items():
        if sc is not None and name not in cases:
            res = load_or_run(sc, out / "runs" / slug(name), base=base, log=log)
            cases[name] = Case(name, sc, {sc.seed: res})
    cases = {n: cases[n] for n in scens}  # report order: files first, then the store's
    results = {n: next(iter(c.runs.values())) for n, c in cases.items()}  # first seed of each

    zone_runs = pd.concat(
        [zone_outcomes(res, c.scenario, n) for n, c in cases.items() for res in c.runs.values()],
        ignore_index=True,
    )
    runs = run_table(zone_runs)
    scen = scenario_table(runs)
    zones = zone_table(zone_runs)
    names = plot.zone_names(lang if lang != "both" else "both")
    zones.insert(2, "zone", zones["zone_id"].map(lambda z: names.get(z, z).replace("\n", " ")))
    plans = {}
    for n, c in cases.items():
        p = pd.concat([r.plans for r in c.runs.values()], ignore_index=True)
        p["scenario"] = n
        plans[n] = p
    tables = {
        "summary": executive_table(scen),
        "targets": targets_matrix(zones, {z: names.get(z, z).replace("\n", " ") for z in zones["zone_id"]}),
        "levers": levers_table(scens),
        "scenarios": scen,
        "runs": runs,
        "zones": zones,
        "marginal": marginal_table(plans),
        "plan_vs_built": gap_built_table(results),
        "periods": periods_table(results),
    }
    for name, df in tables.items():
        df.to_csv(out / f"{name}.csv", index=False)

    stamp = {
        "code_version": next(iter(results.values())).stamp.get("code_version", ""),
        "data_version": base.version,
    }
    figs = _figures(cases, results, zones, zone_runs, scen, plans, lang, stamp)
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

    last_year = int(zones["year"].max())
    sections = _sections(results, tables, summary_text(scen, zones, last_year))
    _write_markdown(out / "report.md", sections, figs, results, stamp)
    _write_html(out / "report.html", sections, figs, images, results, stamp)
    log(f"report written to {out / 'report.html'} and {out / 'report.md'}")
    return Report(out=out, results=results, tables=tables, figures=paths)
