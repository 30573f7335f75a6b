"""Find a city by what a user types: its id, English or Chinese name, in any case."""

from __future__ import annotations

import difflib
import re

import pandas as pd


class UnknownCity(KeyError):
    """No city, or more than one, fits a name; the message lists the closest matches."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _keys(city_id: str, name_en: str, name_zh: str) -> set[str]:
    """Spellings that name the city: id, English name (with and without a bracketed note),
    Chinese name (with and without the trailing 市)."""
    en = str(name_en).strip()
    zh = str(name_zh).strip()
    keys = {city_id, en, re.sub(r"\s*\(.*\)\s*$", "", en), zh, zh.removesuffix("市")}
    return {k.casefold() for k in keys if k}


def resolve_city(cities: pd.DataFrame, name: str) -> str:
    """The ``city_id`` that ``name`` refers to (``Tangshan``, ``tangshan``, ``唐山``, ``唐山市``).

    Raises :class:`UnknownCity` (a KeyError) naming the closest matches when no city, or more than one, fits.
    """
    wanted = str(name).strip().casefold()
    hits = [r.city_id for r in cities.itertuples() if wanted in _keys(r.city_id, r.name_en, r.name_zh)]
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        raise UnknownCity(f"city {name!r} is ambiguous: {sorted(hits)}; give the city id")
    every = {k: r.city_id for r in cities.itertuples() for k in _keys(r.city_id, r.name_en, r.name_zh)}
    close = difflib.get_close_matches(wanted, list(every), n=3, cutoff=0.6)
    hint = f"; did you mean {sorted({every[c] for c in close})}?" if close else ""
    raise UnknownCity(
        f"no city {name!r}{hint} Cities (id, English or Chinese name): "
        + ", ".join(f"{r.city_id} ({r.name_en}, {r.name_zh})" for r in cities.itertuples())
    )
