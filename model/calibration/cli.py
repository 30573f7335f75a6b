"""``zonesim calibrate``: fit behavioural parameters to 2015-2019 history, optionally report."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

# a small, CEADs-covered subset that keeps --quick under a minute (steel, chemicals,
# power-exporting, services-led and north-eastern cities)
QUICK_CITIES = ["shenyang", "changchun", "baotou", "tangshan", "zibo", "xuzhou", "luoyang", "dalian"]


def _cmd_calibrate(args: argparse.Namespace) -> int:
    from zonesim.calibration.backcast import PRODUCT_ANCHORS, reference
    from zonesim.calibration.fit import calibrate
    from zonesim.calibration.stats import default_path, make_record, write

    t0 = time.time()
    cities = args.cities or (QUICK_CITIES if args.quick else None)
    if args.recent is None:
        args.recent = cities is None and not args.quick
    n_firms = args.n_firms or (800 if args.quick else 3000)
    print(f"building the 2020 reference run ({'all default' if cities is None else len(cities)} cities)...")
    anchors = PRODUCT_ANCHORS if args.product_anchors is None else args.product_anchors
    ref = reference(cities=cities, n_firms=n_firms, product_anchors=anchors)
    if ref.anchors is not None:
        print(f"  backcast product anchors {dict(ref.anchors.products)} ({', '.join(ref.anchors.scopes)})")
    print(f"  {time.time() - t0:.1f} s; fitting...")
    result = calibrate(ref, quick=args.quick)
    record = make_record(result, ref, quick=args.quick)
    if args.recent:
        from zonesim.calibration import recent

        years = recent.fit_years(ref.base)
        names = ", ".join(recent.PARAMETERS)
        print(f"recent stage: {names} against the published record of {list(years)}...")
        fitted = recent.fit(ref.base, dict(record["overrides"]))
        result["model"] = add_recent(record, fitted, ref)  # the report's figures with the values used
        for name, rec in fitted.items():
            print(f"  {name} = {rec['value']:.4g} ({rec['note'].split(';')[0]})")
    s = record["fit_statistics"]
    print(
        f"CO2 MAPE 2015-2019 (CEADs city-years): {s['co2_mape_ceads_pct']:.1f} %; "
        f"GDP {s['gdp_mape_pct']:.1f} %; energy {s['energy_total_mape_pct']:.1f} %; "
        f"coal {s['coal_mape_pct']:.1f} %"
    )
    shipped = cities is None and not args.quick and n_firms == 3000
    out = Path(args.out) if args.out else (default_path() if shipped else None)
    if out is not None:
        write(record, out)
        print(f"calibrated parameters written to {out}")
    else:
        print("reduced run (--quick/--cities/--n-firms): calibration file not written (use --out)")
    if args.report:
        from zonesim.calibration.report import write_report

        page = write_report(args.report, result, record)
        if not args.quick:  # out of sample: the retrospective with the parameters just fitted
            from zonesim.calibration.report import append_out_of_sample
            from zonesim.data import load
            from zonesim.runner import run

            scenario = Path(__file__).resolve().parents[2] / "scenarios" / "retrospective_2021_2025.yaml"
            if scenario.exists():
                res = run(scenario, agent_params=record.get("overrides", {}))
                append_out_of_sample(page, res.pathways, load(), scenario.stem)
        print(f"validation report written to {page}")
    print(f"done in {time.time() - t0:.1f} s")
    return 0


def add_recent(record: dict, fitted: dict[str, dict], ref):
    """Put the recent stage's results in the calibration record: each parameter's entry (the
    2015-2019 stage's kept under ``backcast``; the prior when not identified), the override
    when identified, the fit years, and the 2015-2019 statistics recomputed with them; returns
    the backcast with the values used."""
    from zonesim.agents.params import AgentParams
    from zonesim.calibration import backcast, stats

    priors = AgentParams.from_data(ref.base, calibrated=False)
    for name, rec in fitted.items():
        before = record["parameters"].get(name, {})
        prior = before.get("prior", getattr(priors, name))
        entry = {**rec, "backcast": before, "group": "recent", "prior": prior}
        if not rec["identified"]:
            entry["value"] = prior
            record["overrides"].pop(name, None)
        else:
            record["overrides"][name] = round(float(rec["value"]), 6)
        record["parameters"][name] = entry
        record["settings"]["recent_fit_years"] = rec["fit_years"]
    model = backcast.run_backcast(ref, {k: p["value"] for k, p in record["parameters"].items()})
    comp = stats.comparison(model, backcast.observations(ref.base, ref.city_ids))
    record["fit_statistics"] = stats.summary(comp, ref.periods.stats)
    return model


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "calibrate", help="fit behavioural parameters to 2015-2019 city history (calibration/RECIPE.md)"
    )
    p.add_argument("--report", metavar="DIR", help="write the validation report (tables, figures) here")
    p.add_argument("--cities", nargs="+", metavar="CITY", help="restrict to these city ids")
    p.add_argument(
        "--quick", action="store_true", help=f"reduced CI form: {len(QUICK_CITIES)} cities, 800 firms"
    )
    p.add_argument("--n-firms", type=int, default=None, help="firm agents (default 3000; 800 with --quick)")
    p.add_argument(
        "--recent",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also fit retrofit_adoption_per_year and aeei_pct to the published 2021-2022 record with "
        "the full model, 2023-2025 held out (default: on for the full run, off with --quick/--cities)",
    )
    p.add_argument(
        "--product-anchors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="anchor the backcast's energy-intensive sectors to realised product output 2016-2020 "
        "as the baseline scenario's macro section does from 2021 (recorded in the settings; "
        "default: backcast.PRODUCT_ANCHORS)",
    )
    p.add_argument(
        "--out",
        metavar="FILE",
        help="calibration file (default: calibration/calibrated_parameters.json on full runs)",
    )
    p.set_defaults(func=_cmd_calibrate)


if __name__ == "__main__":  # pragma: no cover
    parser = argparse.ArgumentParser(prog="zonesim")
    register(parser.add_subparsers(dest="command", required=True))
    a = parser.parse_args()
    sys.exit(a.func(a))
