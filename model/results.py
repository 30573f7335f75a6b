"""Results of a run: tidy tables, zone aggregates, a summary, Parquet and IAMC output."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import zonesim
from zonesim.units import TEN_K_PER_BN

# variables summed over cities to zone and all-zone totals; intensities are recomputed
ADDITIVE_PREFIXES = (
    "base_",
    "gdp_",
    "final_",
    "feedstock_",
    "power_",
    "nonfossil_primary",
    "net_import",
    "energy_",
    "coal_tce",
    "co2_t",
    "co2_import",
    "cap_",
    "capex_",
    "cost_",
)

UNITS = {
    "gdp_bn": "bn CNY2020",
    "energy_intensity_tce_per_10k": "tce/10k CNY2020",
    "co2_intensity_t_per_10k": "tCO2/10k CNY2020",
    "coal_share": "1",
    "nonfossil_share": "1",
    "intensity_change_pct": "%",
    "intensity_target_pct": "%",
}


def unit_of(variable: str) -> str:
    """Unit of a pathway variable, from its name's suffix."""
    if variable in UNITS:
        return UNITS[variable]
    for suffix, unit in (
        ("_tce", "tce"),
        ("_mwh", "MWh"),
        ("_mw", "MW"),
        ("_t", "tCO2"),
        ("_bn", "bn CNY2020"),
    ):
        if variable.endswith(suffix):
            return unit
    return ""


@dataclass
class Results:
    """Tables of one run, each stamped with scenario hash, seed, data and code version."""

    pathways: pd.DataFrame  # one row per city-year, wide
    investments: pd.DataFrame  # city, year, tech, planned_mw, built_mw
    plans: pd.DataFrame  # city, year, planner status, slack and marginal cost per target
    stamp: dict[str, Any] = field(default_factory=dict)

    # ----------------------------------------------------------------- views
    def zones(self) -> pd.DataFrame:
        """Zone totals per year (additive variables summed; intensities recomputed)."""
        df = self.pathways.dropna(subset=["zone_id"])
        add = [c for c in df.columns if c.startswith(ADDITIVE_PREFIXES) and df[c].dtype.kind == "f"]
        z = df.groupby(["zone_id", "year"], as_index=False)[add].sum()
        z["energy_intensity_tce_per_10k"] = z["energy_counted_intensity_tce"] / (z["gdp_bn"] * TEN_K_PER_BN)
        z["co2_intensity_t_per_10k"] = z["co2_t"] / (z["gdp_bn"] * TEN_K_PER_BN)
        # the base year measured under each year's accounting rule (base_* columns per city-year)
        base_intensity = z["base_counted_intensity_tce"] / (z["base_gdp_bn"] * TEN_K_PER_BN)
        z["intensity_change_pct"] = 100 * (z["energy_intensity_tce_per_10k"] / base_intensity - 1)
        # the zone's target in each year: its cities' targets weighted by their GDP that year
        weighted = (df["intensity_target_pct"] * df["gdp_bn"]).groupby([df["zone_id"], df["year"]]).sum()
        gdp = df.groupby(["zone_id", "year"])["gdp_bn"].sum()
        tgt = (weighted / gdp).rename("intensity_target_pct").reset_index()
        z = z.drop(columns="intensity_target_pct", errors="ignore").merge(tgt, on=["zone_id", "year"])
        z["coal_share"] = z["coal_tce"] / z["energy_total_tce"]
        z["nonfossil_share"] = z["nonfossil_primary_tce"] / z["energy_total_tce"]
        return z

    def summary(self) -> pd.DataFrame:
        """Per-zone final-year table against the 2025 targets."""
        z = self.zones()
        last = z[z["year"] == z["year"].max()].copy()
        rat = self.pathways[self.pathways["year"] == last["year"].max()]
        rating = rat.groupby("zone_id")["rating"].first() if "rating" in rat else None
        out = pd.DataFrame(
            {
                "zone": last["zone_id"],
                "GDP bn": last["gdp_bn"].round(0),
                "energy Mtce": (last["energy_total_tce"] / 1e6).round(1),
                "intensity chg %": last["intensity_change_pct"].round(1),
                "target %": last["intensity_target_pct"].round(1),
                "gap pp": (last["intensity_change_pct"] - last["intensity_target_pct"])
                .clip(lower=0)
                .round(1),
                "coal share": last["coal_share"].round(2),
                "non-fossil share": last["nonfossil_share"].round(2),
                "CO2 Mt": (last["co2_t"] / 1e6).round(1),
            }
        )
        out["met"] = out["gap pp"] <= 0
        # how far a met target is beaten (0 when missed): headroom is shown, not hidden by the clip
        out["headroom pp"] = (
            (last["intensity_target_pct"] - last["intensity_change_pct"]).clip(lower=0).round(1).to_numpy()
        )
        if rating is not None:
            out["rating"] = out["zone"].map(rating)
        return out.reset_index(drop=True)

    def long(self) -> pd.DataFrame:
        """Pathways in long form: city, zone, year, variable, value, unit."""
        num = [c for c in self.pathways.columns if self.pathways[c].dtype.kind in "fi" and c != "year"]
        df = self.pathways.melt(id_vars=["city_id", "zone_id", "year"], value_vars=num, var_name="variable")
        df["unit"] = df["variable"].map(unit_of)
        return df

    def to_iamc(self) -> pd.DataFrame:
        """Pathways in the IAMC format (common-definitions names and units; cities, zones and
        "All zones"); see :mod:`zonesim.iamc`."""
        from zonesim import iamc

        return iamc.to_iamc(self)

    # ------------------------------------------------------------------ output
    def write(self, out: str | Path, iamc: bool = False) -> list[Path]:
        """Write every table as Parquet (atomically: temporary file, then rename); with ``iamc``
        also ``iamc.xlsx`` and ``iamc.csv`` (+ ``iamc_meta.csv``), which ``pyam.IamDataFrame`` opens."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        tables = {
            "pathways": self.pathways,
            "zones": self.zones(),
            "investments": self.investments,
            "plans": self.plans,
        }
        written = []
        if iamc:
            from zonesim import iamc as iamc_format

            written += iamc_format.write(self, out / "iamc.xlsx")
            written += iamc_format.write(self, out / "iamc.csv")
        for name, df in tables.items():
            df = df.copy()
            df.attrs = {}
            for key, value in self.stamp.items():
                df[key] = value
            written.append(_atomic_parquet(df, out / f"{name}.parquet"))
        stamp = out / "stamp.json"
        _atomic_text(json.dumps(self.stamp, indent=2, sort_keys=True), stamp)
        written.append(stamp)
        return written

    @classmethod
    def read(cls, out: str | Path) -> Results:
        """Read tables written by :meth:`write`."""
        out = Path(out)
        stamp = json.loads((out / "stamp.json").read_text())
        drop = list(stamp)
        tables = {
            n: pd.read_parquet(out / f"{n}.parquet").drop(columns=drop, errors="ignore")
            for n in ("pathways", "investments", "plans")
        }
        return cls(stamp=stamp, **tables)


def _atomic_parquet(df: pd.DataFrame, path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        df.to_parquet(tmp, index=False)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _atomic_text(text: str, path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.replace(tmp, path)
    return path


def code_version() -> str:
    """Package version plus the git commit when run from a checkout."""
    version = zonesim.__version__
    head = Path(__file__).resolve().parents[1] / ".git" / "HEAD"
    try:
        ref = head.read_text().strip()
        if ref.startswith("ref: "):
            ref = (head.parent / ref[5:]).read_text().strip()
        version += f"+{ref[:10]}"
    except OSError:
        pass
    return version
