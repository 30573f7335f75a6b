"""Command line: a thin layer over the Python API.

Bad input (scenario or data) prints one clear message and exits with status 2; it never
shows a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from pathlib import Path

import pandas as pd
from zonesim.data import DataError
from zonesim.scenario import ScenarioError, load_scenario

EXPERIMENT_KEYS = frozenset({"base", "mixes", "grid", "uncertain", "design", "replications", "outputs"})
"""Top-level keys only experiment files have: such a file is checked by the experiment schema."""


def _is_experiment(file: str) -> bool:
    """The file is an experiment (read with the scenario reader's bounds: size, aliases, depth)."""
    from zonesim.scenario import _read_yaml

    try:
        data, _ = _read_yaml(Path(file))
    except ScenarioError:
        return False  # the scenario loader reports what is wrong with the file
    return isinstance(data, dict) and "horizon" not in data and bool(EXPERIMENT_KEYS & set(data))


def _cmd_validate(args: argparse.Namespace) -> int:
    status = 0
    for file in args.files:
        try:
            if _is_experiment(file):
                import math

                from zonesim.batch.design import unit_sample
                from zonesim.batch.experiment import load_experiment

                exp = load_experiment(file)
                mixes = ", ".join(name for name, _ in exp.mix_items())
                cells = len(exp.mix_items()) * math.prod(len(v) for v in exp.grid.values())
                runs = cells * len(unit_sample(exp)) * exp.replications
                print(
                    f"ok: {file} (experiment '{exp.name}', design {exp.design.method}, "
                    f"{runs} runs; mixes: {mixes})"
                )
                continue
            scenario = load_scenario(file, allow_extends=args.allow_extends)
        except ScenarioError as exc:
            print(f"error: {exc}", file=sys.stderr)
            status = 2
            continue
        levers = ", ".join(scenario.levers.active()) or "none (baseline)"
        print(f"ok: {file} (scenario '{scenario.name}', levers: {levers})")
    return status


def _cmd_data_summary(args: argparse.Namespace) -> int:
    from zonesim.data import load
    from zonesim.data.summary import zone_summary

    base = load(args.data_dir)
    table = zone_summary(base, year=args.year)
    with pd.option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False))
    print(f"\ndata version {base.version}; estimates flagged in calibration/data (see SOURCES.md)")
    return 0


def _cmd_data_estimates(args: argparse.Namespace) -> int:
    from zonesim.data import load
    from zonesim.data.summary import estimates

    table = estimates(load(args.data_dir))
    if args.markdown:
        print("| table | quantity | rows | method |\n|---|---|---:|---|")
        for r in table.itertuples():
            method = str(r.method).replace("|", "/").replace("\n", " ")
            print(f"| {r.table} | {r.quantity} | {r.rows} | {method} |")
    else:
        with pd.option_context("display.width", 250, "display.max_colwidth", 160, "display.max_rows", 1000):
            print(table.to_string(index=False))
    print(f"\n{int(table['rows'].sum())} estimated values in {table['table'].nunique()} tables")
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from zonesim.plot import pathways_figure
    from zonesim.results import default_out, prepare_output
    from zonesim.runner import run

    seed = {"seed": args.seed} if args.seed is not None else {}
    scenario = load_scenario(args.scenario, allow_extends=args.allow_extends, **seed)
    # the scenario name is never a path as given: results/<slug of the name>
    out = Path(args.out) if args.out else default_out(scenario.name)
    prepare_output(out)  # before the run: a folder we cannot use fails now, not after the run
    results = run(scenario, progress=True, iamc=args.iamc)
    fig = pathways_figure(results)
    png = {"pathways.png": lambda path: fig.savefig(path, dpi=120, format="png")}
    results.write(out, iamc=args.iamc, extra=png)
    from zonesim.periods import printable

    with pd.option_context("display.width", 250, "display.max_columns", 40):
        summary = results.periods()
        print(printable(summary) if not summary.empty else results.summary().to_string(index=False))
    if len(results.warnings):
        print(
            f"\n{len(results.warnings)} value(s) clipped by the numerics guards "
            f"(variables: {', '.join(sorted(set(results.warnings['variable'])))}); see warnings.parquet"
        )
    print(f"\nresults written to {out}/ (Parquet tables, stamp.json, pathways.png, manifest.json)")
    return 0


