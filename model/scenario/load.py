"""Reading scenario files: bounded, alias-free YAML without duplicate keys, the ``extends:``
chain and its merge, and validation errors explained with file, line and field."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError
from zonesim.scenario.errors import ScenarioError, _line_of, _locate, _short
from zonesim.scenario.schema import RANGE_REASONS, Levers, Scenario

LIMITS = {
    "file_bytes": 256_000,  # a scenario file is a few kB
    "depth": 20,  # nesting levels of mappings and lists
    "extends": 16,  # files in an extends chain
    "errors": 20,  # validation errors listed (the rest counted)
}
"""Bounds on what a scenario file may cost to read (see the :mod:`zonesim.scenario` docstring)."""


_SafeBase: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present: 10x faster


class _Loader(_SafeBase):
    """PyYAML's safe loader that refuses duplicate keys (instead of keeping the last) and
    reports an integer too long to convert at its line."""

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:
            raise yaml.constructor.ConstructorError(
                None, None, f"number with {len(node.value)} characters is too long", node.start_mark
            ) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                first = seen.get(key)
            except TypeError:
                continue  # an unhashable key: the base class reports it
            if first is not None:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"field {_short(str(key))}: duplicate key (first set on line {first}); each key may "
                    "appear once",
                    key_node.start_mark,
                )
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def _check_events(text: str, path: Path) -> None:
    """Refuse aliases and deep nesting before composing (the composer recurses per level)."""
    depth = 0
    for event in yaml.parse(text, Loader=_SafeBase):
        if isinstance(event, yaml.AliasEvent):
            raise ScenarioError(
                f"{path}, line {event.start_mark.line + 1}: YAML alias '*{_short(event.anchor)[1:-1]}' is "
                "not allowed in scenario files; write the value out (or use 'extends:')"
            )
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > LIMITS["depth"]:
                raise ScenarioError(
                    f"{path}, line {event.start_mark.line + 1}: nesting depth above {LIMITS['depth']} "
                    "levels; a scenario is a few levels of settings"
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def _read_yaml(path: Path) -> tuple[dict[str, Any], yaml.Node | None]:
    """Read a YAML mapping safely (bounded size, no aliases, bounded depth, no duplicate keys)."""
    try:
        if not path.exists():
            raise ScenarioError(f"{path}: file not found")
        if not path.is_file():
            raise ScenarioError(f"{path}: not a regular file; expected a scenario YAML file")
        with open(path, "rb") as fh:
            raw = fh.read(LIMITS["file_bytes"] + 1)
    except OSError as exc:
        raise ScenarioError(f"{_short(str(path))}: cannot be read ({exc.strerror or exc})") from None
    if len(raw) > LIMITS["file_bytes"]:
        raise ScenarioError(
            f"{path}: larger than {LIMITS['file_bytes']:,} bytes; a scenario file is a few kB "
            "(is this the right file?)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            f"{path}, line {line}: cannot be read (not UTF-8 text: {exc.reason} at byte {exc.start})"
        ) from None
    try:
        _check_events(text, path)
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f", line {mark.line + 1}" if mark is not None else ""
        if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow
            where = f", line {text[: exc.position].count(chr(10)) + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ScenarioError(f"{path}{where}: not valid YAML ({problem[:200]})") from None
    except ScenarioError:
        raise
    except (ValueError, OverflowError, RecursionError, MemoryError) as exc:
        # e.g. an integer of more than 4300 digits: Python refuses to convert it
        raise ScenarioError(f"{path}: cannot be read as YAML ({str(exc)[:200]})") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}, line 1: expected a mapping of settings, got {type(data).__name__}")
    return data, node


def _within(target: Path, roots: Sequence[Path]) -> bool:
    return any(target == root or target.is_relative_to(root) for root in roots)


def _resolve(
    path: Path, seen: tuple[Path, ...], roots: tuple[Path, ...] = ()
) -> tuple[dict[str, Any], dict[Path, Any]]:
    """Read ``path`` and the chain of files it extends; returns merged data and YAML trees.

    ``roots``: folders a parent may sit in; the first file's folder when empty.
    """
    try:
        path = path.resolve()
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(f"{_short(str(path))}: cannot be read ({exc})") from None
    roots = roots or (path.parent,)
    if path in seen:
        chain = " -> ".join(str(p) for p in (*seen, path))
        child = seen[-1]
        raise ScenarioError(f"{child}, line 1: field 'extends': the extends chain forms a cycle ({chain})")
    data, node = _read_yaml(path)
    trees = {path: node}
    parent = data.pop("extends", None)
    if parent is None:
        return data, trees
    line = _line_of(node, ("extends",))
    where = f"{path}, line {line}: field 'extends'"
    if not isinstance(parent, str):
        raise ScenarioError(f"{where}: expected a file path, got {_short(parent)}")
    if len(seen) + 1 >= LIMITS["extends"]:
        raise ScenarioError(
            f"{where}: the extends chain is longer than {LIMITS['extends']} files; flatten it"
        )
    rel = Path(parent)
    if rel.is_absolute() or parent.startswith("~"):
        raise ScenarioError(
            f"{where}: got {_short(parent)}; expected a path relative to this file's folder "
            "(absolute paths are not followed)"
        )
    try:
        target = (path.parent / rel).resolve()
        exists = target.is_file()
    except (OSError, RuntimeError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)[:100]
        raise ScenarioError(f"{where}: got {_short(parent)}: not a usable path ({reason})") from None
    if not _within(target, roots):
        allowed = ", ".join(str(r) for r in roots)
        raise ScenarioError(
            f"{where}: got {_short(parent)}, which leads outside the scenario's folder tree ({allowed}); "
            "a parent must sit in that folder or below it (or allow its folder explicitly)"
        )
    if not exists:
        raise ScenarioError(
            f"{where}: file {_short(str(target))} not found; expected a scenario file path relative to "
            "this file"
        )
    base_data, base_trees = _resolve(target, (*seen, path), roots)
    return _merge(base_data, data), {**base_trees, **trees}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """Deep-merge ``over`` into ``base``; mappings merge, everything else replaces."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _where(loc: tuple[Any, ...], path: Path, trees: dict[Path, Any]) -> tuple[Path | str, int | None]:
    """The file that sets ``loc`` (the child-most file holding the whole path, else the one
    holding most of it) and the line there."""
    best: tuple[int, Path | str, int | None] = (-1, path, None)
    for file, tree in reversed(list(trees.items())):  # child first
        if tree is None:
            continue
        line, found = _locate(tree, loc)
        if found > best[0]:
            best = (found, file, line)
    return best[1], best[2]


