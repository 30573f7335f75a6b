"""zonesim compare: runs what is missing, reuses what is there, writes a self-contained report."""

from __future__ import annotations

import base64
import re
import shutil

import pandas as pd
import pytest
from conftest import SCENARIOS
from zonesim.cli import main
from zonesim.report.compare import compare, comparison_table, run_table
from zonesim.results import Results
from zonesim.scenario import ScenarioError, load_scenario

ARGS = ["--zones", "Z04", "Z07", "--end-year", "2022", "--n-days", "2", "--n-firms", "300"]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "combined.yaml")]
    assert main(["compare", *files, "--out", str(out), *ARGS]) == 0
    return out


def test_report_files(report_dir):
    for name in (
        "report.html",
        "report.md",
        "summary.csv",
        "targets.csv",
        "scenarios.csv",
        "zones.csv",
        "levers.csv",
        "marginal.csv",
    ):
        assert (report_dir / name).stat().st_size > 0, name
    for run in ("baseline", "combined"):
        assert (report_dir / "runs" / run / "stamp.json").exists()
    pngs = sorted(p.name for p in (report_dir / "figures").glob("*.png"))
    for key in ("gap_heatmap", "cost_co2", "scenario_pathways", "marginal_cost", "map_combined"):
        assert f"{key}.png" in pngs
    assert "investments_combined.png" in pngs


def test_html_is_self_contained_and_answers_the_questions(report_dir):
    html = (report_dir / "report.html").read_text()
    for heading in (
        "Summary",
        "Levers ranked",
        "Who meets which target",
        "Levers compared",
        "Marginal cost of the targets",
        "Plan vs built",
        "Provenance",
    ):
        assert f"<h2>{heading}</h2>" in html
    # the first screen: summary, then the ranking, then who meets which target
    order = [html.index(f"<h2>{h}</h2>") for h in ("Summary", "Levers ranked", "Who meets which target")]
    assert order == sorted(order) and order[-1] < html.index("<h2>Levers compared</h2>")
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) >= 8
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert not re.search(r"src=['\"](?!data:)", html)  # nothing loaded from elsewhere
    assert "carbon_price" in html and "coal_reduction" in html  # levers of 'combined' listed
    assert "Z04 Tangshan" in html and "Z07 Tongling" in html  # zones by name, not only ids
    assert "headroom" in html  # met targets show by how much
    md = (report_dir / "report.md").read_text()
    assert "![2025 target gap by zone and lever mix](figures/gap_heatmap.png)" in md
    marginal = pd.read_csv(report_dir / "marginal.csv")
    # a dual at the slack penalty is the cost of missing a target, never shown as a price
    assert (marginal["max_cny_per_unit"] < 0.999 * 100_000).all()


def test_tables_match_the_runs(report_dir):
    from zonesim.results import Results

    zones = pd.read_csv(report_dir / "zones.csv")
    runs = {n: Results.read(report_dir / "runs" / n) for n in ("baseline", "combined")}
    expected = comparison_table(runs)
    pd.testing.assert_frame_equal(
        zones.sort_values(["scenario", "zone_id"]).reset_index(drop=True)[["scenario", "zone_id", "gap_pp"]],
        expected.sort_values(["scenario", "zone_id"]).reset_index(drop=True)[
            ["scenario", "zone_id", "gap_pp"]
        ],
        check_exact=False,
        atol=1e-9,
    )
    # the gap is change minus target, signed (headroom negative), never clipped
    z = runs["baseline"].zones()
    last = z[z["year"] == z["year"].max()].set_index("zone_id")
    for r in expected[expected["scenario"] == "baseline"].itertuples():
        assert r.gap_pp == pytest.approx(
            last.loc[r.zone_id, "intensity_change_pct"] - last.loc[r.zone_id, "intensity_target_pct"]
        )
    sc = pd.read_csv(report_dir / "scenarios.csv")
    assert list(sc["scenario"]) == ["baseline", "combined"]
    assert sc["zones"].tolist() == [2, 2]
    assert sc.loc[0, "d_cost_bn"] == 0
    combined = runs["combined"]
    later = combined.pathways[combined.pathways["year"] > 2020]
    assert sc.loc[1, "cost_bn"] == pytest.approx(later["cost_bn"].sum())
    assert sc.loc[1, "zones_met_intensity"] == int(
        (expected[expected["scenario"] == "combined"]["met"]).sum()
    )
    gap = pd.read_csv(report_dir / "plan_vs_built.csv")
    inv = combined.investments
    solar = gap[(gap["scenario"] == "combined") & (gap["tech"] == "solar")]
    assert solar["built_mw"].iloc[0] == pytest.approx(inv[inv["tech"] == "solar"]["built_mw"].sum())


