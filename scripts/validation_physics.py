"""Figures of docs/validation-physics.md, from real runs (issue 11).

    python scripts/validation_physics.py run OUT [--end YEAR] [SCENARIO ...]   # writes OUT/<name>/*.parquet
    python scripts/validation_physics.py report BEFORE AFTER       # markdown tables on stdout

``run`` uses whichever ``zonesim`` is importable, so the same script measures the code before
a change (a checkout on PYTHONPATH) and after it. ``report`` reads only the Parquet tables.
"""

from __future__ import annotations

import sys
import time
from functools import cache
from pathlib import Path

import pandas as pd

SCENARIOS = ("baseline", "pv_storage", "coal_reduction", "capacity_retirement", "carbon_price", "combined")
FOSSIL = ("coal", "gas", "other")


def run(out: Path, names: list[str], end: int | None = None) -> None:
    """Run each scenario (its shipped file; ``end``: horizon end year instead of the file's)
    and keep pathways, investments and plans."""
    import zonesim
    from zonesim.data import load
    from zonesim.scenario import load_scenario

    base = load()
    for name in names:
        t0 = time.perf_counter()
        over = {} if end is None else {"horizon": {"start_year": 2020, "end_year": end}}
        res = zonesim.run(load_scenario(f"scenarios/{name}.yaml", **over), base=base)
        d = out / name
        d.mkdir(parents=True, exist_ok=True)
        res.pathways.to_parquet(d / "pathways.parquet")
        res.investments.to_parquet(d / "investments.parquet")
        res.plans.to_parquet(d / "plans.parquet")
        print(f"{name}: {time.perf_counter() - t0:.0f} s", file=sys.stderr)


def _co2_incl_imports(p: pd.DataFrame) -> pd.Series:
    if "co2_incl_imports_t" in p:
        return p["co2_incl_imports_t"]
    return p["co2_t"] + p["co2_import_t"]


@cache
def _pathways(d: Path, name: str) -> pd.DataFrame | None:
    """A run's pathways with ``co2_incl_imports`` (read once per run; callers do not modify it),
    or None when the run is not there."""
    f = d / name / "pathways.parquet"
    if not f.exists():
        return None
    p = pd.read_parquet(f)
    p["co2_incl_imports"] = _co2_incl_imports(p)
    return p


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
        p = _pathways(d, name)
        if p is None:
            continue
        storage = [c for c in p.columns if c.startswith("cap_storage_")]
        for year in (p["year"].min(), p["year"].max()):
            y = p[p["year"] == year]
            rows.append(
                {
                    "scenario": name,
                    "year": int(year),
                    "coal_Mtce": y["coal_tce"].sum() / 1e6,
                    "co2_territorial_Mt": y["co2_t"].sum() / 1e6,
                    "co2_incl_imports_Mt": y["co2_incl_imports"].sum() / 1e6,
                    "pv_GW": y.get("cap_solar_mw", pd.Series(0.0)).sum() / 1e3,
                    "storage_GW": y[storage].fillna(0).to_numpy().sum() / 1e3 if storage else 0.0,
                    "coal_capacity_GW": y["cap_coal_mw"].sum() / 1e3,
                    "net_import_TWh": y["net_import_mwh"].sum() / 1e6,
                }
            )
    return pd.DataFrame(rows)


def coal_hours(p: pd.DataFrame) -> pd.DataFrame:
    """Base-year coal utilisation per province of the zone cities (coal burnt / heat rate /
    capacity) against utilisation_hours.csv, and the range over cities."""
    from zonesim.data import load

    base = load()
    b = p[p["year"] == p["year"].min()].set_index("city_id")
    u = base.power_units
    u = u[(u["tech"] == "coal") & u["heat_rate_gce_per_kwh"].notna()]
    hr = u.groupby("city_id").apply(
        lambda g: (g["heat_rate_gce_per_kwh"] * g["capacity_mw"]).sum() / g["capacity_mw"].sum() / 1e3
    )
    uh = base.tables["utilisation_hours"]
    stat = uh[(uh["year"] == 2020) & (uh["variable"] == "coal_unit_utilisation_hours")].set_index("region")[
        "value"
    ]
    prov = base.cities.set_index("city_id")["province_code"]
    rows = []
    for cid, r in b.iterrows():
        if r.get("cap_coal_mw", 0) > 0 and cid in hr.index:
            rows.append((prov[cid], cid, r["power_coal_tce"] / hr[cid], r["cap_coal_mw"]))
    df = pd.DataFrame(rows, columns=["province", "city", "mwh", "mw"])
    df["hours"] = df["mwh"] / df["mw"]
    g = df.groupby("province")
    out = pd.DataFrame(
        {
            "model_h": g["mwh"].sum() / g["mw"].sum(),
            "published_h": stat.reindex(g.size().index),
            "city_min_h": g["hours"].min(),
            "city_max_h": g["hours"].max(),
        }
    )
    out["deviation_pct"] = 100 * (out["model_h"] / out["published_h"] - 1)
    return out


