"""Build macro_realised.csv, product_output.csv and published_outcomes.csv.

Run from the repository root:  .venv/bin/python calibration/build/build_macro.py

Reads the hand-compiled source list ``calibration/build/sources/macro_sources.csv`` (one
published figure per row, with its citation) and ``macro_parents.csv`` (which parent area
stands in for a model unit that is not a prefecture), and writes the three tables to the
contract in model/data/schema.py. Two kinds of row are estimates, flagged ``estimate = true``
with the method written on the row: a missing city figure resolved to its parent area or
province, and a product_output level derived in ``macro_derived.csv`` from the previous
year's level in the source list and a published growth rate (used where a release gives only
the rate). Coverage and gaps: calibration/data/SOURCES-macro.md.

published_outcomes.csv is for validation only: no fitting code may read it.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "calibration" / "build" / "sources"
OUT = ROOT / "calibration" / "data"
YEARS = range(2021, 2026)

SOURCE_COLUMNS = (
    "table",
    "scope",
    "region",
    "year",
    "variable",
    "value",
    "unit",
    "basis",
    "source",
    "note",
)
# Variables resolved per model city (city figure, else parent area, else province).
CITY_VARIABLES = {
    "macro_realised": ("gdp_real_growth", "industry_va_growth"),
    "published_outcomes": ("energy_intensity_change", "co2_intensity_change"),
}
OUTPUT_COLUMNS = (
    "scope",
    "region",
    "year",
    "variable",
    "value",
    "unit",
    "basis",
    "resolved_from",
    "source",
    "estimate",
    "method",
)


def read_sources(path: Path = SRC / "macro_sources.csv") -> pd.DataFrame:
    """The hand-compiled source list, checked: every row has a value, unit and source."""
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in SOURCE_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(SOURCE_COLUMNS)}")
    for col in ("table", "scope", "region", "year", "variable", "value", "unit", "source"):
        empty = df[col].str.strip() == ""
        if empty.any():
            raise ValueError(f"{path}: row {int(empty.idxmax()) + 2}: column {col!r} is empty")
    df["year"] = df["year"].astype(int)
    df["value"] = pd.to_numeric(df["value"], errors="raise")
    # a level and its published growth rate may both be given: the unit is part of the key
    dup = df.duplicated(["table", "scope", "region", "year", "variable", "unit"], keep=False)
    if dup.any():
        rows = (df.index[dup] + 2).tolist()
        raise ValueError(f"{path}: the same figure is given twice (rows {rows}); keep one source")
    return df


DERIVED_COLUMNS = (
    "table",
    "scope",
    "region",
    "year",
    "variable",
    "unit",
    "growth_pct",
    "basis",
    "source",
    "note",
)


def read_derived(src: pd.DataFrame, path: Path = SRC / "macro_derived.csv") -> pd.DataFrame:
    """Levels derived from the previous year's sourced level and a published growth rate.

    Each row of ``macro_derived.csv`` gives a year-on-year growth rate (percent) that a release
    states without the level; the level is the previous year's value of the same table, scope,
    region, variable and unit in the source list times (1 + rate / 100). Only published levels
    are used as the base (never another derived row), and a derived row may not duplicate a
    published figure.
    """
    df = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in DERIVED_COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {missing}; expected {list(DERIVED_COLUMNS)}")
    df["year"] = df["year"].astype(int)
    df["growth_pct"] = pd.to_numeric(df["growth_pct"], errors="raise")
    key = ["table", "scope", "region", "variable", "unit"]
    levels = src.set_index([*key, "year"])["value"]
    published = set(src.set_index(["table", "scope", "region", "year", "variable", "unit"]).index)
    rows = []
    for i, r in df.iterrows():
        line = i + 2
        if (r["table"], r["scope"], r["region"], r["year"], r["variable"], r["unit"]) in published:
            raise ValueError(f"{path}: row {line}: a published figure exists; drop the derived row")
        base_key = (*(r[k] for k in key), r["year"] - 1)
        if base_key not in levels.index:
            raise ValueError(
                f"{path}: row {line}: no published {r['year'] - 1} level for "
                f"{r['region']} {r['variable']} ({r['unit']}) to derive {r['year']} from"
            )
        base = float(levels.loc[base_key])
        value = round(base * (1.0 + r["growth_pct"] / 100.0), 2)
        rows.append(
            {
                **{c: r[c] for c in ("table", "scope", "region", "year", "variable", "unit", "basis")},
                "value": value,
                "source": r["source"],
                "note": r["note"],
                "method": (
                    f"derived: published {r['year'] - 1} level {base:g} {r['unit']} × "
                    f"(1 {r['growth_pct']:+g} %), the growth rate the source states for {r['year']}; "
                    "NBS rates compare like-for-like enterprise sets, so the level is approximate"
                ),
            }
        )
    return pd.DataFrame(rows)


def _row(src: pd.Series, scope: str, region: str, resolved: str, method: str) -> dict:
    note = f" ({src['note']})" if src["note"] else ""
    return {
        "scope": scope,
        "region": region,
        "year": int(src["year"]),
        "variable": src["variable"],
        "value": float(src["value"]),
        "unit": src["unit"],
        "basis": src["basis"] or "as published",
        "resolved_from": resolved,
        "source": src["source"] + note,
        "estimate": scope == "city" and resolved in ("parent", "province"),
        "method": method,
    }


def resolve_cities(src: pd.DataFrame, table: str, cities: pd.DataFrame, parents: pd.DataFrame) -> list[dict]:
    """One row per model city, year and variable: city figure, else parent area, else province."""
    rows = []
    idx = {(r.scope, r.region, r.year, r.variable): r for r in src.itertuples(index=False)}
    parent_of = parents.set_index("city_id")
    for city in cities.itertuples(index=False):
        for year in YEARS:
            for var in CITY_VARIABLES[table]:
                hit = idx.get(("city", city.city_id, year, var))
                if hit is not None:
                    rows.append(_row(pd.Series(hit._asdict()), "city", city.city_id, "city", ""))
                    continue
                if city.city_id in parent_of.index:
                    p = parent_of.loc[city.city_id]
                    hit = idx.get((p["parent_scope"], p["parent_region"], year, var))
                    if hit is not None:
                        rows.append(
                            _row(
                                pd.Series(hit._asdict()),
                                "city",
                                city.city_id,
                                "parent",
                                f"parent-area figure applied to the model unit: {p['note']}",
                            )
                        )
                        continue
                hit = idx.get(("province", city.province, year, var))
                if hit is not None:
                    rows.append(
                        _row(
                            pd.Series(hit._asdict()),
                            "city",
                            city.city_id,
                            "province",
                            "provincial figure applied to city (no city figure found)",
                        )
                    )
    return rows


def build_table(
    src: pd.DataFrame,
    table: str,
    cities: pd.DataFrame,
    parents: pd.DataFrame,
    derived: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """National and provincial rows as published, derived levels (estimates), and (for city
    variables) resolved city rows."""
    own = src[src["table"] == table]
    rows = [
        _row(r, r["scope"], r["region"], r["scope"], "")
        for _, r in own.iterrows()
        if r["scope"] in ("national", "province")
    ]
    if derived is not None and len(derived):
        for _, r in derived[derived["table"] == table].iterrows():
            row = _row(r, r["scope"], r["region"], r["scope"], r["method"])
            row["estimate"] = True
            rows.append(row)
    known = set(cities["city_id"])
    resolved = CITY_VARIABLES.get(table, ())
    if resolved:
        rows += resolve_cities(own, table, cities, parents)
    # city figures of variables that are not resolved per city (e.g. evaluation records) are
    # carried as published
    rows += [
        _row(r, "city", r["region"], "city", "")
        for _, r in own.iterrows()
        if r["scope"] == "city" and r["variable"] not in resolved
    ]
    df = pd.DataFrame(rows, columns=list(OUTPUT_COLUMNS))
    bad = (df["scope"] == "city") & ~df["region"].isin(known)
    if bad.any():
        raise ValueError(f"{table}: city rows for unknown city_id {sorted(set(df.loc[bad, 'region']))}")
    order = {"national": 0, "province": 1, "city": 2}
    df = df.sort_values(
        ["scope", "region", "variable", "year"], key=lambda s: s.map(order) if s.name == "scope" else s
    )
    df["estimate"] = df["estimate"].map({True: "true", False: "false"})
    return df.reset_index(drop=True)


def coverage_markdown(tables: dict[str, pd.DataFrame]) -> str:
    """Which province/year figures were found, per variable (written into SOURCES-macro.md)."""
    out = []
    for table, var in (
        ("macro_realised", "gdp_real_growth"),
        ("macro_realised", "industry_va_growth"),
        ("published_outcomes", "energy_intensity_change"),
        ("published_outcomes", "co2_intensity_change"),
    ):
        df = tables[table]
        df = df[(df["variable"] == var) & df["scope"].isin(["national", "province"])]
        years = list(YEARS)
        out.append(f"**{table} / {var}** (value found: the figure; '·' = not found)\n")
        out.append("| region | " + " | ".join(str(y) for y in years) + " |")
        out.append("|---|" + "---:|" * len(years))
        regions = ["China"] + sorted(set(df.loc[df["scope"] == "province", "region"]))
        for region in regions:
            vals = df[df["region"] == region].set_index("year")["value"]
            cells = [f"{float(vals[y]):g}" if y in vals.index else "·" for y in years]
            out.append(f"| {region} | " + " | ".join(cells) + " |")
        out.append("")
        city = tables[table]
        city = city[(city["scope"] == "city") & (city["variable"] == var)]
        n = city.groupby("resolved_from").size().to_dict()
        out.append(
            f"City rows: {n.get('city', 0)} city figures, {n.get('parent', 0)} parent-area, "
            f"{n.get('province', 0)} provincial figures applied (estimates).\n"
        )
    rec = tables["published_outcomes"]
    rec = rec[~rec["variable"].isin(CITY_VARIABLES["published_outcomes"])]
    rec = rec[rec["scope"] != "national"]
    out.append("**published_outcomes / other records** (cumulative changes and the dual-control record)\n")
    out.append("| scope | region | variable | year | value | unit |")
    out.append("|---|---|---|---:|---:|---|")
    for r in rec.itertuples(index=False):
        out.append(f"| {r.scope} | {r.region} | {r.variable} | {r.year} | {float(r.value):g} | {r.unit} |")
    out.append("")
    po = tables["product_output"]
    out.append("**product_output** (years found per region and product)\n")
    out.append("| region | product | unit | years |")
    out.append("|---|---|---|---|")
    for (region, product, unit), grp in po.groupby(["region", "variable", "unit"], sort=True):
        out.append(f"| {region} | {product} | {unit} | {', '.join(str(y) for y in sorted(grp['year']))} |")
    return "\n".join(out)


def write_coverage(md: Path, text: str) -> None:
    """Replace the generated coverage block of SOURCES-macro.md."""
    start, end = "<!-- coverage:start -->", "<!-- coverage:end -->"
    doc = md.read_text(encoding="utf-8")
    if start not in doc or end not in doc:
        raise ValueError(f"{md}: coverage markers {start} / {end} not found")
    head, rest = doc.split(start, 1)
    _, tail = rest.split(end, 1)
    md.write_text(f"{head}{start}\n{text}\n{end}{tail}", encoding="utf-8")


def main() -> None:
    src = read_sources()
    unknown_tables = set(src["table"]) - {"macro_realised", "product_output", "published_outcomes"}
    if unknown_tables:
        raise ValueError(f"macro_sources.csv: unknown table(s) {sorted(unknown_tables)}")
    cities = pd.read_csv(OUT / "cities.csv", dtype=str)
    parents = pd.read_csv(SRC / "macro_parents.csv", dtype=str)
    tables = {}
    derived = read_derived(src)
    for table in ("macro_realised", "product_output", "published_outcomes"):
        df = build_table(src, table, cities, parents, derived)
        tables[table] = df
        if table == "product_output":
            df = df.rename(columns={"variable": "product"}).drop(columns="resolved_from")
        df.to_csv(OUT / f"{table}.csv", index=False)
        print(f"{table}.csv: {len(df)} rows ({int((df['estimate'] == 'true').sum())} estimates)")
    write_coverage(OUT / "SOURCES-macro.md", coverage_markdown(tables))


if __name__ == "__main__":
    main()
