# ruff: noqa: E501  (long citation strings)
"""targets.csv, city_targets.csv and storage_mandates.csv: the 14th-FYP targets found, the
2025 target resolved for each model city, and the storage pairing mandates.

Part of the supply build (``build_supply.py``).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from common import cities, finish, row, source

CITY_NAME_TO_ID = {"Liupanshui": "liupanshui", "Ordos": "ordos"}
TARGET_SKIP = {"energy_intensity_definition_change"}  # method note, no value


def _parse_value(v) -> tuple[float | None, str]:
    s = str(v).strip()
    if s in ("", "nan"):
        return None, ""
    if "-" in s:
        lo, hi = (float(x) for x in s.split("-"))
        return (lo + hi) / 2, f"range {s} stated; midpoint used"
    return float(s), ""


def build_targets(raw: Path) -> pd.DataFrame:
    a = pd.read_csv(raw / "policy_targets_14fyp_compiled.csv")
    b = pd.read_csv(raw / "policy_targets_14fyp_addendum.csv")
    a["file"] = "policy_targets_14fyp_compiled.csv"
    b["file"] = "policy_targets_14fyp_addendum.csv"
    rows: dict[tuple, dict] = {}
    for r in pd.concat([a, b], ignore_index=True).itertuples():
        if r.indicator in TARGET_SKIP:
            continue
        val, note = _parse_value(r.value)
        if val is None:
            continue
        scope, region = r.scope, r.region
        estimate = False
        method_bits = [f"raw file {r.file}", f"qualifier: {r.qualifier}"]
        if note:
            method_bits.append(note)
            estimate = True
        if scope == "city":
            if r.region.startswith("Tieling"):
                # not a model city: kept as the Liaoning proxy it stands for
                scope, region = "province", "Liaoning"
                estimate = True
                method_bits.append(
                    "Tieling city target implementing Liaoning's 辽政发〔2022〕16号, used as proxy for the Liaoning "
                    "provincial figure (not seen)"
                )
            else:
                region = CITY_NAME_TO_ID[r.region]
        src = str(r.source_url)
        if src.startswith(("UNVERIFIED", "(text seen")) and r.region == "Ordos":
            src = (
                "鄂尔多斯市“十四五”节能减排综合工作实施方案 (29 Nov 2022); companion plan listed at "
                "https://www.ordos.gov.cn/zzms/slh_zcwjx/index_26.html"
            )
            method_bits.append("plan text seen by the data helper; address of the plan page not retrieved")
        if isinstance(r.note, str) and r.note:
            method_bits.append("note: " + r.note.replace("\n", " ")[:300])
        base_year = "" if pd.isna(r.base_year) else int(r.base_year)
        ty = str(r.target_year)
        target_year = int(ty.split("-")[-1])
        if "-" in ty:
            method_bits.append(f"target period {ty}; last year used")
        unit = str(r.unit)
        unit = "percent vs base_year" if unit == "% vs base" else unit
        key = (scope, region, r.indicator, target_year)
        rows[key] = row(  # addendum rows come last and supersede
            scope=scope,
            region=region,
            indicator=r.indicator,
            value=val,
            unit=unit,
            base_year=base_year,
            target_year=target_year,
            source=src,
            estimate=estimate,
            method="; ".join(method_bits),
        )
    return finish(
        list(rows.values()),
        ["scope", "region", "indicator", "value", "unit", "base_year", "target_year"],
    )


def build_city_targets(targets: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for cid, prov in cities()[["city_id", "province"]].itertuples(index=False):
        for ind in ("energy_intensity_reduction", "co2_intensity_reduction"):
            sel = targets[(targets["indicator"] == ind) & (targets["target_year"] == 2025)]
            city = sel[(sel["scope"] == "city") & (sel["region"] == cid)]
            provr = sel[(sel["scope"] == "province") & (sel["region"] == prov)]
            nat = sel[(sel["scope"] == "national")]
            if not city.empty:
                t, frm, est, meth = (
                    city.iloc[0],
                    "city",
                    city.iloc[0]["estimate"] == "true",
                    "city's own target",
                )
            elif not provr.empty:
                t, frm = provr.iloc[0], "province"
                est = provr.iloc[0]["estimate"] == "true"
                meth = f"provincial target of {prov} applied to the city"
                if est:
                    meth += " (provincial figure itself is a proxy; see targets.csv)"
            else:
                t, frm, est = nat.iloc[0], "national", True
                meth = "national default: no provincial target found"
            rows.append(
                row(
                    city_id=cid,
                    indicator=ind,
                    value=float(t["value"]),
                    unit="percent",
                    base_year=2020,
                    target_year=2025,
                    resolved_from=frm,
                    source=t["source"],
                    estimate=est,
                    method=meth,
                )
            )
    return finish(
        rows,
        ["city_id", "indicator", "value", "unit", "base_year", "target_year", "resolved_from"],
    )


# ======================================================================================
# 8. storage mandates
# ======================================================================================
def build_storage_mandates(raw: Path) -> pd.DataFrame:
    """One row per mandate of ``sources/storage_mandates.csv``; ratio and source from the raw
    policy table unless the list gives the ratio."""
    a = pd.read_csv(raw / "policy_targets_14fyp_compiled.csv")
    st = a[a["indicator"].str.startswith("storage")]
    rows = []
    for m in source("storage_mandates").itertuples():
        if isinstance(m.raw_indicator, str):
            hit = st[st["indicator"] == m.raw_indicator]
        else:
            hit = st[(st["scope"] == m.raw_scope) & (st["qualifier"] == m.raw_qualifier)]
        if hit.empty:
            raise KeyError(
                f"sources/storage_mandates.csv row {m.region!r}: no matching row in the raw policy table"
            )
        raw_row = hit.iloc[0]
        ratio = float(raw_row["value"]) / 100 if pd.isna(m.power_ratio) else float(m.power_ratio)
        rows.append(
            row(
                region=m.region,
                power_ratio=ratio,
                duration_h=float(m.duration_h),
                source=raw_row["source_url"],
                estimate=bool(m.estimate),
                method=m.method,
            )
        )
    return finish(rows, ["region", "power_ratio", "duration_h"])