def negative_residual(p: pd.DataFrame) -> pd.Series:
    """Base-year residual where the model burns more than the city's statistics hold."""
    b = p[p["year"] == p["year"].min()]
    neg = b[b["co2_other_t"] < 0]
    return pd.Series(
        {
            "cities with negative CO2 residual": len(neg),
            "negative CO2 residual, Mt": neg["co2_other_t"].sum() / 1e6,
            "positive CO2 residual, Mt": b.loc[b["co2_other_t"] > 0, "co2_other_t"].sum() / 1e6,
            "negative energy residual, Mtce": b.loc[b["other_tce"] < 0, "other_tce"].sum() / 1e6,
            "positive energy residual, Mtce": b.loc[b["other_tce"] > 0, "other_tce"].sum() / 1e6,
        }
    )


def trade_steps(p: pd.DataFrame) -> pd.DataFrame:
    """Largest year-on-year change of each city's net import as a share of its demand."""
    p = p.sort_values(["city_id", "year"])
    p["step"] = p.groupby("city_id")["net_import_mwh"].diff().abs() / p["final_electricity_mwh"]
    return p.dropna(subset=["step"]).groupby("city_id")["step"].max().sort_values(ascending=False)


def _zone_last(d: Path, name: str) -> pd.DataFrame | None:
    """Per zone, last year: the quantities of the direction checks."""
    p = _pathways(d, name)
    if p is None:
        return None
    y = p[p["year"] == p["year"].max()].copy()
    storage = [c for c in y.columns if c.startswith("cap_storage_")]
    y["storage"] = y[storage].fillna(0).sum(axis=1) if storage else 0.0
    y["pv"] = y.get("cap_solar_mw", 0.0)
    cols = ["coal_tce", "co2_t", "co2_incl_imports", "pv", "storage", "cap_coal_mw"]
    return y.groupby("zone_id")[cols].sum()


def _zone_cumulative(d: Path, name: str) -> pd.DataFrame | None:
    """Per zone, CO2 summed over the simulated years after the base year."""
    p = _pathways(d, name)
    if p is None:
        return None
    p = p[p["year"] > p["year"].min()]
    return p.groupby("zone_id")[["co2_t", "co2_incl_imports"]].sum()


def zone_checks(d: Path) -> pd.DataFrame:
    """Lever directions per zone in the last year (tolerance 1e-6 relative: solver noise)."""
    z = {n: _zone_last(d, n) for n in SCENARIOS}
    b = z["baseline"]
    checks = [
        ("pv_storage: PV >= baseline", "pv_storage", "pv", "ge", b),
        ("pv_storage: storage >= baseline", "pv_storage", "storage", "ge", b),
        ("pv_storage: CO2 territorial <= baseline", "pv_storage", "co2_t", "le", b),
        ("pv_storage: CO2 with imports <= baseline", "pv_storage", "co2_incl_imports", "le", b),
        ("coal_reduction: coal < baseline", "coal_reduction", "coal_tce", "lt", b),
        ("capacity_retirement: coal capacity <= baseline", "capacity_retirement", "cap_coal_mw", "le", b),
        ("carbon_price: CO2 with imports <= baseline", "carbon_price", "co2_incl_imports", "le", b),
        ("carbon_price: CO2 territorial <= baseline", "carbon_price", "co2_t", "le", b),
    ]
    for other in ("pv_storage", "coal_reduction", "capacity_retirement", "carbon_price"):
        label = f"combined: CO2 with imports <= {other}"
        checks.append((label, "combined", "co2_incl_imports", "le", z[other]))
    cum = {n: _zone_cumulative(d, n) for n in ("baseline", "carbon_price")}
    if cum["carbon_price"] is not None:
        z["carbon_price (all years)"] = cum["carbon_price"]
        checks.append(
            (
                "carbon_price: CO2 with imports summed over the years <= baseline",
                "carbon_price (all years)",
                "co2_incl_imports",
                "le",
                cum["baseline"],
            )
        )
    rows = []
    for label, name, col, op, ref in checks:
        if z.get(name) is None or ref is None:
            continue
        a, r = z[name][col], ref[col]
        tol = 1e-6 * r.abs()
        ok = {"ge": a >= r - tol, "le": a <= r + tol, "lt": a < r}[op]
        fail = ", ".join(f"{i} ({100 * (a[i] / r[i] - 1):+.2f} %)" for i in ok.index[~ok]) or "-"
        rows.append({"check": label, "zones holding": f"{int(ok.sum())}/{len(ok)}", "zones failing": fail})
    return pd.DataFrame(rows).set_index("check")


