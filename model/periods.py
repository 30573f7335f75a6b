"""Five-year periods: each has its own base year, target year, binding indicator and targets.

2021-2025 (14th Five-Year Plan) is energy dual control: energy intensity against 2020 binds.
2026-2030 (15th) is carbon dual control: CO2 intensity against 2025 binds, total CO2 guides,
and the 2030 commitments add a non-fossil share (``period_targets.csv``, SOURCES-periods.md).
The periods themselves are read from the national binding rows of that table.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from zonesim.data import BaseYear

BINDING = {"2021-2025": "energy_intensity_reduction", "2026-2030": "co2_intensity_reduction"}
"""The binding intensity indicator of each period (energy dual control, then carbon dual control)."""


@dataclass(frozen=True)
class Period:
    """A five-year period: name, base year, target year and its binding indicator."""

    name: str
    base_year: int
    target_year: int
    binding: str

    def contains(self, year: int) -> bool:
        return self.base_year < year <= self.target_year


def periods(base: BaseYear) -> tuple[Period, ...]:
    """The periods of ``period_targets.csv``, in time order."""
    table = base.tables["period_targets"]
    nat = table[(table["scope"] == "national") & (table["qualifier"] == "binding")]
    out = []
    for name, indicator in BINDING.items():
        row = nat[(nat["period"] == name) & (nat["indicator"] == indicator)]
        if row.empty:
            raise KeyError(f"period_targets.csv has no national binding {indicator} for {name}")
        r = row.iloc[0]
        out.append(Period(name, int(r["base_year"]), int(r["target_year"]), indicator))
    return tuple(out)


def period_of(ps: tuple[Period, ...], year: int) -> Period:
    """The period ``year`` belongs to (the last one for later years, the first for earlier)."""
    for p in ps:
        if p.contains(year):
            return p
    return ps[-1] if year > ps[-1].target_year else ps[0]


_CITY_TARGETS: dict[int, tuple[pd.DataFrame, dict]] = {}


def city_targets(base: BaseYear, city_id: str, period: str) -> dict[str, float]:
    """The city's targets of ``period`` by indicator (percent; the period's target year); the
    table is indexed once per loaded data (every city-year asks)."""
    t = base.tables["period_targets"]
    held = _CITY_TARGETS.get(id(t))
    if held is None or held[0] is not t:
        rows = t[t["scope"] == "city"]
        index: dict = {}
        for r in rows.itertuples():
            index.setdefault((r.region, r.period), {})[r.indicator] = float(r.value)
        if len(_CITY_TARGETS) > 8:
            _CITY_TARGETS.clear()
        held = _CITY_TARGETS[id(t)] = (t, index)
    return dict(held[1].get((city_id, period), {}))


INDICATORS = (
    # (period, indicator, label, how the outcome is measured)
    ("2021-2025", "energy_intensity", "energy intensity chg % vs 2020", "binding"),
    ("2021-2025", "co2_intensity", "CO2 intensity (incl. imports) chg % vs 2020", "binding"),
    ("2026-2030", "co2_intensity", "CO2 intensity (incl. imports) chg % vs 2025", "binding"),
    ("2026-2030", "co2_total", "CO2 (incl. imports) chg % vs 2025", "guiding"),
    ("2026-2030", "nonfossil_share", "non-fossil share %", "commitment"),
)


def period_summary(zones: pd.DataFrame, pathways: pd.DataFrame, ps: tuple[Period, ...]) -> pd.DataFrame:
    """Per zone, period and target: target, outcome, gap (pp; negative = headroom) and rating.

    ``zones`` are the zone totals per year (:meth:`zonesim.results.Results.zones`); a period
    is reported when the run reaches its target year. Zone targets are their cities' targets
    weighted by GDP; intensities and shares are recomputed from zone totals.
    """
    last = int(pathways["year"].max())
    df = pathways.dropna(subset=["zone_id"])
    gdp = df.groupby(["zone_id", "year"])["gdp_bn"].sum()

    def weighted(col: str) -> pd.Series:
        return (df[col] * df["gdp_bn"]).groupby([df["zone_id"], df["year"]]).sum(min_count=1) / gdp

    targets = {  # zone targets per year, each column weighted once
        "energy_intensity": weighted("intensity_target_pct"),
        "co2_intensity": weighted("co2_intensity_target_pct"),
        "co2_total": weighted("co2_total_target_pct"),
        "nonfossil_share": 100 * weighted("nonfossil_share_target"),
    }
    z = zones.set_index(["zone_id", "year"])
    # CO2 including imported electricity at its grid's factor (as the periods' columns count it)
    co2 = z["co2_incl_imports_t"] if "co2_incl_imports_t" in z else z["co2_t"]
    co2_int = co2 / z["gdp_bn"]
    rating = None
    if "rating" in df:
        rated = df.dropna(subset=["rating"])
        rating = rated.groupby(["zone_id", "year"])["rating"].agg(lambda r: r.mode().iloc[0])
    rows = []
    for p in ps:
        if p.target_year > last:
            continue
        y0, y1 = p.base_year, p.target_year
        for zone in sorted(z.index.get_level_values(0).unique()):
            co2_series = co2.loc[zone]
            outcome = {
                "energy_intensity": z.loc[(zone, y1), "intensity_change_pct"],
                "co2_intensity": 100 * (co2_int[(zone, y1)] / co2_int[(zone, y0)] - 1),
                "co2_total": 100 * (co2_series[y1] / co2_series[y0] - 1),
                "nonfossil_share": 100 * z.loc[(zone, y1), "nonfossil_share"],
            }
            target = {key: targets[key].get((zone, y1)) for key in targets}
            peak = int(co2_series.loc[:y1].idxmax())
            for period, key, label, kind in INDICATORS:
                if period != p.name:
                    continue
                t, o = target[key], float(outcome[key])
                higher_is_better = key == "nonfossil_share"
                gap = (t - o if higher_is_better else o - t) if pd.notna(t) else float("nan")
                rows.append(
                    {
                        "zone": zone,
                        "period": p.name,
                        "indicator": label,
                        "kind": kind,
                        "target": t,
                        "outcome": o,
                        "gap_pp": gap,
                        "met": bool(gap <= 0) if pd.notna(gap) else None,
                        "co2_peak_year": peak if p.name == "2026-2030" else None,
                        "rating": rating.get((zone, y1)) if rating is not None else None,
                    }
                )
    return pd.DataFrame(rows)


def printable(summary: pd.DataFrame) -> str:
    """The period summary as text: one block per period, one line per zone."""
    blocks = []
    for period, df in summary.groupby("period", sort=True):
        parts = []
        for label in df["indicator"].unique():
            sub = df[df["indicator"] == label].set_index("zone")
            parts.append(
                pd.DataFrame(
                    {
                        (label, "outcome"): sub["outcome"].round(1),
                        (label, "target"): sub["target"].round(1),
                        (label, "gap pp"): sub["gap_pp"].round(1),
                    }
                )
            )
        table = pd.concat(parts, axis=1)
        first = df.drop_duplicates("zone").set_index("zone")
        binding = df[df["kind"] == "binding"].groupby("zone")["met"].all()
        table[("binding targets", "met")] = binding
        table[("rating", "")] = first["rating"]
        if period == "2026-2030":
            table[("CO2 peak", "year")] = first["co2_peak_year"].astype("Int64")
        blocks.append(f"{period} (gap > 0: missed by; < 0: headroom)\n" + table.to_string())
    return "\n\n".join(blocks)
