"""Every figure of zonesim.plot rendered from a small run, checked for what it shows."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from conftest import SCENARIOS  # noqa: E402
from zonesim import plot  # noqa: E402
from zonesim.report.compare import comparison_table, run_table, scenario_table  # noqa: E402
from zonesim.runner import run  # noqa: E402
from zonesim.scenario import load_scenario  # noqa: E402

SMALL = {
    "selection": {"zones": ["Z04", "Z07"], "include_associated": False},
    "horizon": {"start_year": 2020, "end_year": 2022},
    "planner": {"n_days": 2, "mode": "rolling"},
    "firms": {"n_firms": 300},
}


@pytest.fixture(scope="module")
def runs():
    return {
        name: run(load_scenario(SCENARIOS / f"{name}.yaml", **SMALL)) for name in ("baseline", "combined")
    }


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _texts(fig) -> str:
    """All text on a figure: suptitle, figure texts, axes titles, labels, ticks, legends."""
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.get_xticklabels() + ax.get_yticklabels()]
        parts += [t.get_text() for t in ax.texts]
        if ax.get_legend():
            parts += [t.get_text() for t in ax.get_legend().get_texts()]
    for leg in fig.legends:
        parts += [t.get_text() for t in leg.get_texts()]
    return "\n".join(parts)


def _visible(fig):
    return [ax for ax in fig.axes if ax.get_visible()]


def test_pathways_figure_marks_each_zone_target(runs):
    res = runs["baseline"]
    fig = plot.pathways_figure(res)
    axes = _visible(fig)
    assert len(axes) == 2
    zones = res.zones()
    for ax, zone in zip(axes, ["Z04", "Z07"], strict=True):
        assert ax.get_title().startswith(zone)
        projected, target = ax.lines[0], ax.lines[1]
        z = zones[zones["zone_id"] == zone].sort_values("year")
        np.testing.assert_allclose(projected.get_ydata(), z["intensity_change_pct"])
        assert list(projected.get_xdata()) == [2020, 2021, 2022]
        assert target.get_ydata()[0] == pytest.approx(z["intensity_target_pct"].iloc[0])
    text = _texts(fig)
    assert "%" in text and "Source: zonesim" in text and "2025 target (zone)" in text


@pytest.mark.parametrize(
    ("variable", "scale", "target"),
    [
        ("energy_counted_total_tce", 1e-6, None),
        ("coal_share", 100.0, None),
        ("nonfossil_share", 100.0, 20.0),
        ("co2_t", 1e-6, None),
        ("co2_intensity_change_pct", 1.0, -18.0),
    ],
)
def test_pathways_figure_other_indicators(runs, variable, scale, target):
    res = runs["baseline"]
    fig = plot.pathways_figure(res, variable=variable)
    ax = _visible(fig)[0]
    z = res.zones()
    z = z[z["zone_id"] == "Z04"].sort_values("year")
    if variable in z:
        np.testing.assert_allclose(ax.lines[0].get_ydata(), z[variable] * scale)
    if target is not None:
        assert ax.lines[1].get_ydata()[0] == pytest.approx(target)
        assert "national" in ax.lines[1].get_label()
    assert plot.INDICATORS[variable][0].split(",")[-1].strip() in ax.get_ylabel()


def test_indicators_figure_has_one_panel_per_indicator(runs):
    fig = plot.indicators_figure(runs["baseline"])
    axes = _visible(fig)
    assert len(axes) == 6
    assert "Mtce" in axes[1].get_title() and "CO2" in axes[4].get_title()
    assert len([ln for ln in axes[0].lines if ln.get_label().startswith("Z0")]) == 2
    assert "Z04 Tangshan" in _texts(fig)


def test_chinese_names(runs):
    fig = plot.pathways_figure(runs["baseline"], lang="both")
    titles = [ax.get_title() for ax in _visible(fig)]
    assert titles[0] == "Z04 Tangshan\n河北唐山"
    assert plot.cjk_font() is not None  # CI installs fonts-noto-cjk
    fig.canvas.draw()
    with pytest.raises(ValueError):
        plot.pathways_figure(runs["baseline"], lang="fr")


def test_missing_cjk_font_falls_back_with_warning(runs, monkeypatch):
    monkeypatch.setattr(plot.base, "cjk_font", lambda: None)  # looked up where the labels are made
    with pytest.warns(UserWarning, match="CJK"):
        fig = plot.pathways_figure(runs["baseline"], lang="zh")
    assert _visible(fig)[0].get_title() == "Z04 Tangshan"


def test_capacity_mix_stacks_to_total(runs):
    res = runs["combined"]
    fig = plot.mix_figure(res, "capacity", by="zone")
    axes = _visible(fig)
    assert len(axes) == 2
    z = res.zones()
    cols = [c for c in z.columns if c.startswith("cap_") and c.endswith("_mw")]
    total = z[z["zone_id"] == "Z04"].sort_values("year")[cols].fillna(0).sum(axis=1).to_numpy() / 1e3
    top = max(axes[0].collections, key=lambda c: c.get_paths()[0].vertices[:, 1].max())
    assert top.get_paths()[0].vertices[:, 1].max() == pytest.approx(total.max(), rel=1e-6)
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "coal" in labels
    # every storage technology built in the zone has its band (combined couples storage with
    # the PV bases on desert and subsidence land, which Z04 and Z07 do not have)
    zone = z[z["zone_id"] == "Z04"]
    built = [c for c in cols if c.startswith("cap_storage_") and zone[c].fillna(0).sum() > 0]
    for c in built:
        assert "storage: " + c.removeprefix("cap_storage_").removesuffix("_mw").replace("_", " ") in labels
    assert "GW" in axes[0].get_ylabel()


def test_energy_mix_by_city(runs):
    fig = plot.mix_figure(runs["baseline"], "energy", by="city", lang="zh")
    titles = [ax.get_title() for ax in _visible(fig)]
    assert set(titles) == {"唐山市", "铜陵市"}
    assert "Mtce" in _visible(fig)[0].get_ylabel()
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "net electricity import" in labels


def test_investments_figure_planned_vs_built(runs):
    res = runs["combined"]
    fig = plot.investments_figure(res)
    ax = _visible(fig)[0]
    inv = res.investments
    built = inv[inv["tech"] == "solar"].groupby("year")["built_mw"].sum() / 1e3
    bars = [p for p in ax.patches if p.get_label() == "solar built"] or None
    heights = sorted(p.get_height() for p in ax.patches if p.get_facecolor()[3] > 0 and p.get_height() > 0)
    for v in built[built > 0]:
        assert any(h == pytest.approx(v) for h in heights)
    assert bars is None or len(bars) >= 1
    assert "implementation gap" in fig._suptitle.get_text()
    assert "solar built" in _texts(fig) and "planned (outline)" in _texts(fig)


def test_gap_heatmap_and_cost_scatter(runs):
    comp = comparison_table(runs)
    fig = plot.gap_heatmap(comp)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["baseline", "combined"]
    cells = [t.get_text() for t in ax.texts]
    assert len(cells) == 4
    # signed: headroom (< 0) is shown, not clipped to "met"
    expected = [f"{g:+.1f}" for g in comp.sort_values(["zone_id", "scenario"])["gap_pp"]]
    assert cells == expected
    assert any(g != 0 for g in comp["gap_pp"])  # a sign to show (headroom or miss)
    table = scenario_table(run_table(comp))
    fig = plot.cost_co2_figure(table)
    ax = fig.axes[0]
    offsets = np.vstack([c.get_offsets() for c in ax.collections if len(c.get_offsets())])
    np.testing.assert_allclose(offsets[:, 0], table["d_cost_bn"])
    np.testing.assert_allclose(offsets[:, 1], table["d_co2_cum_mt"])
    assert "bn CNY2020" in ax.get_xlabel() and "Mt" in ax.get_ylabel()
    assert "zones meet" in _texts(fig)
    # zero on both axes: differences keep their true size
    assert ax.get_xlim()[0] <= 0 <= ax.get_xlim()[1] and ax.get_ylim()[0] <= 0 <= ax.get_ylim()[1]


def test_scenarios_figure_compares_pathways_from_zero(runs):
    fig = plot.scenarios_figure({n: r for n, r in runs.items()})
    axes = _visible(fig)
    assert len(axes) == 3
    ax = axes[0]
    assert [ln.get_label() for ln in ax.lines] == ["baseline", "combined"]
    total = runs["combined"].pathways.groupby("year")["co2_t"].sum() / 1e6
    np.testing.assert_allclose(ax.lines[1].get_ydata(), total)
    assert ax.get_ylim()[0] == 0


def test_sensitivity_figure_takes_batch_sensitivity_output():
    idx = pd.DataFrame(
        {
            "mix": "baseline",
            "cell": 0,
            "output": ["co2_cum_t"] * 2 + ["cost_cum_bn"] * 2,
            "input": ["aeei", "pv_capex"] * 2,
            "mu": [1.0, 2.0, 3.0, 4.0],
            "mu_star": [1.0, 2.0, 3.0, 4.0],
            "mu_star_conf": [0.1] * 4,
            "sigma": [0.5] * 4,
        }
    )
    fig = plot.sensitivity_figure(idx, output="co2_cum_t")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["aeei", "pv_capex"]
    assert "co2_cum_t" in fig._suptitle.get_text()
    with pytest.raises(ValueError, match="several outputs"):
        plot.sensitivity_figure(idx)


def test_indicators_figure_stays_legible_with_many_zones(runs):
    z = runs["baseline"].zones()
    z = z[z["zone_id"] == "Z04"]
    many = pd.concat([z.assign(zone_id=f"Z{k:02d}") for k in range(1, 21)], ignore_index=True)  # 20 zones
    fig = plot.indicators_figure(many)
    ax = _visible(fig)[0]
    labels = [ln.get_label() for ln in ax.lines]
    assert "median zone" in labels
    assert not [lab for lab in labels if lab.startswith("Z")]  # no 20-entry legend of grey lines


def test_marginal_cost_figure(runs):
    plans = pd.concat([r.plans.assign(scenario=n) for n, r in runs.items()], ignore_index=True)
    fig = plot.marginal_cost_figure(plans)
    axes = _visible(fig)
    targets = [c.removeprefix("marginal_") for c in plans.columns if c.startswith("marginal_")]
    assert len(axes) == len(targets) >= 1
    ax = axes[0]
    line = ax.lines[-1]
    # the mean over the city-years where the dual is a price (target met, below the slack penalty)
    combined = plans[plans["scenario"] == "combined"]
    col = f"marginal_{targets[0]}"
    mean = combined[col].where(plot.priced(combined, targets[0])).groupby(combined["year"]).mean()
    np.testing.assert_allclose(line.get_ydata(), mean)
    assert "CNY/" in ax.get_ylabel()
    with pytest.raises(ValueError):
        plot.marginal_cost_figure(plans[["city_id", "year"]])


def test_fan_chart_percentiles():
    rng = np.random.default_rng(0)
    rows = [
        {"run": r, "year": y, "zone_id": "Z04", "city_id": "tangshan", "co2_t": 1e8 * (1 + 0.1 * r) + y}
        for r in range(21)
        for y in (2020, 2021, 2022)
    ]
    df = pd.DataFrame(rows).sample(frac=1, random_state=int(rng.integers(100)))
    fig = plot.fan_chart(df, "co2_t", by="zone_id")
    ax = _visible(fig)[0]
    median = ax.lines[0]
    np.testing.assert_allclose(median.get_ydata(), [(1e8 * 2 + y) / 1e6 for y in (2020, 2021, 2022)])
    labels = [c.get_label() for c in ax.collections]
    assert labels == ["5–95th percentile", "25–75th percentile"]
    outer = ax.collections[0].get_paths()[0].vertices[:, 1]
    assert outer.min() == pytest.approx((1e8 * 1.1 + 2020) / 1e6, rel=1e-3)  # 5th pct of 1.0..3.0
    assert "21 runs" in fig._suptitle.get_text()


def test_sensitivity_bars_sobol_and_morris():
    sobol = pd.DataFrame(
        {"parameter": ["a", "b", "c"], "S1": [0.5, 0.1, 0.2], "ST": [0.6, 0.15, 0.3], "ST_conf": [0.05] * 3}
    )
    fig = plot.sensitivity_figure(sobol, output="CO2 2025")
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "c", "a"]
    widths = sorted(p.get_width() for p in ax.patches)
    assert widths == sorted([0.5, 0.1, 0.2, 0.6, 0.15, 0.3])
    assert "Sobol" in fig._suptitle.get_text()
    morris = pd.DataFrame({"parameter": ["a", "b"], "mu_star": [2.0, 1.0], "sigma": [0.5, 0.2]})
    fig = plot.sensitivity_figure(morris, output="CO2 2025")
    assert "Morris" in fig._suptitle.get_text() and "μ*" in _texts(fig)
    with pytest.raises(ValueError):
        plot.sensitivity_figure(pd.DataFrame({"parameter": ["a"], "x": [1]}))


def test_zone_map_places_cities_by_coordinates(runs, base):
    res = runs["baseline"]
    fig = plot.zone_map(res, lang="both")
    ax = fig.axes[0]
    sim = base.cities[base.cities["zone_id"].isin(["Z04", "Z07"])]
    met_or_missed = np.vstack([c.get_offsets() for c in ax.collections[1:] if len(c.get_offsets())])
    assert len(met_or_missed) == len(sim)
    assert set(map(tuple, np.round(met_or_missed, 4))) == set(
        zip(sim["lon"].round(4), sim["lat"].round(4), strict=True)
    )
    rest = ax.collections[0].get_offsets()
    assert len(rest) == len(base.cities) - len(sim)
    assert "longitude" in ax.get_xlabel() and "latitude" in ax.get_ylabel()
    assert {t.get_text() for t in ax.texts} == {"Z04", "Z07"}  # zone ids on the map, names in the key
    assert any("Z04 Tangshan 河北唐山" in t.get_text() for t in fig.texts)
    z = res.zones()
    z = z[z["year"] == z["year"].max()]
    missed = z[z["intensity_change_pct"] > z["intensity_target_pct"]]
    n_missed = len(base.cities[base.cities["zone_id"].isin(missed["zone_id"])])
    met = ax.collections[1].get_offsets()
    assert len(met) == len(sim) - n_missed
    # province outlines from the shipped Natural Earth file, drawn under the cities
    outline = next(ln for ln in ax.lines if ln.get_label() == "province boundaries")
    x = np.asarray(outline.get_xdata(), dtype=float)
    assert np.isnan(x).sum() >= 31 and np.nanmin(x) > 73 and np.nanmax(x) < 136


def test_every_figure_has_title_and_source(runs):
    res = runs["combined"]
    figs = [
        plot.pathways_figure(res),
        plot.indicators_figure(res),
        plot.mix_figure(res),
        plot.investments_figure(res),
        plot.zone_map(res),
        plot.marginal_cost_figure(res.plans),
        plot.gap_heatmap(comparison_table(runs)),
    ]
    for fig in figs:
        assert fig._suptitle is not None and fig._suptitle.get_text()
        assert any(t.get_text().startswith("Source: zonesim") for t in fig.texts)
