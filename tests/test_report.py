"""zonesim compare: runs what is missing, reuses what is there, writes a self-contained report."""

from __future__ import annotations

import base64
import re

import pandas as pd
import pytest
from conftest import SCENARIOS
from zonesim.cli import main
from zonesim.report.compare import compare, comparison_table

ARGS = ["--zones", "Z04", "Z07", "--end-year", "2022", "--n-days", "2", "--n-firms", "300"]


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("compare")
    files = [str(SCENARIOS / "baseline.yaml"), str(SCENARIOS / "combined.yaml")]
    assert main(["compare", *files, "--out", str(out), *ARGS]) == 0
    return out


def test_report_files(report_dir):
    for name in ("report.html", "report.md", "scenarios.csv", "zones.csv", "levers.csv", "marginal.csv"):
        assert (report_dir / name).stat().st_size > 0, name
    for run in ("baseline", "combined"):
        assert (report_dir / "runs" / run / "stamp.json").exists()
    pngs = sorted(p.name for p in (report_dir / "figures").glob("*.png"))
    for key in ("gap_heatmap", "cost_co2", "marginal_cost", "map_combined", "investments_combined"):
        assert f"{key}.png" in pngs


def test_html_is_self_contained_and_answers_the_questions(report_dir):
    html = (report_dir / "report.html").read_text()
    for heading in (
        "Levers compared",
        "Who meets the 2025 target",
        "Marginal cost of the targets",
        "Plan vs built",
        "Provenance",
    ):
        assert f"<h2>{heading}</h2>" in html
    images = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", html)
    assert len(images) >= 8
    assert all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    assert not re.search(r"src=['\"](?!data:)", html)  # nothing loaded from elsewhere
    assert "carbon_price" in html and "coal_reduction" in html  # levers of 'combined' listed
    md = (report_dir / "report.md").read_text()
    assert "![2025 target gap by zone and lever mix](figures/gap_heatmap.png)" in md


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
    sc = pd.read_csv(report_dir / "scenarios.csv")
    assert list(sc["scenario"]) == ["baseline", "combined"]
    assert sc["zones"].tolist() == [2, 2]
    assert sc.loc[0, "d_cost_bn"] == 0
    combined = runs["combined"]
    later = combined.pathways[combined.pathways["year"] > 2020]
    assert sc.loc[1, "cost_bn"] == pytest.approx(later["cost_bn"].sum())
    assert sc.loc[1, "zones_met"] == int((expected[expected["scenario"] == "combined"]["met"]).sum())
    gap = pd.read_csv(report_dir / "plan_vs_built.csv")
    inv = combined.investments
    solar = gap[(gap["scenario"] == "combined") & (gap["tech"] == "solar")]
    assert solar["built_mw"].iloc[0] == pytest.approx(inv[inv["tech"] == "solar"]["built_mw"].sum())


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
