"""Figures of docs/validation-physics.md, from real runs (issue 11).

    python scripts/validation_physics.py run OUT [SCENARIO ...]   # runs, writes OUT/<name>/*.parquet
    python scripts/validation_physics.py report BEFORE AFTER       # markdown tables on stdout

``run`` uses whichever ``zonesim`` is importable, so the same script measures the code before
a change (a checkout on PYTHONPATH) and after it. ``report`` reads only the Parquet tables.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd

SCENARIOS = ("baseline", "pv_storage", "coal_reduction", "capacity_retirement", "carbon_price", "combined")
FOSSIL = ("coal", "gas", "other")


def run(out: Path, names: list[str]) -> None:
    """Run each scenario (its shipped file) and keep pathways, investments and plans."""
    import zonesim
    from zonesim.data import load

    base = load()
    for name in names:
        t0 = time.perf_counter()
        res = zonesim.run(f"scenarios/{name}.yaml", base=base)
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        res.pathways.to_parquet(d / "pathways.parquet")
        res.investments.to_parquet(d / "investments.parquet")
        res.plans.to_parquet(d / "plans.parquet")
        print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def _co2_with_imports(p: pd.DataFrame) -> pd.Series:
    if "co2_with_imports_t" in p:
        return p["co2_with_imports_t"]
    return p["co2_t"] + p["co2_import_t"]


def base_year(p: pd.DataFrame) -> pd.DataFrame:
    """Per zone: residual share of energy and CO2 in the base year (other / total)."""
    b = p[p["year"] == p["year"].min()].copy()
    b["zone"] = b["zone_id"].fillna("(associated)")
    g = b.groupby("zone")
    out = pd.DataFrame(
        {
            "energy_Mtce": g["energy_total_tce"].sum() / 1e6,
            "residual_energy_share": g["other_tce"].sum() / g["energy_total_tce"].sum(),
            "co2_Mt": g["co2_t"].sum() / 1e6,
            "residual_co2_share": g["co2_other_t"].sum() / g["co2_t"].sum(),
        }
    )
    tot = pd.DataFrame(
        {
            "energy_Mtce": [b["energy_total_tce"].sum() / 1e6],
            "residual_energy_share": [b["other_tce"].sum() / b["energy_total_tce"].sum()],
            "co2_Mt": [b["co2_t"].sum() / 1e6],
            "residual_co2_share": [b["co2_other_t"].sum() / b["co2_t"].sum()],
        },
        index=["all zones"],
    )
    return pd.concat([out, tot])


def lever_table(d: Path, names: list[str]) -> pd.DataFrame:
    """Totals of every city in 2020 and 2025 per scenario, and the 2025 change vs baseline."""
    rows = []
    for name in names:
        f = d / name / "pathways.parquet"
        if not f.exists():
            continue
        p = pd.read_parquet(f)
        p["co2_with_imports"] = _co2_with_imports(p)
        storage = [c for c in p.columns if c.startswith("cap_storage_")]
        for year in (p["year"].min(), p["year"].max()):
            y = p[p["year"] == year]
            rows.append(
                {
                    "scenario": name,
                    "year": int(year),
                    "coal_Mtce": y["coal_tce"].sum() / 1e6,
                    "co2_territorial_Mt": y["co2_t"].sum() / 1e6,
                    "co2_with_imports_Mt": y["co2_with_imports"].sum() / 1e6,
                    "pv_GW": y.get("cap_solar_mw", pd.Series(0.0)).sum() / 1e3,
                    "storage_GW": y[storage].fillna(0).to_numpy().sum() / 1e3 if storage else 0.0,
                    "coal_capacity_GW": y["cap_coal_mw"].sum() / 1e3,
                    "net_import_TWh": y["net_import_mwh"].sum() / 1e6,
                }
            )
    return pd.DataFrame(rows)


def trade_steps(p: pd.DataFrame) -> pd.DataFrame:
    """Largest year-on-year change of each city's net import as a share of its demand."""
    p = p.sort_values(["city_id", "year"])
    p["step"] = p.groupby("city_id")["net_import_mwh"].diff().abs() / p["final_electricity_mwh"]
    return p.dropna(subset=["step"]).groupby("city_id")["step"].max().sort_values(ascending=False)


def _md(df: pd.DataFrame, floatfmt: str = ".3g") -> str:
    return df.to_markdown(floatfmt=floatfmt)


def report(before: Path, after: Path) -> None:
    for label, d in (("before", before), ("after", after)):
        f = d / "baseline" / "pathways.parquet"
        if f.exists():
            print(f"\n### Base-year residual by zone ({label})\n")
            print(_md(base_year(pd.read_parquet(f)), ".3f"))
            steps = trade_steps(pd.read_parquet(f))
            print(f"\nLargest year-on-year change of net import / demand ({label}): ")
            print(_md(steps.head(5).to_frame("max_step"), ".3f"))
        print(f"\n### Levers ({label})\n")
        print(_md(lever_table(d, list(SCENARIOS)), ".4g"))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        run(Path(sys.argv[2]), sys.argv[3:] or list(SCENARIOS))
    elif cmd == "report":
        report(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
