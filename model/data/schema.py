"""The contract of every compiled table in ``calibration/data/``.

Each table is described once, as data, in ``tables.yaml`` beside this module: its file, its
columns with dtype and meaning, its key, the values a column allows and which columns carry
provenance. This module holds the vocabularies those declarations name (``$SECTORS``, ...),
reads the declarations into :data:`TABLES` and refuses a malformed one. The loader
(:mod:`zonesim.data.load`) checks every file against this contract and raises
:class:`~zonesim.data.errors.DataError` naming the file, column and row when it does not hold.
Build scripts in ``calibration/build/`` write the tables to this contract.

Conventions
-----------
* Every row carries ``source`` (citation or URL; never empty), ``estimate`` (``true`` /
  ``false``) and ``method`` (how the value was derived; required when ``estimate`` is true).
* Long tables hold one value per row with its ``unit``; where a declaration lists the units
  allowed (``allowed: unit``), they are checked.
* Energy in tce, electricity in MWh, CO2 in t, money in constant 2020 CNY (``CNY2020``
  or ``bnCNY2020`` = 1e9 CNY2020), capacity in MW.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROVENANCE = ("source", "estimate", "method")

DECLARATIONS = Path(__file__).with_name("tables.yaml")
"""The table declarations (data, not code)."""

KINDS = ("str", "int", "float", "bool")
"""Column kinds: the pandas dtype a column is converted to."""


@dataclass(frozen=True)
class Column:
    """One column of a table: its name, pandas dtype kind and meaning."""

    name: str
    kind: str  # "str", "int", "float", "bool"
    description: str
    nullable: bool = False


@dataclass(frozen=True)
class Table:
    """A compiled table: file name, key columns, columns and allowed values."""

    name: str
    file: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    allowed: dict[str, tuple[str, ...]] = field(default_factory=dict)
    provenance: bool = True
    # False for tables no model result depends on (yet): they stay out of the data version,
    # so adding them does not invalidate results and calibrations stamped with it.
    versioned: bool = True

    @property
    def column_names(self) -> tuple[str, ...]:
        names = tuple(c.name for c in self.columns)
        return names + (PROVENANCE if self.provenance else ())


SECTORS = (
    "steel",
    "building_materials",
    "chemicals",
    "nonferrous",
    "other_industry",
    "services",
    "residential",
)
"""Final-demand sectors of a city. Power and heat generation is the planner's, not a sector."""

ENERGY_INTENSIVE = ("steel", "building_materials", "chemicals", "nonferrous")
"""The 'two-high' (两高) sectors that curb_two_highs and capacity_retirement act on."""

CARRIERS = ("coal", "oil", "gas", "electricity", "heat")
"""Final-energy carriers used by firms."""

POWER_TECHS = ("coal", "gas", "hydro", "nuclear", "wind", "solar", "biomass", "other")
"""Technologies of the existing power fleet (``power_units.tech``)."""

PERIODS = ("2021-2025", "2026-2030")
"""Five-year plan periods: the 14th (energy dual control) and the 15th (carbon dual control)."""

TARGET_QUALIFIERS = ("binding", "guiding", "annual", "commitment")
"""binding (约束性), guiding (预期性 or 'about' targets, total-CO2 control), annual (a year's
target in a Government Work Report or action plan), commitment (NDC / 2030 action plan)."""

ETS_ALLOCATION = ("none", "free_verified_emissions", "free_benchmark_intensity")
"""How allowances are allocated: none (not covered); free and equal to verified emissions
(no net obligation); free, output-based with intensity benchmarks (no absolute cap)."""

GRID_REGIONS = ("north", "northeast", "east", "central", "northwest", "south", "southwest")
"""Regional grids of the MEE/NBS regional electricity CO2 factors (2021 onwards)."""

