"""Results of a run: tidy tables, zone aggregates, a summary, Parquet and IAMC output.

Output safety: :func:`prepare_output` checks the output folder (a folder, writable, holding
nothing but an earlier run's files) before a run starts; :meth:`Results.write` writes every
file atomically with mode 0666 & ~umask (0644 under the usual umask 022), removes the files an
earlier run wrote there that this run does not write, and lists what it wrote in
``manifest.json``. A scenario name becomes a folder only through :func:`slug`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import zonesim
from zonesim.units import MEGA, TEN_K_PER_BN

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
    "co2_incl_imports",
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
    # values the numerics guards clipped (zonesim.guards): city, year, variable, value, clipped_to, reason
    warnings: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=WARNING_COLUMNS))

    # ----------------------------------------------------------------- views
    def zones(self) -> pd.DataFrame:
        """Zone totals per year (additive variables summed; intensities recomputed)."""
        df = self.pathways.dropna(subset=["zone_id"])
        add = [
            c
            for c in df.columns
            if c.startswith(ADDITIVE_PREFIXES) and df[c].dtype.kind == "f" and not c.endswith("_pct")
        ]
        z = df.groupby(["zone_id", "year"], as_index=False)[add].sum()
        z["energy_intensity_tce_per_10k"] = z["energy_counted_intensity_tce"] / (z["gdp_bn"] * TEN_K_PER_BN)
        z["co2_intensity_t_per_10k"] = z["co2_t"] / (z["gdp_bn"] * TEN_K_PER_BN)
        # the base year measured under each year's accounting rule (base_* columns per city-year)
        base_intensity = z["base_counted_intensity_tce"] / (z["base_gdp_bn"] * TEN_K_PER_BN)
        z["intensity_change_pct"] = 100 * (z["energy_intensity_tce_per_10k"] / base_intensity - 1)
        # the zone's target in each year: its cities' targets weighted by their GDP that year
        weighted = (
            (df["intensity_target_pct"] * df["gdp_bn"]).groupby([df["zone_id"], df["year"]]).sum(min_count=1)
        )
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
                "energy Mtce": (last["energy_total_tce"] / MEGA).round(1),
                "intensity chg %": last["intensity_change_pct"].round(1),
                "target %": last["intensity_target_pct"].round(1),
                "gap pp": (last["intensity_change_pct"] - last["intensity_target_pct"])
                .clip(lower=0)
                .round(1),
                "coal share": last["coal_share"].round(2),
                "non-fossil share": last["nonfossil_share"].round(2),
                "CO2 Mt": (last["co2_t"] / MEGA).round(1),
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

    def periods(self) -> pd.DataFrame:
        """Per zone, five-year period and target: target, outcome, gap and rating (long)."""
        from zonesim.data import load
        from zonesim.periods import period_summary, periods

        return period_summary(self.zones(), self.pathways, periods(load()))

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
    def write(
        self,
        out: str | Path,
        iamc: bool = False,
        extra: Mapping[str, Callable[[str], None]] | None = None,
    ) -> list[Path]:
        """Write every table as Parquet, ``stamp.json`` and ``manifest.json`` into ``out``.

        Each file is written atomically (temporary file, then rename). ``extra`` maps further
        file names to a function writing that file at the path it is given (e.g. a figure).
        Files an earlier run wrote to ``out`` that this run does not write are removed, so no
        earlier table is left beside the new ones; a folder holding anything else is refused.
        """
        out = prepare_output(out)
        previous = _owned(out)
        tables = {
            "pathways": self.pathways,
            "zones": self.zones(),
            "investments": self.investments,
            "plans": self.plans,
            "warnings": self.warnings,
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
        for name, writer in (extra or {}).items():
            written.append(_atomic_write(out / name, writer))
        names = {p.name for p in written}
        # only names a run can write: a hand-edited manifest cannot make a run delete other files
        for stale in sorted((previous & RUN_FILES) - names - {RUN_MANIFEST}):
            (out / stale).unlink(missing_ok=True)
        manifest = {
            "written_by": f"zonesim {self.stamp.get('code_version', '')}".strip(),
            "scenario": self.stamp.get("scenario"),
            "scenario_hash": self.stamp.get("scenario_hash"),
            "written_at": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "files": {p.name: {"bytes": p.stat().st_size, "sha256": _sha256(p)} for p in written},
        }
        written.append(_atomic_text(json.dumps(manifest, indent=2, sort_keys=True), out / RUN_MANIFEST))
        return written

    @classmethod
    def read(cls, out: str | Path) -> Results:
        """Read tables written by :meth:`write`."""
        out = Path(out)
        stamp = json.loads((out / "stamp.json").read_text())
        drop = list(stamp)
        names = ["pathways", "investments", "plans"]
        if (out / "warnings.parquet").exists():
            names.append("warnings")
        tables = {n: pd.read_parquet(out / f"{n}.parquet").drop(columns=drop, errors="ignore") for n in names}
        return cls(stamp=stamp, **tables)


WARNING_COLUMNS = ["city_id", "year", "variable", "value", "clipped_to", "reason"]
RUN_MANIFEST = "manifest.json"
RUN_FILES = frozenset(
    {f"{t}.parquet" for t in ("pathways", "zones", "investments", "plans", "warnings", "iamc")}
    | {"stamp.json", "pathways.png", RUN_MANIFEST, "iamc.xlsx", "iamc.csv", "iamc_meta.csv"}
)
"""Names a run writes: a folder holding only these (and no manifest) is an earlier run's."""


