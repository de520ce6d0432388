"""Front matter: the YAML fields between '---' lines at the top of an article file."""

from __future__ import annotations

import re
from pathlib import Path

from briefgen.errors import Diagnostic, SourcePos
from briefgen.yamlsrc import YMap, parse_yaml, type_name


def split_front_matter(
    text: str, path: Path, diagnostics: list[Diagnostic]
) -> tuple[str | None, str]:
    """Return (front matter or None, body)."""
    if not text.startswith("---\n"):
        return None, text
    match = re.search(r"^(?:---|\.\.\.)[ \t]*$", text[4:], re.M)
    if match is None:
        diagnostics.append(
            Diagnostic(
                SourcePos(path, 1, 1),
                "front matter opened with '---' is never closed; expected a line '---' "
                "after the fields",
            )
        )
        return None, ""
    front = text[4 : 4 + match.start()]
    return front, text[4 + match.end() :].removeprefix("\n")


def parse_front_matter(
    text: str, path: Path, diagnostics: list[Diagnostic]
) -> tuple[YMap | None, str]:
    """The front matter's fields with positions in path (None without front matter or
    when it is broken, which diagnostics then says), and the body."""
    before = len(diagnostics)
    front, body = split_front_matter(text, path, diagnostics)
    if front is None or len(diagnostics) > before:
        return None, body
    node = parse_yaml(front, path, diagnostics, line_offset=1)
    if node is None or isinstance(node, YMap):
        return node, body
    diagnostics.append(
        Diagnostic(node.pos, f"front matter must be a mapping of fields, not {type_name(node)}")
    )
    return None, body
