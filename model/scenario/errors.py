"""Errors of scenario files: the error class, bounded reprs of bad values, and where a field
path sits in a YAML tree (the line an error names)."""

from __future__ import annotations

import reprlib
from typing import Any

import yaml


class ScenarioError(ValueError):
    """A scenario file is missing, malformed or invalid; the message says where and why."""


_SHORT = reprlib.Repr()
_SHORT.maxstring = _SHORT.maxother = _SHORT.maxlong = 60
_SHORT.maxlist = _SHORT.maxtuple = _SHORT.maxdict = _SHORT.maxset = 6
_SHORT.maxlevel = 2


def _short(value: Any) -> str:
    """A bounded repr: an error message never prints an unbounded value."""
    return _SHORT.repr(value)


def _line_of(node: yaml.Node | None, path: tuple[Any, ...]) -> int | None:
    """1-based line of ``path`` in a composed YAML tree, or of its deepest existing parent."""
    return _locate(node, path)[0]


def _locate(node: yaml.Node | None, path: tuple[Any, ...]) -> tuple[int | None, int]:
    """(line, number of leading parts of ``path`` found) in a composed YAML tree."""
    line = node.start_mark.line + 1 if node is not None else None
    found = 0
    for part in path:
        if isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
            found += 1
            continue
        if not isinstance(node, yaml.MappingNode):
            break
        for key, value in node.value:
            if str(key.value) == str(part):
                node = value
                line = key.start_mark.line + 1
                found += 1
                break
        else:
            break
    return line, found
