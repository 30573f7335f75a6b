"""Results in the IAMC format, with the names and units of the IAMC common definitions.

``to_iamc(results)`` gives the long table pyam reads (model, scenario, region, variable, unit,
year, value); ``write(results, path)`` writes it as ``.xlsx`` (sheets ``data`` and ``meta``)
or ``.csv`` (plus ``<name>_meta.csv``), files that ``pyam.IamDataFrame(path)`` opens.

* Variables and units follow the IAMC common definitions
  (https://github.com/IAMconsortium/common-definitions): ``Emissions|CO2`` in ``Mt CO2/yr``,
  ``Primary Energy|Coal`` in ``EJ/yr``, ``Capacity|Electricity|Solar`` in ``GW``. Money has
  no common-definitions unit in constant CNY; it is given as ``billion CNY_2020/yr``.
* Regions are the cities (English names from ``cities.csv``), the zones (``Z04 Tangshan``)
  and ``All zones`` (every city in a zone; associated cities appear only as themselves).
* ``model`` is ``zonesim`` and its version; the run stamp (scenario hash, seed, data and code
  version) goes into ``meta``, one row per model and scenario, so the data columns stay the
  five IAMC index columns and the frame concatenates with any other IAMC frame.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from zonesim.data import BaseYear
    from zonesim.results import Results

IAMC_COLUMNS = ["model", "scenario", "region", "variable", "unit", "year", "value"]
ALL_ZONES = "All zones"

# pathway column -> (IAMC variable, unit family); families are converted below
VARIABLES: dict[str, tuple[str, str]] = {
    "co2_t": ("Emissions|CO2", "co2"),
    "co2_power_t": ("Emissions|CO2|Energy|Supply|Electricity", "co2"),
    "energy_total_tce": ("Primary Energy", "tce"),
    "coal_tce": ("Primary Energy|Coal", "tce"),
    "nonfossil_primary_tce": ("Primary Energy|Non-Fossil", "tce"),
    "final_coal_tce": ("Final Energy|Solids|Coal", "tce"),
    "final_oil_tce": ("Final Energy|Liquids", "tce"),
    "final_gas_tce": ("Final Energy|Gases", "tce"),
    "final_heat_tce": ("Final Energy|Heat", "tce"),
    "final_electricity_mwh": ("Final Energy|Electricity", "mwh"),
    "generation_mwh": ("Secondary Energy|Electricity", "mwh"),
    "gdp_bn": ("GDP|MER", "bn"),
    "capex_bn": ("Investment|Energy Supply|Electricity", "bn"),
    "cost_bn": ("Energy System Cost|Electricity", "bn"),
}
CAPACITY = {
    "coal": "Coal",
    "gas": "Gas",
    "oil": "Oil",
    "nuclear": "Nuclear",
    "hydro": "Hydro",
    "wind": "Wind",
    "solar": "Solar",
    "biomass": "Biomass",
    "storage_battery": "Storage|Battery",
    "storage_pumped_hydro": "Storage|Pumped Hydro",
}
UNITS = {"co2": "Mt CO2/yr", "tce": "EJ/yr", "mwh": "EJ/yr", "bn": "billion CNY_2020/yr", "mw": "GW"}


def factors(base: BaseYear) -> dict[str, float]:
    """Multipliers from the model's units to the IAMC units, by unit family.

    Energy uses the tce calorific value and the MWh equivalent of ``constants.csv``.
    """
    gj_per_tce = base.constant("tce_gj")
    mwh_per_tce = base.constant("mwh_th_per_tce")
    ej_per_gj = 1e-9
    return {
        "co2": 1e-6,  # t -> Mt
        "tce": gj_per_tce * ej_per_gj,
        "mwh": gj_per_tce / mwh_per_tce * ej_per_gj,
        "bn": 1.0,
        "mw": 1e-3,  # MW -> GW
    }


def model_name() -> str:
    """``zonesim <version>``: the package version, without the commit (that is in ``meta``)."""
    import zonesim

    return f"zonesim {zonesim.__version__}"


def region_names(base: BaseYear) -> tuple[dict[str, str], dict[str, str]]:
    """City id -> region name (English name), zone id -> region name (``Z04 Tangshan``)."""
    cities = dict(zip(base.cities["city_id"], base.cities["name_en"], strict=True))
    zones = {z: f"{z} {n}" for z, n in zip(base.zones["zone_id"], base.zones["name_en"], strict=True)}
    return cities, zones


def to_iamc(results: Results, base: BaseYear | None = None) -> pd.DataFrame:
    """The pathways of ``results`` as an IAMC long table for cities, zones and all zones."""
    from zonesim.data import load

    base = base if base is not None else load()
    p = results.pathways
    columns = {c: v for c, v in VARIABLES.items() if c in p}
    for col in p.columns:
        tech = col.removeprefix("cap_").removesuffix("_mw")
        if col.startswith("cap_") and col.endswith("_mw"):
            name = CAPACITY.get(tech, tech.replace("_", " ").title())
            columns[col] = (f"Capacity|Electricity|{name}", "mw")
    conv = factors(base)
    wide = p[["city_id", "zone_id", "year", *columns]].copy()
    for col, (_, family) in columns.items():
        wide[col] = wide[col].astype(float) * conv[family]
    cities, zones = region_names(base)
    in_zone = wide.dropna(subset=["zone_id"])
    parts = [
        wide.assign(region=wide["city_id"].map(cities)),
        in_zone.groupby(["zone_id", "year"], as_index=False)[list(columns)]
        .sum()
        .assign(region=lambda d: d["zone_id"].map(zones)),
        in_zone.groupby("year", as_index=False)[list(columns)].sum().assign(region=ALL_ZONES),
    ]
    long = pd.concat(
        [part.melt(id_vars=["region", "year"], value_vars=list(columns), var_name="col") for part in parts],
        ignore_index=True,
    )
    long["variable"] = long["col"].map(lambda c: columns[c][0])
    long["unit"] = long["col"].map(lambda c: UNITS[columns[c][1]])
    long["model"] = model_name()
    long["scenario"] = str(results.stamp.get("scenario", ""))
    long["year"] = long["year"].astype(int)
    return long[IAMC_COLUMNS].reset_index(drop=True)


def meta(results: Results) -> pd.DataFrame:
    """The run stamp as IAMC ``meta``: one row per model and scenario."""
    stamp = {k: v for k, v in results.stamp.items() if k != "scenario"}
    row = {"model": model_name(), "scenario": str(results.stamp.get("scenario", "")), **stamp}
    return pd.DataFrame([{k: (v if isinstance(v, int | float | str) else str(v)) for k, v in row.items()}])


def write(results: Results, path: str | Path, base: BaseYear | None = None) -> list[Path]:
    """Write the IAMC table to ``path`` (``.xlsx``: sheets data and meta; ``.csv``: data, and the
    meta beside it as ``<stem>_meta.csv``). Returns the files written."""
    path = Path(path)
    data = to_iamc(results, base)
    wide = data.pivot_table(
        index=["model", "scenario", "region", "variable", "unit"], columns="year", values="value"
    ).reset_index()
    wide.columns = [str(c) if not isinstance(c, str) else c for c in wide.columns]
    wide = wide.rename(columns=str.title)
    info = meta(results).rename(columns={"model": "Model", "scenario": "Scenario"})
    if path.suffix == ".xlsx":
        with pd.ExcelWriter(path, engine="openpyxl") as xl:
            wide.to_excel(xl, sheet_name="data", index=False)
            info.to_excel(xl, sheet_name="meta", index=False)
        return [path]
    if path.suffix == ".csv":
        wide.to_csv(path, index=False)
        meta_path = path.with_name(f"{path.stem}_meta.csv")
        info.to_csv(meta_path, index=False)
        return [path, meta_path]
    raise ValueError(f"{path}: IAMC files are .xlsx or .csv, not {path.suffix or 'no suffix'}")


def read_meta(path: str | Path) -> pd.DataFrame:
    """The ``meta`` written by :func:`write` (sheet or ``_meta.csv``), indexed by model and scenario."""
    path = Path(path)
    if path.suffix == ".xlsx":
        df = pd.read_excel(path, sheet_name="meta")
    else:
        df = pd.read_csv(path.with_name(f"{path.stem}_meta.csv"))
    return df.rename(columns=str.lower).set_index(["model", "scenario"])
