"""``zonesim plan`` says what it simulates before the planning year, and how long it took."""

from __future__ import annotations

import shutil
from pathlib import Path

from zonesim.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_plan_reports_the_years_it_simulates_first(tmp_path, capsys):
    shutil.copy(ROOT / "scenarios/baseline.yaml", tmp_path)  # extends stays in the folder tree
    scenario = tmp_path / "small.yaml"
    scenario.write_text(
        "extends: baseline.yaml\n"
        "name: small\n"
        "selection: {zones: [Z04], include_associated: false}\n"
        "planner: {n_days: 2, mode: rolling}\n"
        "firms: {n_firms: 200}\n"
    )
    out = tmp_path / "export"
    city = "tangshan"
    assert main(["plan", city, "--year", "2023", "--scenario", str(scenario), "--export", str(out)]) == 0
    text = capsys.readouterr().out
    assert f"{city} in 2023" in text
    assert "from the base year 2020 and the years 2021-2022, then 2023 itself" in text
    for year in (2021, 2022, 2023):
        assert f"  {year}: " in text and " s\n" in text
    assert "base year 2020 (1 cities): " in text
    assert "simulated 2020-2023 in " in text
    assert any(out.iterdir())
