"""Fit statistics of a backcast against city history, and the versioned calibration file."""

from __future__ import annotations

import datetime as _dt
import json
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from zonesim.data.calibrated import SCHEMA, calibrated_overrides, default_path, load_record

__all__ = [
    "anchor_settings",
    "calibrated_overrides",
    "co2_benchmarks",
    "co2_by_city_years",
    "co2_city_years",
    "comparison",
    "default_path",
    "load_record",
    "make_record",
    "summary",
    "write",
]

VARIABLES = ("gdp", "tertiary_share", "secondary_share", "energy_total", "coal", "electricity", "co2")


@dataclass(frozen=True)
class Periods:
    """The calibration's years and the 2016-2020 capacity cuts (constants.csv, with sources)."""

    start: int  # the constructed start of the backcast
    end: int  # the backcast runs to this year
    fit: tuple[int, ...]  # years whose residuals are fitted
    stats: tuple[int, int]  # first and last year of the fit statistics
    cut_share: float  # share of energy-intensive output retired by the 13th FYP cuts
    cut_years: tuple[int, int]  # the cuts are reached linearly over these years

    @classmethod
    def from_data(cls, base: Any = None) -> Periods:
        """From ``base.constant`` (the default data when ``base`` is None)."""
        if base is None:
            from zonesim.data.load import load

            base = load()

        def year(name: str) -> int:
            return int(base.constant(name))

        fit = (year("calibration_fit_first_year"), year("calibration_fit_last_year"))
        return cls(
            start=year("calibration_start_year"),
            end=year("calibration_end_year"),
            fit=tuple(range(fit[0], fit[1] + 1)),
            stats=(year("calibration_stats_first_year"), year("calibration_stats_last_year")),
            cut_share=base.constant("capacity_cut_share"),
            cut_years=(year("capacity_cut_first_year"), year("capacity_cut_last_year")),
        )


