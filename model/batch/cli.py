"""``zonesim batch``: run an experiment into a results store, summarise or analyse a store.

zonesim batch EXPERIMENT.yaml --out DIR [--workers N] [--scheduler ADDRESS]
zonesim batch status DIR
zonesim batch analyse DIR [--level zone] [--csv OUT_DIR] [--plots OUT_DIR]
                          [--outcome co2_cum_t --threshold 1.5e9 --op '<=']
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd


def _cmd(args: argparse.Namespace) -> int:
    if args.target == "status":
        if not args.dir:
            print("error: usage: zonesim batch status DIR", file=sys.stderr)
            return 2
        from zonesim.batch.analysis import status_text

        print(status_text(args.dir))
        return 0
    if args.target in ("analyse", "analyze"):
        if not args.dir:
            print("error: usage: zonesim batch analyse DIR", file=sys.stderr)
            return 2
        return _analyse(args)
    if args.dir:
        print(
            f"error: unexpected argument {args.dir!r}; usage: zonesim batch EXPERIMENT.yaml --out DIR",
            file=sys.stderr,
        )
        return 2
    if not args.out:
        print(
            "error: --out DIR is required (the results store; rerun with the same DIR to resume)",
            file=sys.stderr,
        )
        return 2
    from zonesim.batch.execute import run

    summary = run(args.target, args.out, workers=args.workers, scheduler=args.scheduler, progress=True)
    print(
        f"{summary.total} runs: {summary.skipped} already done, {summary.done} done now, "
        f"{summary.failed} failed, in {summary.wall_s:.0f} s; store {summary.store}"
    )
    if summary.failed or not summary.complete:
        print(
            "some runs failed or did not run; `zonesim batch status DIR` lists them; "
            "rerun the same command to retry them",
            file=sys.stderr,
        )
        return 1
    return 0


def _analyse(args: argparse.Namespace) -> int:
    from zonesim.batch.analysis import compare, discover, load, sensitivity

    plots = Path(args.plots) if args.plots else None
    data = load(args.dir, tables=("pathways",) if plots else ())
    out = Path(args.csv) if args.csv else None
    if out:
        out.mkdir(parents=True, exist_ok=True)
    if plots:
        plots.mkdir(parents=True, exist_ok=True)
    table = compare(data, level=args.level)
    with pd.option_context("display.width", 220, "display.max_columns", 14, "display.max_rows", 200):
        cols = [c for c in table.columns if c.endswith(("_mean", "_share")) or c in ("mix", "region", "n")]
        print(table[cols].round(3).to_string(index=False))
        if out:
            table.to_csv(out / f"compare_{args.level}.csv", index=False)
        if data.experiment.design.method in ("morris", "sobol"):
            idx = sensitivity(data)
            print()
            print(idx.round(3).to_string(index=False))
            if out:
                idx.to_csv(out / "sensitivity.csv", index=False)
            if plots:
                _plot_indices(idx, plots)
        if plots and "pathways" in data.tables and len(data.pathways):
            _plot_fans(data, plots)
        if data.experiment.uncertain or data.experiment.grid or data.experiment.mixes:
            res = discover(data, outcome=args.outcome, threshold=args.threshold, op=args.op)
            print("\n" + res["message"])
            if res.get("box") is not None:
                print(res["box"].to_string())
                if out:
                    res["box"].to_csv(out / "prim_box.csv")
    return 0


def _plot_indices(idx: pd.DataFrame, folder: Path) -> None:
    """One sensitivity figure per mix and output: ``sensitivity_<mix>_<output>.png``."""
    import matplotlib.pyplot as plt
    from zonesim.plot import sensitivity_figure

    for (mix, output), g in idx.groupby(["mix", "output"]):
        fig = sensitivity_figure(g, output=output)
        path = folder / f"sensitivity_{mix}_{output}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        print(f"wrote {path}")


def _plot_fans(data, folder: Path) -> None:
    """Fan charts of CO2 over the runs of each mix: ``fan_co2_<mix>.png``."""
    import matplotlib.pyplot as plt
    from zonesim.plot import fan_chart

    for mix, p in data.pathways.groupby("mix"):
        fig = fan_chart(p, "co2_t", run="run_id", by=None)
        path = folder / f"fan_co2_{mix}.png"
        fig.savefig(path, dpi=110)
        plt.close(fig)
        print(f"wrote {path}")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``batch`` subcommand to the ``zonesim`` command."""
    p = subparsers.add_parser(
        "batch",
        help="run an experiment (many scenarios) into a results store; `batch status DIR` summarises one",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("target", help="experiment YAML file, or 'status' / 'analyse' followed by DIR")
    p.add_argument("dir", nargs="?", help="results store (with status / analyse)")
    p.add_argument("--out", help="results store folder; rerunning with the same folder resumes")
    p.add_argument("--workers", type=int, default=None, help="local worker processes (default: all cores)")
    p.add_argument(
        "--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) instead of local"
    )
    p.add_argument("--level", default="zone", choices=["city", "zone", "all"], help="analyse: table level")
    p.add_argument("--csv", default=None, help="analyse: also write the tables as CSV to this folder")
    p.add_argument(
        "--plots", default=None, help="analyse: write figures (sensitivity indices, CO2 fans) to this folder"
    )
    p.add_argument(
        "--outcome", default="met", help="analyse: outcome for scenario discovery (a metric; default: met)"
    )
    p.add_argument("--threshold", type=float, default=None, help="analyse: success threshold of --outcome")
    p.add_argument(
        "--op",
        default=None,
        choices=["<=", "<", ">=", ">"],
        help="analyse: success when outcome OP threshold",
    )
    p.set_defaults(func=_cmd)
