"""Safe YAML parsing that keeps the position of every value.

PyYAML's safe loader drops positions and silently keeps the last of two
duplicate keys, so we compose the node tree ourselves and convert it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

from briefgen.errors import Diagnostic, SourcePos

try:  # the C composer is much faster when libyaml is present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar: str, int, float, bool, None, or a date, as YAML resolved it."""

    value: object
    pos: SourcePos
    tag: str


@dataclass(frozen=True, slots=True)
class YSeq:
    items: tuple[YValue, ...]
    pos: SourcePos


@dataclass(frozen=True, slots=True)
class YMap:
    """A mapping with string keys; key_pos holds where each key was written."""

    values: dict[str, YValue]
    key_pos: dict[str, SourcePos]
    pos: SourcePos


YValue = Union[YScalar, YSeq, YMap]  # noqa: UP007 - a runtime alias for dataclass fields


class YamlError(Exception):
    def __init__(self, diagnostic: Diagnostic) -> None:
        self.diagnostic = diagnostic
        super().__init__(str(diagnostic))


def parse_yaml(
    text: str, path: Path, diagnostics: list[Diagnostic], line_offset: int = 0
) -> YValue | None:
    """Parse one YAML document; syntax errors and duplicate keys go to diagnostics."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        context = f" ({exc.context})" if exc.context and exc.problem else ""
        diagnostics.append(
            Diagnostic(
                SourcePos(path, line + line_offset, col),
                f"YAML syntax error: {problem}{context}",
            )
        )
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(Diagnostic(SourcePos(path, 1 + line_offset, 1), f"YAML error: {exc}"))
        return None
    if node is None:
        return None
    return _Converter(path, line_offset, diagnostics).convert(node)


class _Converter:
    def __init__(self, path: Path, line_offset: int, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.line_offset = line_offset
        self.diagnostics = diagnostics
        self.constructor = yaml.SafeLoader("")

    def pos(self, node: yaml.Node) -> SourcePos:
        mark = node.start_mark
        return SourcePos(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def convert(self, node: yaml.Node) -> YValue:
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return YSeq(tuple(self.convert(item) for item in node.value), self.pos(node))
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> YScalar:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError):
            # e.g. 2026-02-30 resolves as a timestamp but is no date: keep the text
            # so the field's own check reports it with the expected form.
            value = node.value
        return YScalar(value, self.pos(node), node.tag)

    def mapping(self, node: yaml.MappingNode) -> YMap:
        values: dict[str, YValue] = {}
        key_pos: dict[str, SourcePos] = {}
        for key_node, value_node in node.value:
            kpos = self.pos(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(Diagnostic(kpos, "a key must be a plain name"))
                continue
            key = str(key_node.value)
            if key in values:
                first = key_pos[key]
                self.diagnostics.append(
                    Diagnostic(kpos, f"duplicate key '{key}' (first given on line {first.line})")
                )
                continue
            values[key] = self.convert(value_node)
            key_pos[key] = kpos
        return YMap(values, key_pos, self.pos(node))


def type_name(value: YValue) -> str:
    """What a value is, in the words of an error message: 'a list', 'true/false', ..."""
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YSeq):
        return "a list"
    if value.value is None:
        return "nothing"
    if isinstance(value.value, bool):
        return "true/false"
    if isinstance(value.value, dt.date):
        return "a date"
    if isinstance(value.value, int | float):
        return "a number"
    return "text"
