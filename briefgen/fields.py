"""Typed reading of YAML mappings: every mistake becomes a Diagnostic with a position."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable

from briefgen.errors import Diagnostic, SourcePos, close_matches, did_you_mean
from briefgen.yamlsrc import REFUSED, YMap, YScalar, YSeq, YValue, type_name

SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_SLUG_CHAR = re.compile(r"[A-Za-z0-9_.-]")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def slug_problem(value: str) -> str | None:
    """What is wrong with value as an id, worded to follow 'an id'; None when it is fine."""
    if not value:
        return "must not be empty"
    bad = sorted({char for char in value if not _SLUG_CHAR.fullmatch(char)})
    if bad:
        shown = ", ".join(repr(char) for char in bad)
        return f"may hold only ASCII letters, digits, '-', '_' and '.', not {shown}"
    if not SLUG.match(value):
        return "must start with a letter or digit"
    return None


class Fields:
    """Reads the fields of one mapping; unknown keys are reported at once."""

    def __init__(
        self,
        node: YMap,
        allowed: Iterable[str],
        diagnostics: list[Diagnostic],
        what: str,
    ) -> None:
        self.node = node
        self.diagnostics = diagnostics
        self.what = what
        allowed = tuple(allowed)
        self.misspelt: set[str] = set()
        """Known keys that an unknown key was taken for: their absence is not reported again."""
        for key, pos in node.key_pos.items():
            if key not in allowed:
                hint = did_you_mean(key, allowed)
                self.misspelt.update(close_matches(key, allowed))
                self.error(
                    pos,
                    f"unknown key '{key}' in {what}{hint}; expected one of: {', '.join(allowed)}",
                    "unknown-key",
                )

    def error(self, pos: SourcePos, message: str, code: str = "error") -> None:
        self.diagnostics.append(Diagnostic(pos, message, code))

    def pos(self, key: str) -> SourcePos:
        value = self.node.values.get(key)
        return value.pos if value is not None else self.node.pos

    def has(self, key: str) -> bool:
        value = self.node.values.get(key)
        return value is not None and not (isinstance(value, YScalar) and value.value is None)

    def _get(self, key: str, required: bool) -> YValue | None:
        value = self.node.values.get(key)
        if isinstance(value, YScalar) and value.tag == REFUSED:
            return None  # reported where it was read
        if not self.has(key):
            if required and key not in self.misspelt:
                self.error(
                    self.node.pos, f"missing required field '{key}' in {self.what}", "missing-field"
                )
            return None
        return self.node.values[key]

    def _wrong(self, key: str, value: YValue, expected: str) -> None:
        self.error(
            value.pos, f"field '{key}' must be {expected}, not {type_name(value)}", "wrong-type"
        )

    def text(self, key: str, *, required: bool = False) -> str | None:
        value = self._get(key, required)
        if value is None:
            return None
        if isinstance(value, YScalar):
            # Text as written: YAML 1.1 reads `actor: NO` (Norway) as false, 1.10 as 1.1.
            text = value.text or str(value.value)
            if required and not text.strip():
                self.error(value.pos, f"field '{key}' must not be empty", "empty-field")
            return text
        self._wrong(key, value, "text")
        return None

    def integer(self, key: str) -> int | None:
        value = self._get(key, False)
        if value is None:
            return None
        if (
            isinstance(value, YScalar)
            and isinstance(value.value, int)
            and not isinstance(value.value, bool)
        ):
            return value.value
        self._wrong(key, value, "a whole number")
        return None

    def date(self, key: str, *, required: bool = False) -> dt.date | None:
        value = self._get(key, required)
        if value is None:
            return None
        parsed = as_date(value)
        if parsed is None:
            shown = value.value if isinstance(value, YScalar) else type_name(value)
            why = _calendar_problem(shown) if isinstance(shown, str) else None
            if why is not None:
                self.error(
                    value.pos, f"field '{key}' is '{shown}', not a real date: {why}", "bad-date"
                )
            else:
                self.error(
                    value.pos, f"field '{key}' must be a date YYYY-MM-DD, not '{shown}'", "bad-date"
                )
        return parsed

    def choice(self, key: str, choices: Iterable[str]) -> str | None:
        choices = tuple(choices)
        value = self._get(key, False)
        if value is None:
            return None
        if isinstance(value, YScalar) and isinstance(value.value, str | bool):
            word = value.text or str(value.value)
            if word in choices:
                return word
            hint = did_you_mean(word, choices)
            self.error(
                value.pos,
                f"field '{key}' is '{word}'{hint}; expected one of: " + ", ".join(choices),
                "bad-choice",
            )
            return None
        self._wrong(key, value, "one of: " + ", ".join(choices))
        return None

    def mapping(self, key: str, *, required: bool = False) -> YMap | None:
        value = self._get(key, required)
        if value is None or isinstance(value, YMap):
            return value
        self._wrong(key, value, "a mapping of fields")
        return None

    def items(self, key: str, *, required: bool = False) -> tuple[YValue, ...]:
        value = self._get(key, required)
        if value is None:
            return ()
        if isinstance(value, YSeq):
            return value.items
        self._wrong(key, value, "a list")
        return ()

    def texts(self, key: str) -> tuple[str, ...]:
        out: list[str] = []
        for item in self.items(key):
            if isinstance(item, YScalar) and item.tag == REFUSED:
                continue
            if isinstance(item, YScalar) and item.value is not None:
                out.append(item.text or str(item.value))
            else:
                self.error(
                    item.pos,
                    f"each entry of '{key}' must be text, not {type_name(item)}",
                    "wrong-type",
                )
        return tuple(out)


def as_date(value: YValue) -> dt.date | None:
    if not isinstance(value, YScalar):
        return None
    if isinstance(value.value, dt.datetime):
        return value.value.date()
    if isinstance(value.value, dt.date):
        return value.value
    if isinstance(value.value, str):
        try:
            return dt.date.fromisoformat(value.value.strip())
        except ValueError:
            return None
    return None


def _calendar_problem(text: str) -> str | None:
    """Why a well-formed YYYY-MM-DD is no day of the calendar; None if it is not well formed."""
    match = _ISO_DATE.fullmatch(text.strip())
    if match is None:
        return None
    year, month, day = (int(part) for part in match.groups())
    if year == 0:
        return "there is no year 0"
    if not 1 <= month <= 12:
        return f"there is no month {month}"
    if day == 0:
        return "there is no day 0"
    return f"{calendar.month_name[month]} {year} has {calendar.monthrange(year, month)[1]} days"
