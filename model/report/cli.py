"""``zonesim compare``: a lever-comparison report from scenario files and/or a results store."""

from __future__ import annotations

import argparse


def _cmd_compare(args: argparse.Namespace) -> int:
    from zonesim.report.compare import compare

    overrides: dict = {}
    if args.zones:
        overrides["selection"] = {"zones": args.zones, "include_associated": False}
    if args.end_year:
        overrides["horizon"] = {"start_year": 2020, "end_year": args.end_year}
    if args.n_days:
        overrides["planner"] = {"n_days": args.n_days}
    if args.n_firms:
        overrides["firms"] = {"n_firms": args.n_firms}
    if args.seed is not None:
        overrides["seed"] = args.seed
    if not args.scenarios and not args.store:
        raise ValueError("give scenario files and/or --store DIR")
    report = compare(args.scenarios, out=args.out, store=args.store, overrides=overrides, lang=args.lang)
    import pandas as pd

    with pd.option_context("display.width", 250, "display.max_columns", 20, "display.max_colwidth", 40):
        print(report.tables["summary"].to_string(index=False))
    return 0


def register(subparsers) -> None:
    """Add ``zonesim compare`` to the main command's subparsers."""
    p = subparsers.add_parser(
        "compare",
        help="compare scenarios (lever mixes): run what is missing, write an HTML/Markdown report",
    )
    p.add_argument("scenarios", nargs="*", help="scenario YAML files (the first is the reference)")
    p.add_argument("--out", required=True, help="report folder (runs are cached in OUT/runs/)")
    p.add_argument(
        "--store",
        help="also compare the runs of this folder: a `zonesim batch` store (every seed: the report shows "
        "the spread over seeds) or folders of single runs (with stamp.json)",
    )
    p.add_argument("--zones", nargs="+", help="restrict every scenario to these zone ids (e.g. Z04 Z07)")
    p.add_argument("--end-year", type=int, help="override the horizon's last year")
    p.add_argument("--n-days", type=int, help="override the planner's representative days")
    p.add_argument("--n-firms", type=int, help="override the number of firm agents")
    p.add_argument("--seed", type=int, help="override every scenario's seed")
    p.add_argument("--lang", choices=["en", "zh", "both"], default="en", help="zone names in figures")
    p.set_defaults(func=_cmd_compare)
