"""Parts of briefing.yaml that only some commands read (`publish:`, `mailing_lists:`).

A build accepts them and leaves them alone; the command that needs one reads it here,
with positions for its mistakes.
"""

from __future__ import annotations

from pathlib import Path

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.yamlsrc import YMap, YValue, parse_yaml


def settings_section(settings_file: Path, key: str) -> YValue | None:
    """The value of one top-level key of briefing.yaml, or None; raises BuildFailed
    when the file cannot be read or parsed (a build would report the same)."""
    diagnostics: list[Diagnostic] = []
    try:
        text = settings_file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise BuildFailed([Diagnostic(SourcePos(settings_file), f"cannot read: {exc}")]) from None
    node = parse_yaml(text, settings_file, diagnostics)
    if diagnostics:
        raise BuildFailed(diagnostics)
    if not isinstance(node, YMap):
        return None
    return node.values.get(key)