def _fake(name: str, cost: list[float], co2: list[float], coal: list[float], energy=1e7) -> Results:
    """One city in one zone from 2020, one row a year, with everything else constant."""
    n = len(cost)
    p = pd.DataFrame(
        {
            "city_id": "tangshan",
            "zone_id": "Z04",
            "year": range(2020, 2020 + n),
            "gdp_bn": 100.0,
            "base_gdp_bn": 100.0,
            "energy_counted_intensity_tce": energy,
            "base_counted_intensity_tce": 1e7,
            "energy_counted_total_tce": 1e7,
            "energy_total_tce": 1e7,
            "nonfossil_primary_tce": 1e6,
            "intensity_target_pct": -13.5,
            "cost_bn": cost,
            "capex_bn": 0.0,
            "co2_t": co2,
            "coal_tce": coal,
        }
    )
    return Results(p, pd.DataFrame(), pd.DataFrame(), {"scenario": name, "seed": 1})


def test_cost_per_tonne_avoided_on_a_hand_computed_case():
    # reference: 10 bn CNY and 100 Mt CO2 a year; the lever: +2 and +3 bn, -10 and -20 Mt
    ref = _fake("ref", cost=[0.0, 10.0, 10.0], co2=[100e6, 100e6, 100e6], coal=[5e7, 5e7, 5e7])
    lever = _fake("lever", cost=[0.0, 12.0, 13.0], co2=[100e6, 90e6, 80e6], coal=[5e7, 4.5e7, 4e7])
    runs = run_table(comparison_table({"ref": ref, "lever": lever}))
    row = runs.set_index("scenario").loc["lever"]
    # cumulative cost difference over 2021-22 (5 bn) / cumulative CO2 difference (30 Mt)
    assert row["d_cost_bn"] == pytest.approx(5.0)
    assert row["d_co2_cum_mt"] == pytest.approx(-30.0)
    assert row["cny_per_t_co2_avoided"] == pytest.approx(5e9 / 30e6)  # 166.7 CNY/t, not 5e9/20e6
    assert row["d_coal_cum_mtce"] == pytest.approx(-15.0)
    assert (
        runs.set_index("scenario").loc["ref", "cny_per_t_co2_avoided"]
        != runs.set_index("scenario").loc["ref", "cny_per_t_co2_avoided"]
    )  # NaN: no abatement against itself


def test_a_coal_cap_is_judged_and_headroom_kept(base):
    from zonesim.report.compare import zone_outcomes

    sc = load_scenario(SCENARIOS / "coal_reduction.yaml")
    cut = sc.levers.coal_reduction.cut_pct_by_year[2025]
    # coal rises by 2 % although the lever cuts it: intensity met, coal cap missed
    energy = [1e7, 1e7, 1e7, 1e7, 1e7, 0.8e7]  # intensity -20 % against a -13.5 % target
    res = _fake("coal_reduction", [0.0] * 6, [1e8] * 6, [5e7, 5e7, 5e7, 5e7, 5e7, 5.1e7], energy)
    z = zone_outcomes(res, sc).iloc[0]
    assert z["met"] and z["gap_pp"] == pytest.approx(-6.5)  # headroom of 6.5 pp, shown as such
    assert z["coal_cap_pct"] == pytest.approx(-cut) and z["coal_change_pct"] == pytest.approx(2.0)
    assert z["coal_gap_pp"] == pytest.approx(2.0 + cut) and not z["coal_met"]
    assert not z["met_all"]


