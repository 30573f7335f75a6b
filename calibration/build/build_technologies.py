# ruff: noqa: E501  (long citation strings)
"""technologies.csv: capex, fixed O&M, lifetime, heat rate and efficiency of every planner
technology, 2020/2025/2030.

Part of the supply build (``build_supply.py``). Raw inputs: the PyPSA-China-PIK literature
review and default cost files; which of their technologies stands for each model technology
is ``sources/tech_cost_keys.csv``; scalar values (exchange rates, battery energy cost, the
pumped-hydro split, the retrofit assumption) are rows of ``sources/constants.csv``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from common import const, finish, members, row, source

EUR_CNY_2020 = const("eur_cny", 2020)
USD_CNY_2020 = const("usd_cny", 2020)
MWH_TH_PER_TCE = const("mwh_th_per_tce")
LIT_CHINA = set(members("china_cost_reference"))


def _lit_capex(lit: pd.DataFrame, tech: str, year: str) -> tuple[float, list[str]]:
    d = lit[(lit["technology"] == tech) & (lit["cost_type"] == "investment")]
    d = d[d["reference"].isin(LIT_CHINA)]
    vals, refs = [], []
    for r in d.itertuples():
        v = pd.to_numeric(getattr(r, f"_{list(lit.columns).index(year) + 1}"), errors="coerce")
        if pd.isna(v):
            continue
        unit = r.unit.lower()
        if unit == "cny/kw":
            pass
        elif unit == "eur/kw":
            v = v * EUR_CNY_2020
        elif unit == "$/kw":
            v = v * USD_CNY_2020
        else:
            continue
        vals.append(float(v))
        refs.append(f"{r.reference} {v:.0f}")
    if not vals:
        raise ValueError(f"no China capex for {tech} {year}")
    return float(np.median(vals)), refs


def build_technologies(raw: Path) -> pd.DataFrame:
    lit = pd.read_csv(raw / "tech_costs_china_litreview_pypsa_china_pik.csv")
    lit_src = (
        "PyPSA-China-PIK literature review resources/data/costs/reference_costs/tech_costs_subset_litreview.csv "
        "(pik-piam/PyPSA-China-PIK@25c83bf): Zhu et al. 2025 EES; Sun et al. (SGERI); Li et al. 2024 EES; "
        "LBNL 2022-23; NREL ATB"
    )
    pc = {
        y: pd.read_csv(raw / f"pypsa_china_pik_costs_{y}.csv").set_index(["technology", "parameter"])
        for y in (2020, 2025, 2030)
    }
    pc_src = "PyPSA-China-PIK default costs resources/data/costs/default/costs_{y}.csv (pik-piam/PyPSA-China-PIK@25c83bf)"
    fx = f"EUR->CNY at {EUR_CNY_2020} (ECB 2020 average); DEA values are stated in 2020-EUR, so no deflation; lit-review CNY values taken as CNY2020 (price year not stated)"
    rows = []

    def pcv(y, tech, par) -> tuple[float, str]:
        r = pc[y].loc[(tech, par)]
        return float(r["value"]), str(r["source"])

    def add(tech, y, par, val, unit, source, estimate, method):
        rows.append(
            row(
                tech=tech,
                year=y,
                parameter=par,
                value=round(float(val), 4),
                unit=unit,
                source=source,
                estimate=estimate,
                method=method,
            )
        )

    capex: dict[tuple[str, int], float] = {}
    keys = source("tech_cost_keys")
    lit_map = dict(zip(keys["tech"], keys["litreview_technology"], strict=True))
    for tech, lt in lit_map.items():
        v20, r20 = _lit_capex(lit, lt, "2020")
        v30, r30 = _lit_capex(lit, lt, "2030")
        for y in (2020, 2025, 2030):
            v = {2020: v20, 2030: v30}.get(y, (v20 + v30) / 2)
            capex[(tech, y)] = v
            if tech == "pumped_hydro":
                continue  # split below
            meth = (
                f"median of China-specific sources for {lt} ({'; '.join(r20 if y == 2020 else r30)})"
                if y != 2025
                else f"linear interpolation 2020 ({v20:.0f}) - 2030 ({v30:.0f})"
            )
            if tech == "gas":
                meth += "; Zhu et al. 'gas' plant type not stated (taken as CCGT); DEA CCGT 880 EUR/kW not used (European cost level)"
            add(tech, y, "capex_power", v, "CNY2020/kW", lit_src, y == 2025, meth + "; " + fx)

    # Pumped hydro: Zhu et al. per-kW station cost split into power and energy parts
    psh_energy_share, psh_hours = const("pumped_hydro_energy_cost_share"), const("pumped_hydro_typical_hours")
    for y in (2020, 2025, 2030):
        total = capex[("pumped_hydro", y)]
        add(
            "pumped_hydro",
            y,
            "capex_power",
            total * (1 - psh_energy_share),
            "CNY2020/kW",
            lit_src,
            True,
            f"Zhu et al. station cost {total:.0f} CNY/kW (typical {psh_hours:.0f} h) x {1 - psh_energy_share:.1f}; "
            "power/energy split is an assumption of this build",
        )
        add(
            "pumped_hydro",
            y,
            "capex_energy",
            total * psh_energy_share / psh_hours,
            "CNY2020/kWh",
            lit_src,
            True,
            f"Zhu et al. station cost {total:.0f} CNY/kW x {psh_energy_share:.1f} / {psh_hours:.0f} h; split is an assumption",
        )

    # FOM (% of capex), lifetime, efficiency/heat rate from PyPSA-China-PIK defaults
    pmap = dict(zip(keys["tech"], keys["pypsa_technology"], strict=True))
    for tech, pt in pmap.items():
        for y in (2020, 2025, 2030):
            fom_pct, fsrc = pcv(y, pt, "FOM")
            base = capex[(tech, y)]
            add(
                tech,
                y,
                "fom",
                base * fom_pct / 100,
                "CNY2020/kW/yr",
                pc_src.format(y=y) + f" [{fsrc}]",
                False,
                f"FOM {fom_pct}%/yr of capex ({base:.0f} CNY2020/kW)",
            )
            life, lsrc = pcv(y, pt, "lifetime")
            add(tech, y, "lifetime", life, "yr", pc_src.format(y=y) + f" [{lsrc}]", False, "as given")
            if tech in ("coal", "gas"):
                eff, esrc = pcv(y, pt, "efficiency")
                add(
                    tech,
                    y,
                    "heat_rate",
                    1e3 / (eff * MWH_TH_PER_TCE),
                    "gce/kWh",
                    pc_src.format(y=y) + f" [{esrc}]",
                    False,
                    f"heat rate = 1e3 / (efficiency {eff:.4f} x {MWH_TH_PER_TCE:.3f} kWh/kgce); new-build plant",
                )
            if tech == "pumped_hydro":
                eff, esrc = pcv(y, pt, "efficiency")
                add(
                    tech,
                    y,
                    "efficiency",
                    eff,
                    "fraction",
                    pc_src.format(y=y) + f" [{esrc}]",
                    False,
                    "round trip",
                )

    # Battery (Li-ion): energy capex from LBNL (CNY/kWh), power capex from DEA inverter
    for y in (2020, 2025, 2030):
        e20 = const("battery_capex_energy", 2020)
        e30 = const("battery_capex_energy", 2030)
        ev = {2020: e20, 2030: e30}.get(y, (e20 + e30) / 2)
        add(
            "battery",
            y,
            "capex_energy",
            ev,
            "CNY2020/kWh",
            lit_src + " [LBNL 2023: Achieving an 80% carbon-free electricity system in China by 2035]",
            y == 2025,
            "LBNL battery storage CNY/kWh" + ("; 2025 interpolated" if y == 2025 else ""),
        )
        inv, isrc = pcv(y, "battery inverter", "investment")
        add(
            "battery",
            y,
            "capex_power",
            inv * EUR_CNY_2020,
            "CNY2020/kW",
            pc_src.format(y=y) + f" [{isrc}]",
            False,
            f"DEA battery inverter {inv} EUR/kW x {EUR_CNY_2020}; " + fx,
        )
        fom_pct, fsrc = pcv(y, "battery inverter", "FOM")
        add(
            "battery",
            y,
            "fom",
            inv * EUR_CNY_2020 * fom_pct / 100,
            "CNY2020/kW/yr",
            pc_src.format(y=y) + f" [{fsrc}]",
            False,
            f"inverter FOM {fom_pct}%/yr of inverter capex",
        )
        eff, esrc = pcv(y, "battery inverter", "efficiency")
        add(
            "battery",
            y,
            "efficiency",
            eff * eff,
            "fraction",
            pc_src.format(y=y) + f" [{esrc}]",
            False,
            f"round trip = inverter efficiency {eff} squared (charge and discharge)",
        )
        life, lsrc = pcv(y, "battery storage", "lifetime")
        add(
            "battery",
            y,
            "lifetime",
            life,
            "yr",
            pc_src.format(y=y) + f" [{lsrc}]",
            False,
            "battery storage (cells) lifetime; inverter lifetime 10 yr in the same source",
        )

    # Coal flexibility retrofit: no source found in this pass
    for y in (2020, 2025, 2030):
        add(
            "coal_flex_retrofit",
            y,
            "capex_power",
            const("coal_flex_retrofit_capex"),
            "CNY2020/kW",
            "no public figure retrieved in this build; order of magnitude of Chinese reports on the "
            "2021 NDRC/NEA 'three retrofits' (煤电机组改造升级实施方案, 发改运行〔2021〕1519号)",
            True,
            "assumption: ~1000 CNY per kW of added regulating range (min-load cut), constant over time; "
            "replace with a sourced figure",
        )
        add(
            "coal_flex_retrofit",
            y,
            "lifetime",
            const("coal_flex_retrofit_lifetime"),
            "yr",
            "assumption of this build",
            True,
            "assumed economic life of a retrofit",
        )
    return finish(rows, ["tech", "year", "parameter", "value", "unit"])
