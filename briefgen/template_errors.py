"""Template errors in the template's own terms: which name is missing, and what exists there.

Jinja's own messages name Python classes ('briefgen.index.SiteIndex object' has no
attribute 'x'); a theme author knows only the names the template uses. The environment
uses Missing for undefined values and LookupContext for its variables, so that an
error knows what was looked up and what could have been; message() then words it with
the expression as the template writes it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import jinja2
from jinja2.runtime import Context
from jinja2.utils import missing

_JINJA_NAMES = frozenset(jinja2.Environment().globals)
"""range, dict, lipsum, cycler, joiner, namespace: Jinja's own, not the theme's."""
_SHOWN = 30
"""At most this many available names are listed."""


class MissingValue(jinja2.UndefinedError):
    """A variable, attribute or key that does not exist where a template uses it."""

    def __init__(self, name: object, owner: object, available: tuple[str, ...]) -> None:
        self.name = name
        self.owner = owner
        """The value the attribute or key was looked up on; jinja's `missing` for a variable."""
        self.available = available
        super().__init__(self.plain())

    def plain(self, expression: str | None = None) -> str:
        """The message; expression is how the template spells the owner, when known."""
        shown = _listing(self.available)
        if self.owner is missing:
            return f"'{self.name}' is not defined here; defined here: {shown or 'nothing'}"
        what = f"'{expression}'" if expression else f"this value ({kind_of(self.owner)})"
        if isinstance(self.owner, Mapping):
            return f"{what} has no key {self.name!r}; its keys: {shown or 'none'}"
        if isinstance(self.name, str) and not shown:
            return f"{what} is {kind_of(self.owner)}, which has no attribute '{self.name}'"
        if isinstance(self.name, str):
            return f"{what} has no attribute '{self.name}'; it has: {shown}"
        return f"{what} has no item {self.name!r}"


class Missing(jinja2.StrictUndefined):
    """StrictUndefined whose error is a MissingValue: what was looked up, and where."""

    __slots__ = ()

    def __init__(
        self,
        hint: str | None = None,
        obj: Any = missing,
        name: str | None = None,
        exc: type[jinja2.TemplateRuntimeError] = jinja2.UndefinedError,
        available: Iterable[str] = (),
    ) -> None:
        if hint is None and obj is not missing:
            available = names_of(obj)
        known = tuple(available)

        def failure(_message: str) -> jinja2.TemplateRuntimeError:
            return MissingValue(name, obj, known) if hint is None else exc(hint)

        super().__init__(hint, obj, name, failure)  # type: ignore[arg-type]


class LookupContext(Context):
    """A template context whose missing variables know the template's variables."""

    def resolve_or_missing(self, key: str) -> Any:
        value = super().resolve_or_missing(key)
        if value is missing and self.environment.undefined is Missing:
            names = (n for n in self.get_all() if n not in _JINJA_NAMES)
            return Missing(name=key, available=sorted(names))
        return value

    def __getitem__(self, key: str) -> Any:
        value = super().__getitem__(key)
        if isinstance(value, Missing):
            raise KeyError(key)  # as Context promises
        return value


def names_of(value: object) -> tuple[str, ...]:
    """What a template can look up on value: keys of a mapping, else public attributes."""
    if isinstance(value, Mapping):
        return tuple(str(k) for k in value)
    if dataclasses.is_dataclass(value):
        fields = [f.name for f in dataclasses.fields(value)]
        extra = [n for n in dir(type(value)) if not n.startswith("_") and n not in fields]
        return tuple(sorted([*fields, *extra]))
    if isinstance(value, str | int | float | list | tuple | dt.date) or value is None:
        return ()  # their Python methods are nothing a template writer needs
    return tuple(n for n in dir(value) if not n.startswith("_"))


def kind_of(value: object) -> str:
    """A value as a template writer knows it, never by its Python class."""
    if value is None:
        return "an empty value (none)"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, bool | int | float):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, Callable):  # type: ignore[arg-type]
        return "a function"
    return "this value"


def message(exc: Exception, line: str | None) -> str:
    """exc worded for a theme author; line is the template line that raised it."""
    if isinstance(exc, MissingValue):
        return exc.plain(_owner_expression(exc.name, line) if exc.owner is not missing else None)
    if isinstance(exc, jinja2.TemplateError):
        return _without_classes(str(exc))
    return _without_classes(str(exc)) or "the template failed here"


def _owner_expression(name: object, line: str | None) -> str | None:
    """How the line spells what name was looked up on: 'site' in '{{ site.nope }}'."""
    if line is None:
        return None
    key = re.escape(str(name))
    path = r"[A-Za-z_]\w*(?:\.\w+|\[[^\]\[]*\])*"
    found = re.search(rf"({path})(?:\.{key}\b|\[\s*['\"]?{key}['\"]?\s*\])", line)
    return found[1] if found else None


_CLASS_OBJECT = re.compile(r"'?(?:[\w.]+\.)?(\w+)'? object")


def _without_classes(text: str) -> str:
    """Jinja's and Python's messages with 'SiteIndex object' and the like made plain."""
    return _CLASS_OBJECT.sub("this value", text)


def _listing(names: Iterable[str]) -> str:
    names = list(names)
    shown = ", ".join(names[:_SHOWN])
    more = len(names) - _SHOWN
    return f"{shown} (and {more} more)" if more > 0 else shown