def test_files_are_validated_before_anything_runs(tmp_path):
    bad = tmp_path / "typo.yaml"
    shutil.copy(SCENARIOS / "baseline.yaml", tmp_path)
    bad.write_text("extends: baseline.yaml\nname: typo\nlevers: {carbon_prise: {}}\n")
    messages = []
    with pytest.raises(ScenarioError, match="carbon_prise"):
        compare([SCENARIOS / "baseline.yaml", bad], out=tmp_path / "out", log=messages.append)
    assert not any(m.startswith("running") for m in messages)  # nothing ran first


def test_second_compare_reuses_runs_and_store_is_read(report_dir, tmp_path):
    messages = []
    rep = compare(
        [SCENARIOS / "baseline.yaml"],
        out=report_dir,
        overrides={
            "selection": {"zones": ["Z04", "Z07"], "include_associated": False},
            "horizon": {"start_year": 2020, "end_year": 2022},
            "planner": {"n_days": 2},
            "firms": {"n_firms": 300},
        },
        log=messages.append,
    )
    assert any(m.startswith("reusing") for m in messages)
    assert not any(m.startswith("running") for m in messages)
    assert list(rep.results) == ["baseline"]
    # a store directory: runs found below it are compared without rerunning
    rep = compare([], out=tmp_path / "from_store", store=report_dir / "runs", log=messages.append)
    assert sorted(rep.results) == ["baseline", "combined"]
    assert (tmp_path / "from_store" / "report.html").exists()


def test_compare_errors(tmp_path, capsys):
    assert main(["compare", "--out", str(tmp_path)]) == 2
    assert "scenario files" in capsys.readouterr().err
    with pytest.raises(ValueError, match="no runs found"):
        compare([], out=tmp_path, store=tmp_path / "empty")


LEVERS_TINY = """
name: levers_tiny
description: two lever mixes, three seeds; one zone, two years (a small lever_comparison)
base: {root}/scenarios/baseline.yaml
settings:
  selection: {{zones: [Z04, Z07], include_associated: false}}
  horizon: {{start_year: 2020, end_year: 2022}}
  planner: {{n_days: 2, mode: rolling}}
  firms: {{n_firms: 200}}
mixes:
  baseline: {{scenario: {root}/scenarios/baseline.yaml}}
  coal_reduction: {{scenario: {root}/scenarios/coal_reduction.yaml}}
design: {{method: grid}}
replications: 3
outputs:
  tables: [pathways, investments, plans]
"""


def test_compare_over_a_batch_store_shows_seed_spread(tmp_path, capsys):
    from conftest import ROOT
    from zonesim.batch import run as run_batch

    exp = tmp_path / "levers_tiny.yaml"
    exp.write_text(LEVERS_TINY.format(root=ROOT))
    store = tmp_path / "store"
    summary = run_batch(exp, store, workers=2, progress=False)
    assert summary.done == 6
    assert main(["compare", "--store", str(store), "--out", str(tmp_path / "report")]) == 0
    printed = capsys.readouterr().out
    sc = pd.read_csv(tmp_path / "report" / "scenarios.csv").set_index("scenario")
    assert list(sc.index) == ["baseline", "coal_reduction"]
    assert (sc["seeds"] == 3).all()
    runs = pd.read_csv(tmp_path / "report" / "runs.csv")
    per_seed = runs[runs["scenario"] == "coal_reduction"]["d_co2_cum_mt"]
    assert len(per_seed) == 3
    assert sc.loc["coal_reduction", "d_co2_cum_mt_sd"] == pytest.approx(per_seed.std(ddof=1))
    assert sc.loc["coal_reduction", "d_co2_cum_mt_p05"] == pytest.approx(per_seed.quantile(0.05))
    html = (tmp_path / "report" / "report.html").read_text()
    assert "3 seeds per scenario" in html and "5th-95th percentile" in html
    summary_table = pd.read_csv(tmp_path / "report" / "summary.csv")
    cell = summary_table.set_index("scenario").loc["coal_reduction", "CO2 vs reference, Mt (cumulative)"]
    assert " to " in cell  # the range over seeds is in the ranking, not only the mean
    assert "coal_reduction" in printed