def with_secondary(model: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Add the modelled secondary share: the non-services share split between primary and
    secondary at the city's observed 2015 ratio (the model's industry carries primary value added)."""
    out = model.copy()
    s2 = obs["secondary_share"].xs(2015, level="year")
    s3 = obs["tertiary_share"].xs(2015, level="year")
    ratio = (s2 / (1.0 - s3)).reindex(out.index.get_level_values("city_id")).to_numpy()
    out["secondary_share"] = (1.0 - out["tertiary_share"]) * ratio
    return out


def comparison(model: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    """Long table: city, year, variable, observed, modelled, error (fraction), estimate flag."""
    model = with_secondary(model, obs)
    rows = []
    for v in VARIABLES:
        o = obs[v].reindex(model.index)
        est = obs.get(f"{v}_estimate", pd.Series(True, index=obs.index)).reindex(model.index)
        rows.append(
            pd.DataFrame(
                {
                    "variable": v,
                    "observed": o,
                    "modelled": model[v],
                    "estimate": est.fillna(True).astype(bool),
                },
                index=model.index,
            )
        )
    out = pd.concat(rows).reset_index()
    out["error"] = out["modelled"] / out["observed"] - 1.0
    return out


def _mape(err: pd.Series) -> float:
    return float(100.0 * err.abs().mean()) if len(err) else float("nan")


def ceads_cities(comp: pd.DataFrame, years: tuple[int, int] | None = None) -> list[str]:
    """Cities with at least one CEADs (not estimated) CO2 value in the statistics years."""
    years = years or Periods.from_data().stats
    c = comp[(comp["variable"] == "co2") & ~comp["estimate"] & comp["year"].between(*years)]
    return sorted(c["city_id"].unique())


def summary(comp: pd.DataFrame, years: tuple[int, int] | None = None) -> dict[str, Any]:
    """Headline statistics (percent) over the statistics years, the ones recorded in the
    calibration file (``years`` default: Periods of the default data)."""
    years = years or Periods.from_data().stats
    win = comp[comp["year"].between(*years) & comp["error"].notna()]
    out: dict[str, Any] = {}
    for v in VARIABLES:
        e = win.loc[win["variable"] == v, "error"]
        out[f"{v}_mape_pct"] = round(_mape(e), 3)
        out[f"{v}_bias_pct"] = round(float(100.0 * e.mean()), 3)
    co2 = win[win["variable"] == "co2"]
    ceads = co2[~co2["estimate"]]
    out["co2_mape_ceads_pct"] = round(_mape(ceads["error"]), 3)
    out["co2_bias_ceads_pct"] = round(float(100.0 * ceads["error"].mean()), 3)
    out["co2_ceads_city_years"] = int(len(ceads))
    out["co2_ceads_cities"] = ceads_cities(comp, years)
    y20 = comp[(comp["year"] == 2020) & comp["error"].notna()]
    for v in ("gdp", "energy_total", "co2"):
        out[f"{v}_mape_2020_pct"] = round(_mape(y20.loc[y20["variable"] == v, "error"]), 3)
    out["years"] = list(years)
    return out


def by_city(comp: pd.DataFrame, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """MAPE and bias per city and variable over the statistics years (percent), and the 2020 error."""
    years = years or Periods.from_data().stats
    win = comp[comp["year"].between(*years)]
    g = win.groupby(["city_id", "variable"])["error"]
    out = pd.DataFrame({"mape_pct": 100 * g.apply(lambda e: e.abs().mean()), "bias_pct": 100 * g.mean()})
    out["n_estimated"] = win.groupby(["city_id", "variable"])["estimate"].sum()
    e20 = comp[comp["year"] == 2020].set_index(["city_id", "variable"])["error"] * 100
    out["error_2020_pct"] = e20
    return out.reset_index()


def co2_city_years(comp: pd.DataFrame, years: tuple[int, int] | None = None) -> pd.DataFrame:
    """The CEADs city-years behind the headline CO2 MAPE, one row each (the MAPE is the mean of
    ``ape_pct``): observed and modelled CO2 (Mt), the error and its absolute value (%), and the
    error split into the energy path and the CO2 per tce of energy,
    ``(1 + error) = (1 + energy_error) (1 + carbon_error)``. The observed energy is city_history's
    (CEADs CO2 share x provincial energy), so the split says whether a city misses the level of
    activity or its carbon content."""
    years = years or Periods.from_data().stats
    win = comp[comp["year"].between(*years)]
    co2 = win[(win["variable"] == "co2") & ~win["estimate"] & win["error"].notna()]
    energy = win[win["variable"] == "energy_total"].set_index(["city_id", "year"])["error"]
    out = co2[["city_id", "year"]].copy()
    out["observed_mt"] = co2["observed"].to_numpy() / 1e6
    out["modelled_mt"] = co2["modelled"].to_numpy() / 1e6
    out["error_pct"] = 100.0 * co2["error"].to_numpy()
    out["ape_pct"] = out["error_pct"].abs()
    e_energy = energy.reindex(pd.MultiIndex.from_frame(co2[["city_id", "year"]])).to_numpy()
    out["energy_error_pct"] = 100.0 * e_energy
    out["carbon_error_pct"] = 100.0 * ((1.0 + co2["error"].to_numpy()) / (1.0 + e_energy) - 1.0)
    return out.sort_values(["city_id", "year"]).reset_index(drop=True)


def co2_by_city_years(table: pd.DataFrame) -> pd.DataFrame:
    """Per city, from :func:`co2_city_years`: city-years, MAPE, bias, its contribution to the
    headline MAPE (sum of its absolute errors / all city-years, percentage points; the
    contributions add up to the headline), the MAPE of the other cities, and the mean absolute
    energy and carbon-content errors; worst contribution first."""
    n, total = len(table), table["ape_pct"].sum()
    g = table.groupby("city_id")
    out = pd.DataFrame(
        {
            "city_years": g.size(),
            "mape_pct": g["ape_pct"].mean(),
            "bias_pct": g["error_pct"].mean(),
            "contribution_pp": g["ape_pct"].sum() / n,
            "energy_ape_pct": g["energy_error_pct"].apply(lambda e: e.abs().mean()),
            "carbon_ape_pct": g["carbon_error_pct"].apply(lambda e: e.abs().mean()),
        }
    )
    rest = n - out["city_years"]
    out["mape_without_pct"] = (total - g["ape_pct"].sum()) / rest.where(rest > 0)
    return out.sort_values("contribution_pp", ascending=False).reset_index()


def co2_benchmarks(table: pd.DataFrame) -> dict[str, float]:
    """What the CO2 MAPE of :func:`co2_city_years` is made of (percent):

    * ``mape_pct``: the headline;
    * ``carbon_only_pct``: the MAPE had the model's energy been the observed (only the error
      of CO2 per tce left);
    * ``energy_only_pct``: the mean absolute energy error of the same city-years;
    * ``city_trend_floor_pct``: the MAPE left by a separate exponential trend per city fitted
      to its own CEADs values (least squares in logs; two parameters per city, so cities with
      one or two city-years fit exactly): the year-to-year movement no smooth city path follows,
      a floor no model with smooth dynamics can beat on average.
    """
    floor = []
    for _, c in table.groupby("city_id"):
        y = np.log(c["observed_mt"].to_numpy())
        x = c["year"].to_numpy(float)
        fitted = np.polyval(np.polyfit(x, y, 1), x) if len(c) > 2 else y
        floor.append(np.abs(np.exp(fitted - y) - 1.0))
    return {
        "mape_pct": float(table["ape_pct"].mean()),
        "carbon_only_pct": float(table["carbon_error_pct"].abs().mean()),
        "energy_only_pct": float(table["energy_error_pct"].abs().mean()),
        "city_trend_floor_pct": float(100.0 * np.concatenate(floor).mean()) if floor else float("nan"),
    }


def write(record: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(record, indent=2, sort_keys=False, default=_jsonable)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text + "\n", encoding="utf-8")
    tmp.replace(path)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"not JSON serialisable: {type(x)}")


def anchor_settings(ref: Any) -> dict[str, Any]:
    """The backcast's product anchors as recorded in the calibration file's settings: whether
    energy-intensive sectors follow realised product output, which products, which scopes."""
    a = ref.anchors
    return {
        "backcast_product_anchors": a is not None,
        "product_anchors": dict(a.products) if a is not None else {},
        "product_anchor_scopes": list(a.scopes) if a is not None else [],
    }


def make_record(
    result: dict[str, Any], ref: Any, quick: bool, code_version: str | None = None
) -> dict[str, Any]:
    """The versioned calibration record written to ``calibration/calibrated_parameters.json``."""
    from zonesim.agents.params import AgentParams

    periods: Periods = ref.periods
    comp = comparison(result["model"], result["obs"])
    names = {f.name for f in fields(AgentParams)}
    overrides = {
        k: round(float(v["value"]), 6)
        for k, v in result["parameters"].items()
        if v["identified"] and k in names
    }
    return {
        "schema": SCHEMA,
        "created": _dt.date.today().isoformat(),
        "data_version": ref.base.version,
        "code_version": code_version,
        "settings": {
            "cities": ref.city_ids,
            "n_firms": ref.n_firms,
            "seed": ref.seed,
            "quick": quick,
            "start_year": periods.start,
            "fit_years": [periods.fit[0], periods.fit[-1]],
            "capacity_cut_share": periods.cut_share,
            "capacity_cut_years": list(periods.cut_years),
            **anchor_settings(ref),
        },
        "overrides": overrides,
        "parameters": result["parameters"],
        "not_fitted": result["not_fitted"],
        "groups": result["groups"],
        "fit_statistics": summary(comp, periods.stats),
        "seconds": result["seconds"],
    }
