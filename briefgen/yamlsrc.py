"""Safe YAML parsing that keeps the position of every value.

PyYAML's safe loader drops positions and silently keeps the last of two
duplicate keys, so we compose the node tree ourselves and convert it. Aliases
(`*name`) are refused: a few hundred bytes of nested aliases ("billion laughs")
expand to billions of values, and an alias inside its own anchor never ends.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Union

import yaml

from briefgen.errors import Diagnostic, SourcePos

try:  # the C composer is much faster when libyaml is present
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on the PyYAML build
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

_BINARY = "tag:yaml.org,2002:binary"
REFUSED = "!refused"
"""The tag of a scalar that was reported and stands for nothing: no follow-on errors."""
# C0 controls but tab and line breaks, DEL and C1 controls: invisible, and unsafe in
# HTML, feeds and mail headers. (A carriage return is a line break: the email header
# check names it as one.)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


@dataclass(frozen=True, slots=True)
class YScalar:
    """A scalar: str, int, float, bool, None, or a date, as YAML resolved it."""

    value: object
    pos: SourcePos
    tag: str
    text: str = ""
    """The scalar as written (quotes and escapes resolved): what a text field takes,
    so that `actor: NO` is Norway, not false."""


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


def parse_yaml(
    text: str, path: Path, diagnostics: list[Diagnostic], line_offset: int = 0
) -> YValue | None:
    """Parse one YAML document; syntax errors and duplicate keys go to diagnostics."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        line, col, message = explain_syntax_error(exc, text)
        diagnostics.append(
            Diagnostic(SourcePos(path, line + line_offset, col), message, "yaml-syntax")
        )
        return None
    except yaml.reader.ReaderError as exc:
        line, col = _line_col(text, exc.position)
        diagnostics.append(
            Diagnostic(
                SourcePos(path, line + line_offset, col),
                f"control character U+{exc.character:04X} is not allowed; remove it",
                "control-character",
            )
        )
        return None
    except yaml.YAMLError as exc:
        diagnostics.append(
            Diagnostic(SourcePos(path, 1 + line_offset, 1), f"YAML error: {exc}", "yaml-syntax")
        )
        return None
    if node is None:
        return None
    converter = _Converter(path, line_offset, diagnostics)
    value = converter.convert(node)
    if converter.aliased:
        diagnostics.append(_alias_diagnostic(text, path, line_offset))
        return None
    return value


