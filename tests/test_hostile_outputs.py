"""Output safety of ``zonesim run``: the output folder is checked before anything is simulated,
the scenario name never escapes ``results/``, a rerun never leaves an earlier run's tables
beside the new ones, foreign files are neither mixed with nor deleted, files are 0644."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from zonesim.cli import main
from zonesim.results import OutputError, prepare_output, slug

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def scenarios(tmp_path) -> Path:
    """A folder with the baseline and two small scenarios extending it."""
    folder = tmp_path / "scen"
    folder.mkdir()
    (folder / "baseline.yaml").write_text((ROOT / "scenarios" / "baseline.yaml").read_text())
    small = (
        "extends: baseline.yaml\nname: small\nselection: {zones: [Z04], include_associated: false}\n"
        "horizon: {start_year: 2020, end_year: 2021}\nplanner: {n_days: 1, mode: rolling}\n"
        "firms: {n_firms: 40}\n"
    )
    (folder / "small.yaml").write_text(small)
    (folder / "escape.yaml").write_text("extends: small.yaml\nname: ../../escaped\n")
    (folder / "absolute.yaml").write_text(f"extends: small.yaml\nname: {tmp_path}/absolute\n")
    return folder


@pytest.fixture
def no_simulation(monkeypatch):
    """Fail if the model is built: the output checks must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the simulation started before the output folder was checked")

    monkeypatch.setattr("zonesim.runner.TransitionModel", refuse)


def _run(capsys, *args: str) -> tuple[int, str]:
    status = main(["run", *args])
    captured = capsys.readouterr()
    return status, captured.err


def test_out_pointing_at_a_file_fails_before_the_run(scenarios, tmp_path, capsys, no_simulation):
    target = tmp_path / "a_file"
    target.write_text("mine")
    status, err = _run(capsys, str(scenarios / "small.yaml"), "--out", str(target))
    assert status == 2 and "Traceback" not in err
    assert str(target) in err and "not a folder" in err
    assert target.read_text() == "mine"


def test_out_in_an_unwritable_place_fails_before_the_run(scenarios, tmp_path, capsys, no_simulation):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    # as root permissions do not stop a write: use a folder no one can write to instead
    targets = [locked] if not os.access(locked, os.W_OK) else []
    targets += [Path("/proc/self"), Path("/proc/zonesim-out")]
    for target in targets:
        status, err = _run(capsys, str(scenarios / "small.yaml"), "--out", str(target))
        assert status == 2 and "Traceback" not in err, err
        assert str(target) in err and ("not writable" in err or "cannot create" in err), err
    locked.chmod(0o755)


def test_existing_folder_with_foreign_files_is_refused_and_left_alone(
    scenarios, tmp_path, capsys, no_simulation
):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    (out / "pathways.parquet").write_text("not ours")  # a name we write, but no run wrote it here
    status, err = _run(capsys, str(scenarios / "small.yaml"), "--out", str(out))
    assert status == 2 and "holds files no zonesim run wrote" in err and "notes.txt" in err
    assert (out / "notes.txt").read_text() == "keep me"
    assert (out / "pathways.parquet").read_text() == "not ours"


def test_a_rerun_replaces_only_its_own_files(scenarios, tmp_path, capsys):
    old = os.umask(0o022)
    try:
        out = tmp_path / "out"
        status, err = _run(capsys, str(scenarios / "small.yaml"), "--out", str(out), "--iamc")
        assert status == 0, err
        first = json.loads((out / "manifest.json").read_text())["files"]
        assert {
            "pathways.parquet",
            "iamc.xlsx",
            "iamc.csv",
            "pathways.png",
            "stamp.json",
            "warnings.parquet",
        } <= set(first)
        for name in [*first, "manifest.json"]:
            assert stat.S_IMODE((out / name).stat().st_mode) == 0o644, name
        # the second run does not write iamc: the first run's IAMC files must not stay behind
        status, err = _run(capsys, str(scenarios / "small.yaml"), "--out", str(out), "--seed", "7")
        assert status == 0, err
        second = json.loads((out / "manifest.json").read_text())["files"]
        assert (
            "iamc.csv" not in second and not (out / "iamc.csv").exists() and not (out / "iamc.xlsx").exists()
        )
        assert sorted(p.name for p in out.iterdir()) == sorted([*second, "manifest.json"])
        assert json.loads((out / "stamp.json").read_text())["seed"] == 7
    finally:
        os.umask(old)


def test_a_folder_of_an_earlier_run_without_manifest_is_taken_over(tmp_path):
    out = tmp_path / "legacy"
    out.mkdir()
    for name in ("pathways.parquet", "iamc.parquet", "stamp.json"):
        (out / name).write_text("old")
    assert prepare_output(out) == out  # only names a run writes: an earlier run's folder
    (out / "other.csv").write_text("x")
    with pytest.raises(OutputError, match="other.csv"):
        prepare_output(out)


def test_scenario_name_never_escapes_results(scenarios, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    for file, expected in (("escape.yaml", "escaped"), ("absolute.yaml", slug(f"{tmp_path}/absolute"))):
        status, err = _run(capsys, str(scenarios / file))
        assert status == 0, err
        assert (work / "results" / expected / "pathways.parquet").is_file()
    assert sorted(p.name for p in work.iterdir()) == ["results"]
    assert not (tmp_path / "escaped").exists() and not (tmp_path / "absolute").exists()
    assert sorted(p.name for p in (work / "results").iterdir()) == sorted(
        ["escaped", slug(f"{tmp_path}/absolute")]
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("../../x", "x"),
        ("/etc/passwd", "etc_passwd"),
        ("..", "scenario"),
        ("a b/c", "a_b_c"),
        (".hidden", "hidden"),
        ("煤炭减量", "煤炭减量"),
        ("x" * 500, "x" * 80),
    ],
)
def test_slug(name, expected):
    assert slug(name) == expected
