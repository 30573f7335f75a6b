"""The loader checks every table against the schema and names file, column and row."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from zonesim.data import DataError, default_data_dir, load, read_table
from zonesim.data.schema import CARRIERS, SECTORS, TABLES, DeclarationError, read_declarations


@pytest.fixture
def data_copy(tmp_path):
    dst = tmp_path / "data"
    shutil.copytree(default_data_dir(), dst)
    return dst


def test_every_table_loads_with_its_schema_columns(base):
    for name, table in TABLES.items():
        df = getattr(base, name)
        assert list(df.columns) == list(table.column_names), name
        assert len(df) > 0, f"{table.file} is empty"


def test_every_row_has_a_source_and_estimates_have_a_method(base):
    for name, table in TABLES.items():
        if not table.provenance:
            continue
        df = getattr(base, name)
        assert df["source"].str.strip().str.len().gt(0).all(), name
        est = df[df["estimate"]]
        assert est["method"].notna().all(), name


def test_missing_column_is_named(data_copy):
    path = data_copy / "zones.csv"
    df = pd.read_csv(path).drop(columns=["batch"])
    df.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_table("zones", data_copy)
    assert "zones.csv" in str(err.value) and "batch" in str(err.value)


def test_bad_number_names_column_and_row(data_copy):
    path = data_copy / "city_history.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[3, "value"] = "12,5"
    df.to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_table("city_history", data_copy)
    msg = str(err.value)
    assert "city_history.csv" in msg and "'value'" in msg and "row 5" in msg and "12,5" in msg


def test_empty_source_and_estimate_without_method_are_rejected(data_copy):
    path = data_copy / "zones.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[0, "source"] = ""
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="'source', row 2"):
        read_table("zones", data_copy)
    df.loc[0, "source"] = "x"
    df.loc[0, "estimate"] = "true"
    df.loc[0, "method"] = ""
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="no method"):
        read_table("zones", data_copy)


def test_disallowed_value_and_duplicate_key(data_copy):
    path = data_copy / "cities.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[1, "membership"] = "maybe"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="membership.*row 3.*'maybe'"):
        read_table("cities", data_copy)
    df.loc[1, "membership"] = "member"
    df = pd.concat([df, df.iloc[[0]]])
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="duplicate key"):
        read_table("cities", data_copy)


def test_unknown_city_reference_is_named(data_copy):
    path = data_copy / "power_units.csv"
    df = pd.read_csv(path, dtype=str)
    df.loc[0, "city_id"] = "atlantis"
    df.to_csv(path, index=False)
    with pytest.raises(DataError, match="power_units.csv.*atlantis"):
        load(data_copy)


def test_missing_file_is_named(data_copy):
    (data_copy / "technologies.csv").unlink()
    with pytest.raises(DataError, match="technologies.csv.*not found"):
        load(data_copy)


def test_version_changes_with_content(data_copy):
    v1 = load(data_copy).version
    path = data_copy / "agent_parameters.csv"
    path.write_text(path.read_text().replace("firm_size_sigma,1.2", "firm_size_sigma,1.3"))
    assert load(data_copy).version != v1


def test_estimates_list_is_up_to_date(capsys):
    """calibration/data/ESTIMATES.md is what `zonesim data estimates --markdown` prints now."""
    from zonesim.cli import main

    assert main(["data", "estimates", "--markdown"]) == 0
    printed = capsys.readouterr().out.strip()
    shipped = (default_data_dir() / "ESTIMATES.md").read_text().strip()
    assert shipped.endswith(printed), "regenerate ESTIMATES.md: zonesim data estimates --markdown"


# ---------------------------------------------------------------- the declarations (tables.yaml)
_GOOD = """\
demo:
  file: demo.csv
  description: A demo table.
  key: [city_id]
  columns:
    - [city_id, str, cities.city_id]
    - [sector, str, One of SECTORS, nullable]
  allowed:
    sector: [all, $SECTORS]
"""


def test_declarations_spread_vocabularies_and_default_flags(tmp_path):
    path = tmp_path / "tables.yaml"
    path.write_text(_GOOD, encoding="utf-8")
    table = read_declarations(path)["demo"]
    assert table.allowed["sector"] == ("all", *SECTORS)
    assert table.columns[1].nullable and not table.columns[0].nullable
    assert table.provenance and table.versioned
    assert table.column_names == ("city_id", "sector", "source", "estimate", "method")
    # the shipped declarations spread the same way
    assert TABLES["industry"].allowed["variable"] == ("value_added", *CARRIERS)
    assert TABLES["planner_parameters"].columns == TABLES["agent_parameters"].columns


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("$SECTORS]", "$SECTOR]", r"table 'demo', field 'allowed.sector': unknown vocabulary \$SECTOR"),
        ("[city_id, str,", "[city_id, text,", r"table 'demo', field 'columns': got .*kind one of"),
        (
            "key: [city_id]",
            "key: [zone_id]",
            r"table 'demo': key or allowed values name column\(s\) \['zone_id'",
        ),
        ("  key: [city_id]\n", "", r"table 'demo': .*missing field\(s\) \['key'\]"),
        ("description:", "descripton:", r"unknown field\(s\) \['descripton'\]"),
    ],
)
def test_malformed_declaration_is_named(tmp_path, old, new, message):
    path = tmp_path / "tables.yaml"
    path.write_text(_GOOD.replace(old, new), encoding="utf-8")
    with pytest.raises(DeclarationError, match=message) as info:
        read_declarations(path)
    assert str(path) in str(info.value)
