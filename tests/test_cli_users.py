"""What users type: city names in any spelling, experiment files validated by their own schema,
zone members listed, Python overrides deep-merged and reported as overrides."""

from __future__ import annotations

import glob
import shutil

import pytest
from conftest import ROOT, SCENARIOS
from zonesim.cli import main
from zonesim.scenario import ScenarioError

TINY = {
    "selection": {"zones": ["Z04"], "include_associated": False},
    "horizon": {"start_year": 2020, "end_year": 2021},
    "planner": {"n_days": 2, "mode": "rolling"},
    "firms": {"n_firms": 100},
}


@pytest.fixture(scope="module")
def tiny_file(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tiny")
    shutil.copy(SCENARIOS / "baseline.yaml", folder)  # extends stays in the folder tree
    path = folder / "tiny.yaml"
    path.write_text(
        "extends: baseline.yaml\nname: tiny\n"
        "selection: {zones: [Z04], include_associated: false}\n"
        "horizon: {start_year: 2020, end_year: 2021}\n"
        "planner: {n_days: 2, mode: rolling}\nfirms: {n_firms: 100}\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize("name", ["Tangshan", "唐山", "tangshan", "TANGSHAN", "唐山市"])
def test_plan_takes_the_city_id_or_its_english_or_chinese_name(name, tiny_file, tmp_path, capsys):
    import pandas as pd

    args = ["plan", name, "--year", "2021", "--scenario", str(tiny_file), "--export", str(tmp_path)]
    assert main(args) == 0
    assert "wrote" in capsys.readouterr().out

    status = pd.read_csv(tmp_path / "status.csv")
    assert "tangshan" in status.to_string()  # the LP exported is Tangshan's


def test_unknown_city_names_the_closest(base):
    from zonesim.data.names import UnknownCity, resolve_city

    assert resolve_city(base.cities, "Jilin") == "jilin"  # "Jilin (city)" without its note
    assert resolve_city(base.cities, "鄂尔多斯") == "ordos"
    with pytest.raises(UnknownCity, match=r"did you mean \['anshan', 'huangshi', 'tangshan'\]"):
        resolve_city(base.cities, "Tangshn")


def test_validate_checks_experiments_by_their_own_schema(capsys, tmp_path):
    files = sorted(glob.glob(str(ROOT / "experiments" / "*.yaml")))
    assert len(files) >= 3
    assert main(["validate", *files]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    assert out.out.count("ok: ") == len(files) and "experiment 'screening'" in out.out
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"name: bad\nbase: {SCENARIOS / 'baseline.yaml'}\ndesign: {{method: morris}}\n")
    assert main(["validate", str(bad)]) == 2
    assert "needs at least one 'uncertain' input" in capsys.readouterr().err


def test_data_summary_lists_member_cities(capsys):
    assert main(["data", "summary"]) == 0
    lines = capsys.readouterr().out.splitlines()
    z01 = next(line for line in lines if line.strip().startswith("Z01"))
    assert "Shenyang, Anshan, Fushun" in z01


def test_run_overrides_deep_merge_and_name_the_override(base):
    from zonesim.runner import with_overrides

    combined = SCENARIOS / "combined.yaml"
    sc = with_overrides(combined, levers={"carbon_price": {"path": {2025: 300.0}}})
    assert sc.levers.carbon_price.path[2025] == 300.0
    assert sc.levers.coal_reduction is not None  # the scenario's other levers are kept
    assert len(sc.levers.active()) == len(with_overrides(combined).levers.active())
    part = with_overrides(combined, selection={"zones": ["Z04"]})  # partial: include_associated kept
    assert part.selection.zones == ["Z04"] and part.selection.include_associated is False
    again = with_overrides(sc, **TINY)  # a Scenario object merges the same way
    assert again.levers.carbon_price.path[2025] == 300.0 and again.firms.n_firms == 100
    msg = r"override of scenario 'combined': field 'levers.carbon_price.pathh'"
    with pytest.raises(ScenarioError, match=msg):
        with_overrides(combined, levers={"carbon_price": {"pathh": {2025: 1.0}}})
