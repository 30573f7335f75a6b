"""The table of targets (``targets.csv``): one row per target, from scenario to output.

Like PyPSA's component attribute tables, the table says once, for each target, where the
scenario sets it (``scenario_field``, the lever rule ``rule``), the LP's input
(``lp_parameter`` of :class:`~zonesim.planner.inputs.PlannerPolicy`, in ``unit``; ``per_gdp``:
an intensity, whose row is in the measure's unit x GDP), the LP's names (``cap_param``,
``constraint``, ``slack``, ``penalty``), the measure the row constrains in the planner's
``energy`` table (``lp_measure``) and in the accounting (``measure``), the unit of its
marginal cost and the output columns that report it. The planner's sets, coefficients,
constraints, objective and results, and the accounting, read it.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

TABLE = Path(__file__).with_name("targets.csv")


@dataclass(frozen=True)
class Target:
    """One row of ``targets.csv``."""

    target: str
    scenario_field: str
    rule: str
    lp_parameter: str
    unit: str
    per_gdp: bool
    cap_param: str
    constraint: str
    slack: str
    penalty: str
    lp_measure: str
    measure: str
    marginal_unit: str
    output_columns: tuple[str, ...]
    description: str


def read(path: Path = TABLE) -> dict[str, Target]:
    """The table by target name; a malformed row is an error naming the file, row and field."""
    out: dict[str, Target] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for i, row in enumerate(csv.DictReader(fh), start=2):
            try:
                per_gdp = {"true": True, "false": False}[row["per_gdp"]]
                t = Target(
                    **{**row, "per_gdp": per_gdp, "output_columns": tuple(row["output_columns"].split())}
                )
            except (KeyError, TypeError) as exc:
                raise ValueError(
                    f"{path}: row {i}: bad or missing field ({exc}); expected {Target.__doc__}"
                ) from None
            for name, expected in (("cap_param", "cap_"), ("constraint", "target_"), ("slack", "slack_")):
                if getattr(t, name) != expected + t.target:
                    raise ValueError(
                        f"{path}: row {i}: field {name} is {getattr(t, name)!r}, "
                        f"expected {expected}{t.target} (names are systematic)"
                    )
            out[t.target] = t
    return out


TARGETS: dict[str, Target] = read()
"""Target name -> its row of ``targets.csv``, in the table's order."""