def zone_change(before: Path, after: Path, name: str = "baseline") -> pd.DataFrame:
    """Per zone, last year: coal and net import before and after (what the prices moved)."""
    out = {}
    for label, d in (("before", before), ("after", after)):
        p = _pathways(d, name)
        if p is None:
            return pd.DataFrame()
        y = p[p["year"] == p["year"].max()]
        g = y.groupby("zone_id")
        out[f"coal_Mtce_{label}"] = g["coal_tce"].sum() / 1e6
        out[f"net_import_TWh_{label}"] = g["net_import_mwh"].sum() / 1e6
        out[f"co2_incl_imports_Mt_{label}"] = g["co2_incl_imports_t"].sum() / 1e6
    df = pd.DataFrame(out)
    df.loc["all zones"] = df.sum()
    df["coal_change_pct"] = 100 * (df["coal_Mtce_after"] / df["coal_Mtce_before"] - 1)
    df["net_import_change_TWh"] = df["net_import_TWh_after"] - df["net_import_TWh_before"]
    return df


def _md(df: pd.DataFrame, floatfmt: str = ".3g") -> str:
    """A Markdown table (no tabulate dependency)."""
    names = [str(n) if n is not None else "" for n in (df.index.names or [""])]
    head = [" / ".join(names)] + [str(c) for c in df.columns]

    def cell(v) -> str:
        if isinstance(v, float):
            return format(v, floatfmt)
        return str(v)

    rows = [
        [" / ".join(map(str, i)) if isinstance(i, tuple) else str(i)] + [cell(v) for v in r]
        for i, r in zip(df.index, df.itertuples(index=False), strict=True)
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def report(before: Path, after: Path) -> None:
    for label, d in (("before", before), ("after", after)):
        p = _pathways(d, "baseline")
        if p is not None:
            print(f"\n### Base-year residual by zone ({label})\n")
            print(_md(base_year(p), ".3f"))
            print(f"\n### Residual signs ({label})\n")
            print(_md(negative_residual(p).to_frame(label), ".1f"))
            print(f"\n### Base-year coal hours by province ({label})\n")
            print(_md(coal_hours(p), ".0f"))
            for name in SCENARIOS:
                q = _pathways(d, name)
                if q is not None:
                    st = trade_steps(q)
                    print(f"- {name}: largest net-import step {st.max():.3f} of demand ({st.idxmax()})")
        if _pathways(d, "combined") is not None:
            print(f"\n### Direction checks per zone ({label})\n")
            print(_md(zone_checks(d)))
        print(f"\n### Levers ({label})\n")
        t = lever_table(d, list(SCENARIOS))
        if t.empty:
            continue
        print(_md(t.set_index(["scenario", "year"]), ".4g"))
        last = t[t["year"] == t["year"].max()].set_index("scenario").drop(columns="year")
        if "baseline" in last.index:
            print(f"\nChange against the baseline in {int(t['year'].max())} ({label}):\n")
            print(_md((last - last.loc["baseline"]).drop(index="baseline"), ".3g"))


def report_prices(before: Path, after: Path) -> None:
    """The coal price and tariff paths of the zone provinces, and the baseline per zone
    before and after (coal, net import, CO2 with imports)."""
    from zonesim.data import load
    from zonesim.planner import prices

    base = load()
    provinces = sorted(base.cities.loc[base.cities["zone_id"].notna(), "province_code"].unique())
    t = prices.table(base, provinces, [2020, 2021, 2022, 2025, 2030])
    wide = t.pivot_table(index=["province", "coal_basis"], columns="year", values="coal_cny_per_tce")
    wide["tariff_cny_per_mwh"] = t.groupby(["province", "coal_basis"])["tariff_cny_per_mwh"].first()
    print("\n### Coal price paths (CNY/tce) and tariffs (CNY/MWh) the planners see\n")
    print(_md(wide, ".1f"))
    print("\n### Baseline per zone, before and after\n")
    print(_md(zone_change(before, after), ".1f"))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "run":
        args = sys.argv[3:]
        end = None
        if args[:1] == ["--end"]:
            end, args = int(args[1]), args[2:]
        run(Path(sys.argv[2]), args or list(SCENARIOS), end)
    elif cmd == "report":
        report(Path(sys.argv[2]), Path(sys.argv[3]))
        report_prices(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        raise SystemExit(__doc__)