class OutputError(ValueError):
    """The output folder cannot be used; the message names it and says why."""


def slug(name: str, max_len: int = 80) -> str:
    """A scenario name as one safe folder name: letters, digits, ``_ . -`` only, no leading dot."""
    text = re.sub(r"[^\w.-]+", "_", name).strip("._-")[:max_len].rstrip("._-")
    return text or "scenario"


def default_out(name: str) -> Path:
    """Where a run goes without ``--out``: ``results/<slug of the scenario name>``."""
    return Path("results") / slug(name)


def _is_temp(name: str) -> bool:
    """A temporary file of an interrupted atomic write (``.<name>.<random>.tmp``)."""
    return name.startswith(".") and name.endswith(".tmp")


def _owned(out: Path) -> set[str]:
    """Files in ``out`` an earlier zonesim run wrote: its manifest's list, or with no manifest
    (runs before manifests existed) the files bearing the names a run writes."""
    manifest = out / RUN_MANIFEST
    if manifest.is_file():
        try:
            files = json.loads(manifest.read_text())["files"]
            return {str(n) for n in files if "/" not in str(n) and str(n) not in ("", ".", "..")}
        except (OSError, ValueError, KeyError, TypeError):
            return set()
    return {p.name for p in out.iterdir() if p.name in RUN_FILES}


def prepare_output(out: str | Path) -> Path:
    """Check (and create) a run's output folder before anything is simulated.

    Raises :class:`OutputError` when ``out`` is not a folder, cannot be created or written,
    or holds files no zonesim run wrote there (they are never mixed with or deleted).
    """
    out = Path(out)
    try:
        if out.exists() and not out.is_dir():
            raise OutputError(
                f"{out}: exists and is not a folder; --out takes a folder for the result tables"
            )
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    try:
        fd, probe = tempfile.mkstemp(dir=out, prefix=".zonesim-probe.", suffix=".tmp")
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        raise OutputError(
            f"{out}: the output folder is not writable ({exc.strerror or exc}); choose another --out"
        ) from None
    try:
        entries = [p.name for p in out.iterdir()]
    except OSError as exc:
        raise OutputError(f"{out}: cannot list the output folder ({exc.strerror or exc})") from None
    owned = _owned(out) | {RUN_MANIFEST}
    foreign = sorted(n for n in entries if n not in owned and not _is_temp(n))
    if foreign:
        shown = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise OutputError(
            f"{out}: holds files no zonesim run wrote ({shown}); a run writes into a new or empty "
            "folder or one an earlier run wrote, and never deletes or mixes with other files; "
            "choose another --out"
        )
    for name in entries:  # temporary files of an interrupted write
        if _is_temp(name):
            (out / name).unlink(missing_ok=True)
    return out


def _file_mode() -> int:
    """Mode of a new result file: 0666 less the process umask (0644 under umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _atomic_write(path: Path, write: Callable[[str], None]) -> Path:
    """Write ``path`` through ``write(tmp)`` into a temporary file beside it, then rename.

    mkstemp creates the file 0600; it gets the mode an ordinary new file would have.
    """
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, _file_mode())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _atomic_parquet(df: pd.DataFrame, path: Path) -> Path:
    return _atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def _atomic_text(text: str, path: Path) -> Path:
    return _atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


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
