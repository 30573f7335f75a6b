"""Interactive view of the model (Mesa SolaraViz): pick a scenario and levers, step through the years.

Run it with::

    solara run zonesim.report.app          # or: solara run model/report/app.py

Sidebar: the base scenario, the zones simulated, each lever family on or off (its settings
come from the lever's own file in ``scenarios/``, never from this module) and a carbon price
override; *Reset* builds a new model from them, *Step* simulates one year. The page shows the
zones' energy-intensity change against their 2025 targets, the capacity mix of the cities
simulated, and a table of the latest year. The model runs on small settings (few
representative days and firms) so that a step takes about a second.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import solara  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from mesa.visualization import SolaraViz  # noqa: E402
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
ZONE_CHOICES = {
    "Z04 Tangshan + Z07 Tongling (fast)": ["Z04", "Z07"],
    "Z03 W. Inner Mongolia + Z12 NE Ningxia + Z04 Tangshan": ["Z03", "Z12", "Z04"],
    "all 20 zones (slow)": "all",
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
    ) -> None:
        # explicit keywords (SolaraViz checks the signature): True adds the lever from its own file
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


@solara.component
def ZoneIndicators(model: ViewModel):
    update_counter.get()
    fig = zone_indicator_figure(model)
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


@solara.component
def CapacityMix(model: ViewModel):
    update_counter.get()
    fig = capacity_figure(model)
    solara.FigureMatplotlib(fig, format="png")
    plt.close(fig)


@solara.component
def YearTable(model: ViewModel):
    update_counter.get()
    z = model.zone_table()
    last = z[z["year"] == z["year"].max()]
    levers = ", ".join(model.levers) or "none"
    rows = [
        "| zone | intensity chg % | target % | coal share | non-fossil share | CO2 Mt |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in last.itertuples():
        rows.append(
            f"| {r.zone_id} | {r.intensity_change_pct:.1f} | {r.intensity_target_pct:.1f} | "
            f"{r.coal_share:.2f} | {r.nonfossil_share:.2f} | {r.co2_t / MEGA:.1f} |"
        )
    solara.Markdown(f"**Simulated year: {model.year}** · scenario `{model.scenario.name}` · levers: {levers}")
    solara.Markdown("\n".join(rows))


def model_params() -> dict[str, Any]:
    """The widgets of the sidebar (SolaraViz ``model_params``)."""
    params: dict[str, Any] = {
        "scenario": {"type": "Select", "value": "baseline", "values": scenario_names(), "label": "Scenario"},
        "zones": {
            "type": "Select",
            "value": next(iter(ZONE_CHOICES)),
            "values": list(ZONE_CHOICES),
            "label": "Zones",
        },
        "end_year": {
            "type": "SliderInt",
            "value": 2025,
            "min": 2021,
            "max": 2030,
            "step": 1,
            "label": "End year",
        },
        "carbon_price_cny_per_t": {
            "type": "SliderFloat",
            "value": 0.0,
            "min": 0.0,
            "max": 300.0,
            "step": 10.0,
            "label": "Carbon price override, CNY/tCO2 (0: as in scenario)",
        },
    }
    for lever in LEVERS:
        params[lever] = {"type": "Checkbox", "value": False, "label": f"add lever: {lever.replace('_', ' ')}"}
    return params


def make_page(model: ViewModel | None = None):
    """The SolaraViz page (a Solara component) for ``model`` (default: a fresh ViewModel)."""
    return SolaraViz(
        model if model is not None else ViewModel(),
        components=[(ZoneIndicators, 0), (CapacityMix, 0), (YearTable, 0)],
        model_params=model_params(),
        name="zonesim: demonstration zones",
    )


page = make_page()
