"""The build scripts of calibration/build and their hand-compiled source lists.

Every hand-compiled value lives in a CSV of ``calibration/build/sources/`` with its source;
``sources/constants.csv`` is the one table of scalar constants; rebuilding the compiled
tables from the raw data and the source lists gives the shipped files byte for byte.
"""

from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
BUILD = REPO / "calibration" / "build"
SOURCES = BUILD / "sources"
DATA = REPO / "calibration" / "data"
RAW = REPO.parent / "shared" / "data" / "raw"

SUPPLY_TABLES = (
    "power_units.csv",
    "potentials.csv",
    "technologies.csv",
    "prices.csv",
    "emission_factors.csv",
    "constants.csv",
    "targets.csv",
    "city_targets.csv",
    "storage_mandates.csv",
    "efficiency_programmes.csv",
)
CITY_TABLES = ("zones.csv", "cities.csv", "city_history.csv", "industry.csv")


def _lists() -> list[Path]:
    return sorted(SOURCES.glob("*.csv"))


def test_every_source_list_names_its_source():
    assert len(_lists()) >= 10
    for path in _lists():
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
        col = "citation" if path.name == "citations.csv" else "source"
        assert col in df.columns, f"{path.name} has no '{col}' column"
        empty = df.index[df[col].str.strip() == ""].tolist()
        assert not empty, f"{path.name}: rows {empty} have an empty '{col}'"
        if "value" in df.columns:
            assert "unit" in df.columns, f"{path.name} has values but no 'unit' column"
            assert (df["unit"].str.strip() != "").all(), f"{path.name}: a value without a unit"
        if "estimate" in df.columns:
            assert {v.lower() for v in df["estimate"]} <= {"true", "false"}, path.name


def test_constants_table_has_one_row_per_name_and_year():
    c = pd.read_csv(SOURCES / "constants.csv", dtype=str, keep_default_na=False)
    dup = c[c.duplicated(["name", "year"], keep=False)]
    assert dup.empty, f"duplicated constants: {dup[['name', 'year']].values.tolist()}"
    assert set(c["compiled"]) <= {"true", "false"}
    pd.to_numeric(c["value"])  # every value is a number
    # the compiled table is the flagged rows of the one constants table, nothing else
    shipped = pd.read_csv(DATA / "constants.csv", dtype=str, keep_default_na=False)
    flagged = c[c["compiled"] == "true"].drop(columns="compiled").reset_index(drop=True)
    pd.testing.assert_frame_equal(shipped, flagged)


def test_no_constant_is_written_twice_in_the_build_scripts():
    """A value of constants.csv written as a literal in a build script is a second copy."""
    c = pd.read_csv(SOURCES / "constants.csv", dtype=str, keep_default_na=False)
    # distinctive values only (small integers and round numbers also mean other things)
    values = {v for v in c["value"] if "." in v and len(v.replace(".", "").strip("0")) >= 3}
    assert {"29.3076", "0.3055", "0.7143", "7.8747"} <= values
    for script in BUILD.glob("*.py"):
        text = script.read_text(encoding="utf-8")
        for v in values:
            assert not re.search(rf"(?<![\d.]){re.escape(v)}(?![\d])", text), f"{script.name} writes {v}"


def test_build_modules_stay_small():
    for script in BUILD.glob("*.py"):
        n = len(script.read_text(encoding="utf-8").splitlines())
        assert n <= 600, f"{script.name} has {n} lines"


def test_constants_keep_hand_quoting_byte_for_byte(tmp_path, monkeypatch):
    """build_constants copies each flagged line as written (quoting included)."""
    monkeypatch.syspath_prepend(str(BUILD))
    import build_prices

    text = build_prices.build_constants()
    assert text == (DATA / "constants.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    assert rows[0] == ["name", "year", "value", "unit", "source", "estimate", "method"]


@pytest.mark.skipif(not RAW.is_dir(), reason=f"raw public data not present at {RAW} (build-time input)")
def test_rebuild_gives_the_shipped_tables_byte_for_byte(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(BUILD))
    for name in ("build_supply", "build_cities"):
        sys.modules.pop(name, None)
    import build_cities
    import build_supply
    from common import write

    tables, _ = build_supply.build(RAW)
    write(tmp_path, tables, lineterminator="\n")
    build_cities.write(tmp_path, build_cities.build(RAW))
    for name in (*SUPPLY_TABLES, *CITY_TABLES):
        assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), f"{name} differs after a rebuild"