VOCABULARIES: dict[str, tuple[str, ...]] = {
    "SECTORS": SECTORS,
    "CARRIERS": CARRIERS,
    "POWER_TECHS": POWER_TECHS,
    "PERIODS": PERIODS,
    "TARGET_QUALIFIERS": TARGET_QUALIFIERS,
    "ETS_ALLOCATION": ETS_ALLOCATION,
    "GRID_REGIONS": GRID_REGIONS,
}
"""The vocabularies a declaration may name in its allowed values as ``$NAME``."""

_FIELDS = {"file", "description", "key", "columns", "allowed", "provenance", "versioned"}
_REQUIRED = ("file", "description", "key", "columns")


class DeclarationError(ValueError):
    """A table declaration is malformed; the message names the file, table and field."""


def _values(items: Any, where: str) -> tuple[str, ...]:
    """Allowed values, each ``$NAME`` spread into the vocabulary it names."""
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not items:
        raise DeclarationError(f"{where}: expected a list of values or a $NAME, got {items!r}")
    out: list[str] = []
    for item in items:
        text = str(item)
        if text.startswith("$"):
            if text[1:] not in VOCABULARIES:
                raise DeclarationError(f"{where}: unknown vocabulary {text}; known: {sorted(VOCABULARIES)}")
            out += VOCABULARIES[text[1:]]
        else:
            out.append(text)
    return tuple(out)


def _column(item: Any, where: str) -> Column:
    """``[name, kind, description]`` or ``[name, kind, description, nullable]``."""
    ok = isinstance(item, list) and len(item) in (3, 4) and (len(item) == 3 or item[3] == "nullable")
    if not ok or item[1] not in KINDS:
        raise DeclarationError(
            f"{where}: got {item!r}; expected [name, kind, description] or "
            f"[name, kind, description, nullable] with kind one of {list(KINDS)}"
        )
    return Column(str(item[0]), str(item[1]), str(item[2]), len(item) == 4)


def _table(name: str, spec: Any, where: str) -> Table:
    """One declaration checked and turned into a :class:`Table`."""
    if not isinstance(spec, dict):
        raise DeclarationError(f"{where}: expected a mapping of {sorted(_FIELDS)}")
    unknown = sorted(set(spec) - _FIELDS)
    missing = [f for f in _REQUIRED if f not in spec]
    if unknown or missing:
        raise DeclarationError(
            f"{where}: unknown field(s) {unknown}, missing field(s) {missing}; fields: {sorted(_FIELDS)}"
        )
    columns = tuple(_column(c, f"{where}, field 'columns'") for c in spec["columns"] or [])
    names = [c.name for c in columns]
    if not columns or len(set(names)) != len(names):
        raise DeclarationError(f"{where}, field 'columns': expected columns with distinct names, got {names}")
    known = set(names) | (set(PROVENANCE) if spec.get("provenance", True) else set())
    key = tuple(spec["key"] or ())
    allowed = {
        str(col): _values(values, f"{where}, field 'allowed.{col}'")
        for col, values in (spec.get("allowed") or {}).items()
    }
    strays = sorted((set(key) | set(allowed)) - known)
    if not key or strays:
        raise DeclarationError(
            f"{where}: key or allowed values name column(s) {strays} the table does not have"
        )
    flags = {f: spec.get(f, True) for f in ("provenance", "versioned")}
    if not all(isinstance(v, bool) for v in flags.values()):
        raise DeclarationError(f"{where}: provenance and versioned must be true or false, got {flags}")
    return Table(name, str(spec["file"]), str(spec["description"]), columns, key, allowed, **flags)


def read_declarations(path: Path | str = DECLARATIONS) -> dict[str, Table]:
    """Every table declared in ``path`` (YAML), by name, in file order."""
    path = Path(path)
    try:
        specs = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DeclarationError(f"{path}: cannot be read as YAML ({exc})") from None
    if not isinstance(specs, dict):
        raise DeclarationError(f"{path}: expected a mapping of table name to declaration")
    return {str(name): _table(str(name), spec, f"{path}, table '{name}'") for name, spec in specs.items()}


TABLES: dict[str, Table] = read_declarations()
"""Every compiled table, by schema name."""