def plan_and_export(
    scenario, city_id: str, year: int, out: Path, report: Callable[[str], None] | None = None
) -> list[Path]:
    """Run the model to ``year``, solve ``city_id``'s LP for that year and export it as CSV.

    The city's state in ``year`` (fleet, firms, outlook, this year's rules) comes from
    simulating every city of the scenario from the base year up to ``year``: the fleet the LP
    starts from is what the simulation built in the years before. ``report`` (e.g. ``print``)
    is told what is simulated and how long it took.
    """
    import time

    from zonesim.model import TransitionModel
    from zonesim.planner.export import export
    from zonesim.planner.solve import Planner

    say = report or (lambda _msg: None)
    start = scenario.horizon.start_year
    if not start < year <= scenario.horizon.end_year:
        raise ValueError(
            f"--year {year}: expected a simulated year {start + 1}..{scenario.horizon.end_year} "
            "of the scenario"
        )
    n_before = year - 1 - start
    before = f" and the year {start + 1}" if n_before == 1 else f" and the years {start + 1}-{year - 1}"
    say(
        f"{city_id} in {year}: the LP needs the city's fleet, firms and outlook of {year}, so the "
        f"model first simulates every city of scenario '{scenario.name}' from the base year "
        f"{start}{before if n_before else ''}, then {year} itself"
    )
    t0 = time.perf_counter()
    model = TransitionModel(scenario)
    if city_id not in model.city_ids:
        raise KeyError(f"city {city_id!r} is not simulated by the scenario; cities: {model.city_ids}")
    say(f"  base year {start} ({len(model.city_ids)} cities): {time.perf_counter() - t0:.1f} s")
    while model.year < year:
        t1 = time.perf_counter()
        model.step()
        say(f"  {model.year}: {time.perf_counter() - t1:.1f} s")
    say(f"simulated {start}-{year} in {time.perf_counter() - t0:.1f} s; solving {city_id}'s LP for {year}")
    inp = model.planner.last_input[city_id]
    res = Planner(inp).solve()
    return export(inp, res, out)


def _cmd_plan(args: argparse.Namespace) -> int:
    from zonesim.data import load
    from zonesim.data.names import resolve_city

    scenario = load_scenario(args.scenario, allow_extends=getattr(args, "allow_extends", []))
    city = resolve_city(load().cities, args.city)
    written = plan_and_export(scenario, city, args.year, Path(args.export), report=print)
    print(f"wrote {len(written)} files to {args.export}")
    return 0


ALLOW_HELP = "a folder outside the scenario's own folder tree that 'extends:' may read from (repeatable)"

PLUGINS = {
    "batch": "zonesim.batch.cli",
    "compare": "zonesim.report.cli",
    "calibrate": "zonesim.calibration.cli",
    "retrospective": "zonesim.calibration.retrospective",
}
"""Modules that add subcommands, by command: each has ``register(subparsers)`` (absent modules
are skipped). A command line that names a core command imports none of them (importing the
calibration package alone loads the whole model), one that names a plugin imports that one."""
CORE = ("run", "validate", "data", "plan")


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """The argument parser of the ``zonesim`` command (for ``argv``: only the plugins it needs)."""
    parser = argparse.ArgumentParser(prog="zonesim", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="run a scenario, print the per-zone summary, write results")
    p.add_argument("scenario", help="scenario YAML file")
    p.add_argument("--out", help="output folder (default results/<scenario name>)")
    p.add_argument("--seed", type=int, help="override the scenario's seed")
    p.add_argument("--iamc", action="store_true", help="also write pathways in the IAMC format")
    p.add_argument("--allow-extends", action="append", default=[], metavar="DIR", help=ALLOW_HELP)
    p.set_defaults(func=_cmd_run)

    p = sub.add_parser("validate", help="check scenario and experiment files (each by its own schema)")
    p.add_argument("files", nargs="+")
    p.add_argument("--allow-extends", action="append", default=[], metavar="DIR", help=ALLOW_HELP)
    p.set_defaults(func=_cmd_validate)

    p = sub.add_parser("data", help="base-year data")
    data_sub = p.add_subparsers(dest="data_command", required=True)
    s = data_sub.add_parser("summary", help="per-zone table of the base-year data")
    s.add_argument("--year", type=int, default=2020)
    s.add_argument("--data-dir", default=None)
    s.set_defaults(func=_cmd_data_summary)
    s = data_sub.add_parser("estimates", help="list every estimated quantity with its method")
    s.add_argument("--data-dir", default=None)
    s.add_argument("--markdown", action="store_true", help="print a Markdown table")
    s.set_defaults(func=_cmd_data_estimates)

    p = sub.add_parser(
        "plan",
        help="solve one city's planning LP and export inputs and solution",
        description=(
            "Solve one city's planning LP of one year and export every input and the solution "
            "as CSV (docs/planner.md). The LP of --year starts from the city's state in that "
            "year, so the scenario is simulated from the base year first: for a later --year "
            "the existing fleet (existing_gw) is what the simulation built in the years before, "
            "not the 2020 fleet."
        ),
    )
    p.add_argument("city", help="city id or English or Chinese name, any case: tangshan, Tangshan, 唐山")
    p.add_argument(
        "--year",
        type=int,
        required=True,
        help=(
            "planning year (first year planned); every city of the scenario is simulated up to "
            "it, and the existing fleet is what the simulation built in the years before"
        ),
    )
    p.add_argument("--scenario", required=True, help="scenario YAML file")
    p.add_argument("--export", required=True, help="folder for the CSV export")
    p.set_defaults(func=_cmd_plan)
    command = next((a for a in argv or () if not a.startswith("-")), None)
    if argv is not None and command in CORE:
        modules: list[str] = []
    elif argv is not None and command in PLUGINS:
        modules = [PLUGINS[command]]
    else:  # help, or an unknown command: every command must be listed
        modules = list(PLUGINS.values())
    for module in modules:
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name is None or not module.startswith(exc.name):
                raise  # a missing dependency inside an existing module is a real error
            continue
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``zonesim`` command."""
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (ScenarioError, DataError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (KeyError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