def _reason(field: str) -> str:
    for pattern, reason in RANGE_REASONS.items():
        if fnmatch.fnmatchcase(field, pattern):
            return reason
    return ""


def _has(data: Any, loc: tuple[Any, ...]) -> bool:
    """Whether the nested mapping ``data`` holds the whole path ``loc``."""
    for part in loc:
        if not isinstance(data, dict):
            return False
        match = [k for k in data if str(k) == str(part)]
        if not match:
            return False
        data = data[match[0]]
    return True


def _explain(
    exc: ValidationError, path: Path, trees: dict[Path, Any], overrides: dict[str, Any] | None = None
) -> ScenarioError:
    errors = exc.errors()
    lines = []
    for err in errors[: LIMITS["errors"]]:
        loc = tuple(err["loc"])
        field = ".".join(str(p) for p in loc) or "(top level)"
        if overrides and loc and _has(overrides, loc):
            where, line = f"{path} (a setting given on top of the file, not in it)", None
        else:
            where, line = _where(loc, path, trees)
        value = err.get("input")
        shown = _short(value) if not isinstance(value, dict) else "{...}"
        if err["type"] == "extra_forbidden":
            msg = "unknown field; check the spelling against the schema"
            if len(loc) == 2 and loc[0] == "levers":
                msg = f"unknown lever; allowed levers: {sorted(Levers.model_fields)}"
        elif err["type"] == "missing":
            msg = "required field is missing"
        else:
            msg = f"got {shown}: {err['msg']}"
            reason = _reason(field) if err["type"].startswith(("less_than", "greater_than")) else ""
            if reason:
                msg += f" ({reason})"
        loc_txt = f"{where}, line {line}" if line else f"{where}"
        lines.append(f"{loc_txt}: field '{_short(field)[1:-1]}': {msg}")
    if len(errors) > LIMITS["errors"]:
        lines.append(f"{path}: ... and {len(errors) - LIMITS['errors']} more errors")
    return ScenarioError("\n".join(lines))


def load_scenario(
    path: str | Path, *, allow_extends: Sequence[str | Path] = (), **overrides: Any
) -> Scenario:
    """Read and validate a scenario file (following ``extends:``), with optional overrides.

    ``overrides`` are merged on top, e.g. ``load_scenario(f, seed=3)``. ``extends`` parents
    must sit in the scenario file's folder or below; ``allow_extends`` names further folders
    a parent may come from.
    """
    path = Path(path)
    try:
        roots = (path.resolve().parent, *(Path(r).resolve() for r in allow_extends))
    except (OSError, RuntimeError) as exc:
        raise ScenarioError(f"{_short(str(path))}: cannot be read ({exc})") from None
    data, trees = _resolve(path, (), roots)
    if overrides:
        data = _merge(data, overrides)
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _explain(exc, path.resolve(), trees, overrides) from None
