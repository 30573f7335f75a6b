"""What the build scripts share: paths, the source lists in ``sources/``, row helpers.

Every hand-compiled value the build uses (constants, factors, tariffs, sites, membership
choices, citations) lives in a CSV of ``calibration/build/sources/`` with its unit and
source; the scripts read them only through this module, so each value exists once.
``sources/constants.csv`` is the one table of scalar constants: the rows flagged
``compiled`` are also written, unchanged, to ``calibration/data/constants.csv``.
"""

from __future__ import annotations

import argparse
from functools import cache
from pathlib import Path

import pandas as pd

HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"
REPO = HERE.parents[1]
DEFAULT_RAW = REPO.parent / "shared" / "data" / "raw"
DEFAULT_OUT = REPO / "calibration" / "data"


# --------------------------------------------------------------------------------------
# Source lists
# --------------------------------------------------------------------------------------
@cache
def source(name: str) -> pd.DataFrame:
    """A source list of ``sources/`` as read by pandas (call ``.copy()`` before changing it)."""
    path = SOURCES / f"{name}.csv"
    if not path.exists():
        raise FileNotFoundError(f"source list {path} is missing")
    return pd.read_csv(path, keep_default_na=False, na_values=[""])


@cache
def constants_table() -> pd.DataFrame:
    """``sources/constants.csv`` as text, exactly as written (for the compiled copy)."""
    return pd.read_csv(SOURCES / "constants.csv", dtype=str, keep_default_na=False)


def const(name: str, year: int = 0) -> float:
    """One value of ``sources/constants.csv`` (by name and year; year 0 = any year)."""
    t = constants_table()
    hit = t[(t["name"] == name) & (t["year"] == str(year))]
    if len(hit) != 1:
        raise KeyError(f"sources/constants.csv: expected one row name={name!r} year={year}, found {len(hit)}")
    return float(hit["value"].iloc[0])


def cite(key: str) -> str:
    """A citation string of ``sources/citations.csv``."""
    c = source("citations").set_index("key")["citation"]
    if key not in c.index:
        raise KeyError(f"sources/citations.csv has no key {key!r}")
    return str(c[key])


def members(list_name: str) -> tuple[str, ...]:
    """The members of one list of ``sources/memberships.csv``, in file order."""
    m = source("memberships")
    out = tuple(m.loc[m["list"] == list_name, "member"].astype(str))
    if not out:
        raise KeyError(f"sources/memberships.csv has no list {list_name!r}")
    return out


def cities() -> pd.DataFrame:
    """The model cities (``sources/cities.csv``), in their order, ``zone_id`` '' when associated."""
    df = source("cities").copy()
    df["zone_id"] = df["zone_id"].fillna("")
    df["admin_codes"] = df["admin_codes"].astype(str)
    for c in ("scope_basis", "ceads_name", "gem_major_area", "scope_note"):
        df[c] = df[c].fillna("")
    return df


def capfile_province(province: str) -> str:
    """Province name as spelled in the PyPSA-China files ('Inner Mongolia' -> 'InnerMongolia')."""
    return province.replace(" ", "")


def subcity(city_id: str, role: str = "member") -> pd.DataFrame:
    """The districts/counties of a sub-city model unit (``sources/subcity_units.csv``)."""
    s = source("subcity_units")
    return s[(s["city_id"] == city_id) & (s["role"] == role)]


# --------------------------------------------------------------------------------------
# Rows of the compiled tables
# --------------------------------------------------------------------------------------
def row(**kw) -> dict:
    kw.setdefault("method", "")
    return kw


def bool_text(x: bool) -> str:
    return "true" if x else "false"


def finish(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """The rows as a table with ``columns`` then ``source, estimate, method``."""
    df = pd.DataFrame(rows)
    df["estimate"] = df["estimate"].map(bool_text)
    for c in columns:
        if c not in df.columns:
            df[c] = ""
    return df[columns + ["source", "estimate", "method"]]


def write(out: Path, tables: dict[str, pd.DataFrame | str], **to_csv) -> None:
    """Write each table (a frame, or CSV text kept as is) to ``out/name`` and say so."""
    out.mkdir(parents=True, exist_ok=True)
    for name, df in tables.items():
        if isinstance(df, str):
            (out / name).write_text(df, encoding="utf-8")
            print(f"wrote {name}: {df.count(chr(10)) - 1} rows")
            continue
        df.to_csv(out / name, index=False, **to_csv)
        print(f"wrote {name}: {len(df)} rows")


def arguments(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    """``--raw DIR`` (default ../shared/data/raw) and ``--out DIR`` (default calibration/data)."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--raw", type=Path, default=DEFAULT_RAW, help="raw public extracts (build time only)")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the compiled tables go")
    return ap.parse_args(argv)
