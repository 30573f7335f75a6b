"""Load and check the compiled base-year tables of ``calibration/data/``.

Every table is read as text, checked against :mod:`zonesim.data.schema` (columns, types,
allowed values, keys, provenance) and converted to typed columns. Any violation raises
:class:`DataError` naming the file, the column and the (1-based, header = row 1) row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
from zonesim.data.errors import DataError
from zonesim.data.schema import TABLES, Table

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def default_data_dir() -> Path:
    """The shipped ``calibration/data`` folder of this checkout."""
    return Path(__file__).resolve().parents[2] / "calibration" / "data"


def _row(i: int) -> int:
    """File row of DataFrame index ``i`` (header is row 1)."""
    return int(i) + 2


def _convert(table: Table, raw: pd.DataFrame, file: str) -> pd.DataFrame:
    """Check columns of ``raw`` against ``table`` and return typed columns."""
    missing = [c for c in table.column_names if c not in raw.columns]
    if missing:
        raise DataError(
            file,
            f"missing column(s) {missing}; expected columns {list(table.column_names)}",
        )
    out = pd.DataFrame(index=raw.index)
    specs = {c.name: c for c in table.columns}
    for name in table.column_names:
        col = raw[name]
        spec = specs.get(name)
        kind = spec.kind if spec else ("bool" if name == "estimate" else "str")
        nullable = spec.nullable if spec else (name == "method")
        empty = col.isna() | (col.astype(str).str.strip() == "")
        if not nullable and empty.any():
            i = empty[empty].index[0]
            raise DataError(file, "empty value; a value is required", name, _row(i))
        if kind == "str":
            out[name] = col.where(~empty, None).astype(object)
        elif kind in ("int", "float"):
            num = pd.to_numeric(col.where(~empty, None), errors="coerce")
            bad = num.isna() & ~empty
            if bad.any():
                i = bad[bad].index[0]
                raise DataError(file, f"expected a number, got {col[i]!r}", name, _row(i))
            if kind == "int":
                frac = num.notna() & (num != np.floor(num.fillna(0)))
                if frac.any():
                    i = frac[frac].index[0]
                    raise DataError(file, f"expected a whole number, got {col[i]!r}", name, _row(i))
                out[name] = num.astype("Int64") if nullable else num.astype("int64")
            else:
                out[name] = num.astype("float64")
        elif kind == "bool":
            low = col.astype(str).str.strip().str.lower()
            ok = low.isin(_TRUE | _FALSE)
            if not ok.all():
                i = ok[~ok].index[0]
                raise DataError(file, f"expected true or false, got {col[i]!r}", name, _row(i))
            out[name] = low.isin(_TRUE)
    for name, allowed in table.allowed.items():
        bad = out[name].notna() & ~out[name].isin(allowed)
        if bad.any():
            i = bad[bad].index[0]
            raise DataError(
                file,
                f"value {out[name][i]!r} not allowed; expected one of {list(allowed)}",
                name,
                _row(i),
            )
    if table.provenance:
        need = out["estimate"] & out["method"].isna()
        if need.any():
            i = need[need].index[0]
            raise DataError(file, "estimate is true but no method is given", "method", _row(i))
    dup = out.duplicated(list(table.key), keep="first")
    if dup.any():
        i = dup[dup].index[0]
        key = {k: out[k][i] for k in table.key}
        raise DataError(file, f"duplicate key {key}; key columns {list(table.key)}", None, _row(i))
    return out.reset_index(drop=True)


def read_table(name: str, data_dir: Path | str | None = None) -> pd.DataFrame:
    """Read one compiled table by its schema name, checked and typed."""
    table = TABLES[name]
    path = Path(data_dir or default_data_dir()) / table.file
    if not path.exists():
        raise DataError(str(path), "file not found; expected a compiled table (see SOURCES.md)")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(str(path), f"cannot be parsed as CSV: {exc}") from exc
    return _convert(table, raw, str(path))


@dataclass(frozen=True)
class BaseYear:
    """All compiled base-year tables, one DataFrame per schema table, plus lookups."""

    data_dir: Path
    version: str
    tables: dict[str, pd.DataFrame] = field(repr=False)

    def __getattr__(self, name: str) -> pd.DataFrame:
        tables = self.__dict__.get("tables", {})
        if name in tables:
            return tables[name]
        raise AttributeError(name)

    def param(self, name: str) -> float:
        """A scalar parameter from planner_parameters or agent_parameters."""
        for table in ("planner_parameters", "agent_parameters"):
            df = self.tables.get(table)
            if df is not None and name in set(df["name"]):
                return float(df.loc[df["name"] == name, "value"].iloc[0])
        raise KeyError(f"parameter {name!r} is in neither planner_parameters.csv nor agent_parameters.csv")

    def constant(self, name: str, year: int = 0) -> float:
        """A conversion constant; the row of ``year`` or, failing that, the timeless row."""
        df = self.tables["constants"]
        rows = df[df["name"] == name]
        if rows.empty:
            raise KeyError(f"constant {name!r} is not in constants.csv")
        exact = rows[rows["year"] == year]
        if exact.empty:
            exact = rows[rows["year"] == 0]
        if exact.empty:  # nearest year
            exact = rows.iloc[[int(np.argmin(np.abs(rows["year"].to_numpy() - year)))]]
        return float(exact["value"].iloc[0])

    def profiles_for(self, province_code: str) -> pd.DataFrame:
        """The 8760-hour profiles of one province (hour, load_pu, solar_cf, wind_cf)."""
        df = self.tables["profiles"]
        out = df[df["province_code"] == province_code]
        if out.empty:
            raise KeyError(f"no hourly profiles for province {province_code!r} in profiles.csv.gz")
        return out.drop(columns="province_code").reset_index(drop=True)

    def city(self, city_id: str) -> pd.Series:
        """One row of cities.csv."""
        df = self.tables["cities"]
        rows = df[df["city_id"] == city_id]
        if rows.empty:
            raise KeyError(f"unknown city {city_id!r}; known: {sorted(df['city_id'])}")
        return rows.iloc[0]

    def history(self, variable: str, year: int | None = None) -> pd.Series:
        """A city_history variable as a Series indexed by city_id (year given) or (city_id, year)."""
        df = self.tables["city_history"]
        df = df[df["variable"] == variable]
        if year is not None:
            return df[df["year"] == year].set_index("city_id")["value"]
        return df.set_index(["city_id", "year"])["value"]


def _version(data_dir: Path) -> str:
    """Content hash of the versioned table files: the data version stamped on results."""
    h = hashlib.sha256()
    for table in sorted(TABLES.values(), key=lambda t: t.file):
        if not table.versioned:
            continue
        path = data_dir / table.file
        if path.exists():
            h.update(table.file.encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:12]


def _check_references(tables: dict[str, pd.DataFrame], data_dir: Path) -> None:
    """Cross-table checks: every city_id and zone_id used is defined."""
    cities = set(tables["cities"]["city_id"])
    zones = set(tables["zones"]["zone_id"])
    # tables keyed by city_id, and long tables whose city rows name a city in `region`
    checks = [
        (n, "city_id", None)
        for n in ("city_history", "industry", "power_units", "potentials", "city_targets")
    ]
    checks += [(n, "region", "city") for n in ("macro_realised", "product_output", "published_outcomes")]
    for name, column, scope in checks:
        df = tables.get(name)
        if df is None:
            continue
        bad = ~df[column].isin(cities) & (df["scope"] == scope if scope else True)
        if bad.any():
            i = bad[bad].index[0]
            raise DataError(
                str(data_dir / TABLES[name].file),
                f"{column} {df[column][i]!r} is not a city_id in cities.csv",
                column,
                _row(i),
            )
    zid = tables["cities"]["zone_id"]
    bad = zid.notna() & ~zid.isin(zones)
    if bad.any():
        i = bad[bad].index[0]
        raise DataError(
            str(data_dir / "cities.csv"),
            f"zone_id {zid[i]!r} is not in zones.csv",
            "zone_id",
            _row(i),
        )


@cache
def _load_cached(data_dir: Path, version: str) -> BaseYear:
    tables = {name: read_table(name, data_dir) for name in TABLES}
    _check_references(tables, data_dir)
    return BaseYear(data_dir=data_dir, version=version, tables=tables)


def load(data_dir: Path | str | None = None) -> BaseYear:
    """Load every compiled table, checked against the schema; cached per content version."""
    path = Path(data_dir or default_data_dir()).resolve()
    return _load_cached(path, _version(path))