class _Converter:
    def __init__(self, path: Path, line_offset: int, diagnostics: list[Diagnostic]) -> None:
        self.path = path
        self.line_offset = line_offset
        self.diagnostics = diagnostics
        self.constructor = yaml.SafeLoader("")
        self.seen: set[int] = set()
        self.aliased = False

    def pos(self, node: yaml.Node) -> SourcePos:
        mark = node.start_mark
        return SourcePos(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def convert(self, node: yaml.Node) -> YValue:
        # The composer gives an alias the very node of its anchor: meeting a node twice
        # means an alias, and stopping there keeps the walk linear and finite.
        if id(node) in self.seen or self.aliased:
            self.aliased = True
            return YScalar(None, self.pos(node), "tag:yaml.org,2002:null")
        self.seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            return self.mapping(node)
        if isinstance(node, yaml.SequenceNode):
            return YSeq(tuple(self.convert(item) for item in node.value), self.pos(node))
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> YScalar:
        pos = self.pos(node)
        text = str(node.value)
        if node.tag == _BINARY:
            self.diagnostics.append(
                Diagnostic(pos, "binary data (!!binary) is not allowed; expected text", "yaml-tag")
            )
            return YScalar(None, pos, REFUSED)
        control = _CONTROL.search(text)
        if control is not None:
            self.diagnostics.append(
                Diagnostic(
                    pos,
                    f"control character U+{ord(control.group()):04X} is not allowed "
                    "in text; remove it",
                    "control-character",
                )
            )
            return YScalar(None, pos, REFUSED)
        try:
            value = self.constructor.construct_object(node, deep=True)
        except Exception:  # any explicit tag on a bad value (!!int "", !!timestamp x)
            # e.g. 2026-02-30 resolves as a timestamp but is no date: keep the text
            # so the field's own check reports it with the expected form.
            value = node.value
        return YScalar(value, pos, node.tag, text)

    def mapping(self, node: yaml.MappingNode) -> YMap:
        values: dict[str, YValue] = {}
        key_pos: dict[str, SourcePos] = {}
        for key_node, value_node in node.value:
            kpos = self.pos(key_node)
            if not isinstance(key_node, yaml.ScalarNode):
                self.diagnostics.append(
                    Diagnostic(kpos, "a key must be a plain name", "yaml-syntax")
                )
                continue
            key = str(key_node.value)
            if key in values:
                first = key_pos[key]
                self.diagnostics.append(
                    Diagnostic(
                        kpos,
                        f"duplicate key '{key}' (first given on line {first.line})",
                        "duplicate-key",
                    )
                )
                continue
            values[key] = self.convert(value_node)
            key_pos[key] = kpos
        return YMap(values, key_pos, self.pos(node))


def _alias_diagnostic(text: str, path: Path, line_offset: int) -> Diagnostic:
    line, col, name = 1, 1, ""
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            if isinstance(token, yaml.AliasToken):
                line, col, name = (
                    token.start_mark.line + 1,
                    token.start_mark.column + 1,
                    token.value,
                )
                break
    except yaml.YAMLError:  # pragma: no cover - the text composed, so it scans
        pass
    return Diagnostic(
        SourcePos(path, line + line_offset, col),
        f"aliases such as '*{name}' are not allowed; write the value out in full",
        "yaml-alias",
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    before = text[:offset]
    return before.count("\n") + 1, offset - (before.rfind("\n") + 1) + 1


_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def explain_syntax_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, int, str]:
    """(line, column, message) for a YAML syntax error, in the words of a user who
    writes YAML by hand rather than PyYAML's parser states."""
    problem, context = exc.problem or "", exc.context or ""
    mark = exc.problem_mark or exc.context_mark
    line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    ctx = exc.context_mark
    ctx_line = ctx.line + 1 if ctx else line
    # The marks count lines as YAML does, which also breaks at \r, NEL, LS and PS.
    lines = _YAML_LINE_BREAK.split(text)
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    if "tab" in problem or (problem.startswith("found character") and here[col - 1 : col] == "\t"):
        return line, col, "a tab character; YAML indents with spaces only, replace it with spaces"
    if "unexpected end of stream" in problem and "quoted scalar" in context and ctx:
        quote = lines[ctx.line][ctx.column : ctx.column + 1] or '"'
        return (
            ctx_line,
            ctx.column + 1,
            f"the quote {quote} opened here is never closed; expected a closing {quote}",
        )
    if "could not find expected ':'" in problem and ctx:
        key = lines[ctx.line].strip()
        return (
            ctx_line,
            ctx.column + 1,
            f"missing ':' after the key in '{key}'; expected key: value",
        )
    if "expected ',' or ']'" in problem or "expected ',' or '}'" in problem:
        closing = "]" if "]" in problem else "}"
        opening = "[" if closing == "]" else "{"
        where = (ctx_line, ctx.column + 1) if ctx else (line, col)
        return (
            *where,
            f"the '{opening}' opened here is never closed, or its items lack commas; "
            f"expected ',' between items and '{closing}' at the end",
        )
    if "mapping values are not allowed" in problem:
        return _stray_colon(lines, line, col)
    if "single document" in context:
        return (
            line,
            col,
            "a second document ('---') in one file; expected one document: remove the '---' "
            "line, or move what follows into a file of its own",
        )
    if "undefined alias" in problem:
        return line, col, "aliases such as '*name' are not allowed; write the value out in full"
    before = here[: col - 1].rstrip()
    if "expected key" in problem and col - 1 > _indent(here) and before[-1:] in ("'", '"'):
        return (
            line,
            col,
            f"text after the closing quote {before[-1]}; a quote inside a quoted value ends "
            "it: write '' for ' inside '...', or put the value in the other kind of quotes",
        )
    stripped = here.strip()
    if stripped.startswith("-") and stripped[1:2] not in ("", " ", "-"):
        return (
            line,
            _indent(here) + 1,
            "a list entry needs a space after '-'; expected '- ' before the entry",
        )
    if (
        "expected '-' indicator" in problem
        or "did not find expected key" in problem
        or "expected <block end>" in problem
    ):
        return (
            line,
            _indent(here) + 1,
            f"this line's indentation does not fit the block that starts on line {ctx_line}; "
            "expected it indented like the entries it belongs with (spaces only)",
        )
    detail = f" ({context})" if context and problem else ""
    return line, col, f"YAML syntax error: {problem or context or 'invalid YAML'}{detail}"


def _stray_colon(lines: list[str], line: int, col: int) -> tuple[int, int, str]:
    here = lines[line - 1] if 0 < line <= len(lines) else ""
    above = next((n for n in range(line - 1, 0, -1) if lines[n - 1].strip()), None)
    if above is not None and _indent(here) > _indent(lines[above - 1]):
        previous = lines[above - 1].strip().removeprefix("- ")
        if ":" not in previous:
            return (
                above,
                _indent(lines[above - 1]) + 1,
                f"missing ':' after the key in '{previous}'; expected key: value",
            )
        return (
            line,
            _indent(here) + 1,
            f"this line is indented more than line {above}, which already has its value; "
            "expected it indented like the fields around it",
        )
    return (
        line,
        col,
        "a ': ' inside a value; put the value in quotes, e.g. title: \"Talks: day two\"",
    )


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


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
