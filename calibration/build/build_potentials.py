# ruff: noqa: E501  (long citation strings)
"""potentials.csv: wind, PV (by land class) and pumped-hydro potentials of every model city.

Part of the supply build (``build_supply.py``); the scaling assumptions are rows of
``sources/constants.csv``, the pumped-hydro sites ``sources/pumped_hydro_sites.csv``.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from build_power_units import COASTAL_CITIES, operating_2020
from common import cite, const, finish, members, row, source

ROOFTOP_KW_PER_CAPITA = const("rooftop_pv_kw_per_capita")
GROUND_PV_MULTIPLE = const("ground_pv_multiple")
DESERT_PV_MULTIPLE = const("desert_pv_multiple")
SUBSIDENCE_PV_MULTIPLE = const("subsidence_pv_multiple")
WIND_MIN_MULTIPLE = const("wind_potential_min_multiple")
DESERT_CITIES = members("desert_pv_city")
SUBSIDENCE_CITIES = members("subsidence_pv_city")
PIPELINE_STATUSES = set(members("pipeline_status"))


def build_potentials(raw: Path, pv: pd.DataFrame, gem: pd.DataFrame, units: pd.DataFrame):
    rows = []
    wind = gem[gem["fuel"] == "wind"].copy()
    op20 = operating_2020(wind)
    wind["op2020"] = np.where(op20, wind["capacity_mw"], 0.0)
    # capacity that started after 2020 and is operating at tracker release
    post = (wind["status"] == "operating") & (wind["start_year"] > 2020)
    wind["post2020"] = np.where(post, wind["capacity_mw"], 0.0)
    wind["pipe"] = np.where(wind["status"].isin(PIPELINE_STATUSES), wind["capacity_mw"], 0.0)
    # GEM marks a few inland phases (e.g. in Changzhi) offshore: trust the flag on the coast only
    wind["offshore"] = wind["install"].astype(str).str.startswith("offshore") & wind["city_id"].isin(
        COASTAL_CITIES
    )
    for (cid, off), g in wind.groupby(["city_id", "offshore"]):
        dev = float(g["post2020"].sum() + g["pipe"].sum())
        base = float(g["op2020"].sum())
        pot = max(dev, WIND_MIN_MULTIPLE * base)
        if pot <= 0:
            continue
        rows.append(
            row(
                city_id=cid,
                tech="wind",
                land_class="offshore" if off else "general",
                potential_mw=round(pot, 1),
                source=cite("gem_wind"),
                estimate=True,
                method=(
                    "max(GEM capacity started after 2020 + pipeline (construction/permitted/pre-permit/"
                    f"pre-construction/announced) = {dev:.0f} MW, {WIND_MIN_MULTIPLE} x end-2020 capacity "
                    f"{base:.0f} MW); no city resource assessment available; distributed wind missing from GEM"
                ),
            )
        )
    for r in pv.itertuples():
        rows.append(
            row(
                city_id=r.city_id,
                tech="solar",
                land_class="general",
                potential_mw=round(GROUND_PV_MULTIPLE * r.pv_mw, 1),
                source=cite("pypsa_capacity") + "; split by " + r.share_source,
                estimate=True,
                method=(
                    f"{GROUND_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); assumption "
                    "(national PV grew ~3x 2020-2024), not a land assessment"
                ),
            )
        )
        if not math.isnan(r.pop_10k):
            rows.append(
                row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="rooftop",
                    potential_mw=round(r.pop_10k * 1e4 * ROOFTOP_KW_PER_CAPITA / 1e3, 1),
                    source=(
                        "population: City Statistical Yearbook 2020 (CSMAR extract, registered pop.) or NBS "
                        "provincial population x GDP share; kW/capita assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{ROOFTOP_KW_PER_CAPITA} kW per person x population {r.pop_10k:.1f} (10k); assumption "
                        "~3 m2 usable roof per person at ~100 W/m2"
                    ),
                )
            )
        if r.city_id in DESERT_CITIES:
            rows.append(
                row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="desert",
                    potential_mw=round(DESERT_PV_MULTIPLE * r.pv_mw, 1),
                    source=(
                        "NDRC 14th-FYP implementation plan for the demonstration zones, section (十) "
                        "(desert, subsidence land, open-pit dumps, closed mines named for Baotou, Ordos, "
                        "Shizuishan, Ningdong); size: scaling assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{DESERT_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); Kubuqi/Mu Us "
                        "sandland; placeholder size, no land-area data"
                    ),
                )
            )
        if r.city_id in SUBSIDENCE_CITIES:
            rows.append(
                row(
                    city_id=r.city_id,
                    tech="solar",
                    land_class="subsidence",
                    potential_mw=round(SUBSIDENCE_PV_MULTIPLE * r.pv_mw, 1),
                    source=(
                        "NDRC 14th-FYP implementation plan for the demonstration zones, section (十); "
                        "size: scaling assumption of this build"
                    ),
                    estimate=True,
                    method=(
                        f"{SUBSIDENCE_PV_MULTIPLE} x estimated end-2020 city PV ({r.pv_mw:.0f} MW); coal-mining "
                        "subsidence land, open-pit dumps, closed mines; placeholder size"
                    ),
                )
            )
    for cid, site, mw, src in source("pumped_hydro_sites")[
        ["city_id", "site", "capacity_mw", "source"]
    ].itertuples(index=False):
        rows.append(
            row(
                city_id=cid,
                tech="pumped_hydro",
                land_class="general",
                potential_mw=float(mw),
                source=src,
                estimate=True,
                method=f"{site}: one named site in a mountainous part of the city; other cities: none assumed",
            )
        )
    return finish(rows, ["city_id", "tech", "land_class", "potential_mw"])
