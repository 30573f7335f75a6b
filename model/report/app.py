"""Interactive view of the model (Mesa SolaraViz): pick a scenario and levers, step through the years.

Run it with::

    solara run zonesim.report.app          # or: solara run model/report/app.py

Sidebar: the base scenario, the zones simulated (by name), the end year and a carbon price
(sliders showing their values), and each lever family: switched on, it takes its settings from
its own file in ``scenarios/`` (never from this module), and its main setting can then be
moved on a slider. *Reset* builds a new model from them, *Step* simulates one year. The page
shows the zones' energy-intensity change against their 2025 targets, the capacity mix of the
cities simulated, and a table of the latest year with zone names. The model runs on small
settings (few representative days and firms) so that a step takes about a second.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization.utils import update_counter  # noqa: E402
from zonesim import plot  # noqa: E402
from zonesim.model import TransitionModel  # noqa: E402
from zonesim.scenario import load_scenario  # noqa: E402
from zonesim.units import KILO, MEGA

SCENARIO_DIR = Path(__file__).resolve().parents[2] / "scenarios"
LEVERS = (
    "coal_reduction",
    "pv_storage",
    "capacity_retirement",
    "dual_control",
    "curb_two_highs",
    "carbon_price",
    "green_finance",
    "evaluation",
    "circular_parks",
)
ZONE_CHOICES: dict[str, Any] = {
    "Z04 Tangshan + Z07 Tongling (fast)": ["Z04", "Z07"],
    "Z03 W. Inner Mongolia + Z12 NE Ningxia + Z04 Tangshan": ["Z03", "Z12", "Z04"],
    "all 20 zones (slow)": "all",
    **{name.replace("\n", " "): [zone] for zone, name in plot.zone_names("en").items()},
}
# each lever's main setting, movable on a slider once the lever is on: (field, label)
KNOBS = {
    "coal_reduction": ("cut_pct_by_year", "coal cut by its first target year, %"),
    "pv_storage": ("storage_power_ratio", "storage power per new wind+PV power"),
    "capacity_retirement": ("coal_unit_max_mw", "coal units retired up to, MW"),
    "curb_two_highs": ("max_expansion_pct_per_year", "energy-intensive growth allowed, %/yr"),
    "green_finance": ("loan_volume_bn_cny_per_year", "extra finance per zone, bn CNY/yr"),
    "evaluation": ("poor_years_to_lose_status", "poor years before status is lost"),
    "circular_parks": ("participation_share", "share of energy-intensive output in parks"),
}
# interactive settings: few representative days and firms, so a step takes about a second
FAST = {"planner": {"n_days": 2, "mode": "rolling"}, "firms": {"n_firms": 300}}


def scenario_names() -> list[str]:
    """Scenario files shipped in ``scenarios/`` (by stem)."""
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def lever_settings(lever: str) -> dict[str, Any]:
    """A lever's settings from its own scenario file (``scenarios/<lever>.yaml``)."""
    sc = load_scenario(SCENARIO_DIR / f"{lever}.yaml")
    value = getattr(sc.levers, lever)
    if value is None:
        raise ValueError(f"scenarios/{lever}.yaml does not set lever {lever}")
    return value.model_dump()


class ViewModel(TransitionModel):
    """TransitionModel built from keyword arguments that SolaraViz can set from its widgets."""

    def __init__(
        self,
        scenario: str = "baseline",
        zones: str = next(iter(ZONE_CHOICES)),
        end_year: int = 2025,
        carbon_price_cny_per_t: float = 0.0,
        coal_reduction: bool = False,
        pv_storage: bool = False,
        capacity_retirement: bool = False,
        dual_control: bool = False,
        curb_two_highs: bool = False,
        carbon_price: bool = False,
        green_finance: bool = False,
        evaluation: bool = False,
        circular_parks: bool = False,
        knobs: dict[str, float] | None = None,
    ) -> None:
        # explicit keywords (SolaraViz checks the signature): True adds the lever from its own file;
        # knobs: {lever: value} sets the lever's main setting (KNOBS) instead of its file's value
        args = locals()
        levers = {lever: bool(args[lever]) for lever in LEVERS}
        sc = load_scenario(
            SCENARIO_DIR / f"{scenario}.yaml",
            selection={"zones": ZONE_CHOICES[zones], "include_associated": False},
            horizon={"start_year": 2020, "end_year": end_year},
            **FAST,
        )
        data = sc.model_dump()
        for lever, on in levers.items():
            if on and data["levers"].get(lever) is None:
                data["levers"][lever] = lever_settings(lever)
        for lever, value in (knobs or {}).items():
            if data["levers"].get(lever) is not None and lever in KNOBS:
                field = KNOBS[lever][0]
                current = data["levers"][lever][field]
                if isinstance(current, dict):  # a path by year: the slider sets its first target
                    current = {**current, min(current): value}
                    data["levers"][lever][field] = current
                else:
                    data["levers"][lever][field] = value
        if carbon_price_cny_per_t > 0:
            data["levers"]["carbon_price"] = {
                "path": {2021: carbon_price_cny_per_t, end_year: carbon_price_cny_per_t}
            }
        data["name"] = f"{scenario}+view"
        sc = type(sc).model_validate(data)
        super().__init__(sc)
        self.running = True

    def step(self) -> None:
        if self.year >= self.scenario.horizon.end_year:
            self.running = False
            return
        super().step()
        self.running = self.year < self.scenario.horizon.end_year

    # ---------------------------------------------------------------- views
    def pathways(self) -> pd.DataFrame:
        return pd.DataFrame(self.records)

    def zone_table(self) -> pd.DataFrame:
        from zonesim.results import Results

        empty = pd.DataFrame(columns=["city_id", "year", "tech", "planned_mw", "built_mw"])
        res = Results(self.pathways(), empty, pd.DataFrame(), {"scenario": self.scenario.name})
        return res.zones()


