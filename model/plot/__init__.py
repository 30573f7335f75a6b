"""Figures from the tidy result tables (matplotlib; each function returns a Figure).

Every figure has a title, units on its axes and a source line; colours are chosen to stay
readable in grey scale (sequential maps with monotone lightness, hatches and line styles
alongside colour). Zone labels can be English, Chinese or both (``lang="en" | "zh" | "both"``);
Chinese needs a CJK font (Debian: ``fonts-noto-cjk``); without one the labels fall back to
English with a warning.

Inputs are tidy tables: a :class:`~zonesim.results.Results` or its ``pathways`` /
``zones()`` / ``investments`` / ``plans`` frames, and for comparisons and batches frames with
a ``scenario`` or ``run`` column.

One module per figure family, every public name importable from ``zonesim.plot``:
``base`` (palette, names, fonts, source line, panel grid), ``pathways`` (against targets),
``mix`` (capacity and energy mix, investments), ``comparison`` (lever mixes side by side,
marginal costs), ``uncertainty`` (fans over runs, sensitivity indices), ``overview`` (the map).
"""

from zonesim.plot.base import (
    GREYS,
    HATCHES,
    INDICATORS,
    LINESTYLES,
    MARKERS,
    SOURCE_TARGETS,
    city_names,
    cjk_font,
    national_target,
    zone_names,
)
from zonesim.plot.comparison import (
    SLACK_TOL,
    cost_co2_figure,
    gap_heatmap,
    marginal_cost_figure,
    priced,
    scenarios_figure,
)
from zonesim.plot.mix import CAPACITY_ORDER, ENERGY_SOURCES, investments_figure, mix_figure
from zonesim.plot.overview import province_outlines, zone_map
from zonesim.plot.pathways import MAX_LINES, indicators_figure, pathways_figure
from zonesim.plot.uncertainty import fan_chart, sensitivity_figure

__all__ = [
    "CAPACITY_ORDER",
    "ENERGY_SOURCES",
    "GREYS",
    "HATCHES",
    "INDICATORS",
    "LINESTYLES",
    "MARKERS",
    "MAX_LINES",
    "SLACK_TOL",
    "SOURCE_TARGETS",
    "city_names",
    "cjk_font",
    "cost_co2_figure",
    "fan_chart",
    "gap_heatmap",
    "indicators_figure",
    "investments_figure",
    "marginal_cost_figure",
    "mix_figure",
    "national_target",
    "pathways_figure",
    "priced",
    "province_outlines",
    "scenarios_figure",
    "sensitivity_figure",
    "zone_map",
    "zone_names",
]
