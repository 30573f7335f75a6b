"""Build ``calibration/data/china_provinces.geojson``: simplified province outlines for maps.

Input: Natural Earth 1:50m Cultural Vectors, Admin 1 - States, Provinces
(``ne_50m_admin_1_states_provinces.geojson``; public domain, https://www.naturalearthdata.com/about/terms-of-use/).
The features of China (``adm0_a3 == "CHN"``, 31 provincial-level units) are kept with their
ISO 3166-2 code and English and Chinese names; rings are simplified (Ramer-Douglas-Peucker,
tolerance 0.03 degrees) and rounded to 0.01 degrees, enough for outlines on a national map.
Natural Earth draws boundaries as they are on the ground ("de facto"); the file is a backdrop
for figures, not a statement on any boundary. Run:

    .venv/bin/python calibration/build/build_provinces.py NE_50M_ADMIN_1.geojson [--out FILE]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "data" / "china_provinces.geojson"
TOLERANCE_DEG = 0.03
DECIMALS = 2


def simplify(ring: np.ndarray, tol: float) -> np.ndarray:
    """Ramer-Douglas-Peucker on one ring (first point = last point kept)."""
    if len(ring) < 4:
        return ring
    keep = np.zeros(len(ring), dtype=bool)
    keep[0] = keep[-1] = True
    stack = [(0, len(ring) - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        a, b = ring[i], ring[j]
        seg = b - a
        pts = ring[i + 1 : j] - a
        norm = np.hypot(*seg)
        if norm == 0:
            dist = np.hypot(pts[:, 0], pts[:, 1])
        else:
            dist = np.abs(seg[0] * pts[:, 1] - seg[1] * pts[:, 0]) / norm
        k = int(np.argmax(dist))
        if dist[k] > tol:
            keep[i + 1 + k] = True
            stack += [(i, i + 1 + k), (i + 1 + k, j)]
    return ring[keep]


def _rings(geometry: dict) -> list[list[list[list[float]]]]:
    polys = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    out = []
    for poly in polys:
        rings = []
        for ring in poly:
            r = np.round(simplify(np.asarray(ring, dtype=float), TOLERANCE_DEG), DECIMALS)
            r = r[np.r_[True, np.any(np.diff(r, axis=0) != 0, axis=1)]]  # drop repeated points
            if len(r) >= 4:
                rings.append(r.tolist())
        if rings:
            out.append(rings)
    return out


def build(source: Path, out: Path) -> int:
    """Write the simplified China provinces; returns the number of features."""
    data = json.loads(source.read_text(encoding="utf-8"))
    features = []
    for f in data["features"]:
        p = f["properties"]
        if p.get("adm0_a3") != "CHN":
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_3166_2": p["iso_3166_2"], "name_en": p["name"], "name_zh": p["name_zh"]},
                "geometry": {"type": "MultiPolygon", "coordinates": _rings(f["geometry"])},
            }
        )
    features.sort(key=lambda f: f["properties"]["iso_3166_2"])
    collection = {
        "type": "FeatureCollection",
        "source": "Natural Earth 1:50m Admin 1 - States, Provinces (public domain), simplified by "
        "calibration/build/build_provinces.py",
        "features": features,
    }
    out.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
    return len(features)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("source", type=Path, help="ne_50m_admin_1_states_provinces.geojson")
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args()
    n = build(args.source, args.out)
    print(f"wrote {n} provinces to {args.out} ({args.out.stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
