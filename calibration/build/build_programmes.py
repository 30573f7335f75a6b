# ruff: noqa: E501  (long citation strings)
"""efficiency_programmes.csv: industrial efficiency and electrification programmes by sector
(all estimates), from ``efficiency_programmes_assumptions.csv`` beside this script.

Part of the supply build (``build_supply.py``).
"""

from __future__ import annotations

import pandas as pd
from common import HERE, finish, row


def build_efficiency_programmes() -> pd.DataFrame:
    a = pd.read_csv(HERE / "efficiency_programmes_assumptions.csv")
    rows = []
    for r in a.itertuples():
        rows.append(
            row(
                sector=r.sector,
                programme=r.programme,
                potential_share=r.potential_share,
                cost=r.cost,
                unit="CNY2020/tce",
                source=(
                    "assumption of this build (calibration/build/efficiency_programmes_assumptions.csv); "
                    "no published China sector supply curve retrieved; measure lists after Ma, Chen & Xu 2015 "
                    "Future Cities and Environment 1:7 (steel, 36 measures) and the 2021 NDRC/MIIT energy-saving "
                    "programmes"
                ),
                estimate=True,
                method=(
                    f"{r.basis}. Cost = annualised investment per tce/yr saved or switched (CRF ~0.12, 8%/15 yr, "
                    "x assumed 3000-10000 CNY per tce/yr of capacity), excluding fuel-cost changes, which the "
                    "planner prices separately"
                ),
            )
        )
    return finish(rows, ["sector", "programme", "potential_share", "cost", "unit"])