def zone_indicator_figure(model: ViewModel) -> Figure:
    """Energy-intensity change vs 2020 per zone so far, with each zone's 2025 target (dashed)."""
    z = model.zone_table()
    fig, ax = plt.subplots(figsize=(6.2, 4.0))
    names = plot.zone_names("en")
    for i, (zone, g) in enumerate(z.groupby("zone_id")):
        g = g.sort_values("year")
        ax.plot(
            g["year"],
            g["intensity_change_pct"],
            color=plot.GREYS[i % 4],
            ls=plot.LINESTYLES[i % len(plot.LINESTYLES)],
            marker=plot.MARKERS[i % len(plot.MARKERS)],
            label=names.get(zone, zone),
        )
        ax.axhline(float(g["intensity_target_pct"].iloc[-1]), color=plot.GREYS[i % 4], ls="--", lw=0.8)
    ax.set_xlim(model.scenario.horizon.start_year - 0.2, model.scenario.horizon.end_year + 0.2)
    ax.set_xlabel("year")
    ax.set_ylabel("energy intensity change vs 2020, %")
    ax.set_title(f"Zone energy intensity vs 2025 targets (dashed) — year {model.year}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7)
    fig.text(0.01, 0.01, f"Source: zonesim, scenario '{model.scenario.name}'", fontsize=6, color="0.3")
    fig.tight_layout(rect=(0, 0.03, 1, 1))
    return fig


def capacity_figure(model: ViewModel) -> Figure:
    """Installed capacity of the simulated cities by technology (stacked), GW."""
    p = model.pathways()
    cols = [c for c in p.columns if c.startswith("cap_") and c.endswith("_mw")]
    cap = p.groupby("year")[cols].sum() / KILO
    fig, ax = plt.subplots(figsize=(6.2, 4.0))
    cmap = plt.get_cmap("cividis")
    bottom = None
    for i, c in enumerate(cols):
        top = cap[c] if bottom is None else bottom + cap[c]
        ax.fill_between(
            cap.index,
            0 if bottom is None else bottom,
            top,
            color=cmap(i / max(len(cols) - 1, 1)),
            hatch=plot.HATCHES[i % len(plot.HATCHES)],
            edgecolor="0.2",
            lw=0.4,
            label=c.removeprefix("cap_").removesuffix("_mw").replace("_", " "),
        )
        bottom = top
    ax.set_xlim(model.scenario.horizon.start_year - 0.2, model.scenario.horizon.end_year + 0.2)
    ax.set_xlabel("year")
    ax.set_ylabel("installed capacity, GW")
    ax.set_title(f"Capacity mix of the simulated cities — year {model.year}", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return fig


def _show(figure: Callable[[ViewModel], Figure], model: ViewModel) -> None:
    """Draw ``figure`` of the model as it stands (redrawn after every step) and free it."""
    update_counter.get()
    fig = figure(model)
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


@solara.component
def ZoneIndicators(model: ViewModel):
    _show(zone_indicator_figure, model)


@solara.component
def CapacityMix(model: ViewModel):
    _show(capacity_figure, model)


@solara.component
def YearTable(model: ViewModel):
    update_counter.get()
    z = model.zone_table()
    last = z[z["year"] == z["year"].max()]
    levers = ", ".join(model.scenario.levers.active()) or "none"
    names = plot.zone_names("en")
    rows = [
        "| zone | intensity chg % | target % | headroom (+) / miss (-), pp | coal share | non-fossil share "
        "| CO2 Mt |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in last.itertuples():
        rows.append(
            f"| {names.get(r.zone_id, r.zone_id)} | {r.intensity_change_pct:.1f} | "
            f"{r.intensity_target_pct:.1f} | "
            f"{r.intensity_target_pct - r.intensity_change_pct:+.1f} | {r.coal_share:.2f} | "
            f"{r.nonfossil_share:.2f} | {r.co2_t / MEGA:.1f} |"
        )
    solara.Markdown(f"**Simulated year: {model.year}** · scenario `{model.scenario.name}` · levers: {levers}")
    solara.Markdown("\n".join(rows))


def knob_range(lever: str) -> tuple[float, float, float, bool]:
    """Slider (min, max, step, integer) for a lever's main setting: the schema's bounds where it
    has them, else 0 to three times the value in the lever's scenario file."""
    import typing

    from zonesim.scenario import Levers

    field, _ = KNOBS[lever]
    cls = next(a for a in typing.get_args(Levers.model_fields[lever].annotation) if a is not type(None))
    info = cls.model_fields[field]
    lo = next((m.ge for m in info.metadata if hasattr(m, "ge")), 0.0)
    hi = next((m.le for m in info.metadata if hasattr(m, "le")), None)
    value = lever_settings(lever)[field]
    if isinstance(value, dict):  # a percentage path by year (coal_reduction): 0-100 %
        return 0.0, 100.0, 1.0, False
    value = float(value)
    hi = float(hi) if hi is not None else max(3 * value, 1.0)
    integer = info.annotation is int
    step = 1.0 if integer else (hi - lo) / 50
    return float(lo), hi, step, integer


DEFAULTS: dict[str, Any] = {
    "scenario": "baseline",
    "zones": next(iter(ZONE_CHOICES)),
    "end_year": 2025,
    "carbon_price_cny_per_t": 0.0,
    **{lever: False for lever in LEVERS},
    "knobs": {},
}


def _slider(
    label: str, value: float, bounds: tuple, on_value: Callable, shown: str, integer: bool = False
) -> None:
    """A slider over ``bounds`` (min, max, step) showing its value (thumb label and a line of text)."""
    cast = int if integer else float
    lo, hi, step = (cast(b) for b in bounds)
    slider = solara.SliderInt if integer else solara.SliderFloat
    slider(label, value=cast(value), min=lo, max=hi, step=step, on_value=on_value, thumb_label="always")
    solara.Text(shown)


@solara.component
def ScenarioInputs(params: solara.Reactive[dict]):
    """The sidebar's inputs; sliders show their values, a lever's slider appears once it is on."""

    def setter(name):
        return lambda value: params.set({**params.value, name: value})

    v = params.value
    solara.Select("Scenario", value=v["scenario"], values=scenario_names(), on_value=setter("scenario"))
    solara.Select("Zones", value=v["zones"], values=list(ZONE_CHOICES), on_value=setter("zones"))
    end = v["end_year"]
    _slider("End year", end, (2021, 2030, 1), setter("end_year"), f"End year: {end}", integer=True)
    _slider(
        "Carbon price override, CNY/tCO2 (0: as in scenario)",
        v["carbon_price_cny_per_t"],
        (0.0, 300.0, 10.0),
        setter("carbon_price_cny_per_t"),
        f"Carbon price override: {v['carbon_price_cny_per_t']:.0f} CNY/tCO2",
    )
    for lever in LEVERS:
        solara.Checkbox(label=f"add lever: {lever.replace('_', ' ')}", value=v[lever], on_value=setter(lever))
        if v[lever] and lever in KNOBS:
            field, label = KNOBS[lever]
            lo, hi, step, integer = knob_range(lever)
            default = lever_settings(lever)[field]
            default = default[min(default)] if isinstance(default, dict) else default
            value = v["knobs"].get(lever, default)

            def set_knob(x, lever=lever):
                params.set({**params.value, "knobs": {**params.value["knobs"], lever: x}})

            _slider(label, value, (lo, hi, step), set_knob, f"{label}: {value:g}", integer=integer)


@solara.component
def Page():
    """The view: controls and inputs in the sidebar, the figures and the year's table beside them."""
    from mesa.visualization.solara_viz import ModelController, ShowSteps

    initial = solara.use_memo(lambda: ViewModel(), [])
    model = solara.use_reactive(initial)
    params = solara.use_reactive(dict(DEFAULTS))
    # Mesa's controller reads these as reactive values (ms between steps, steps per redraw)
    play_interval = solara.use_reactive(100)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    with solara.AppBar():
        solara.AppBarTitle("zonesim: demonstration zones")
    with solara.Sidebar(), solara.Column():
        with solara.Card("Controls"):
            ModelController(
                model,
                model_parameters=params,
                play_interval=play_interval,
                render_interval=render_interval,
                use_threads=use_threads,
            )
        with solara.Card("Scenario and levers (Reset to apply)"):
            ScenarioInputs(params)
        with solara.Card("Information"):
            ShowSteps(model.value)
    with solara.Column():
        with solara.Row():
            ZoneIndicators(model.value)
            CapacityMix(model.value)
        YearTable(model.value)


page = Page
