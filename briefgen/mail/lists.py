"""Mailing lists: named lists in briefing.yaml (`mailing_lists:`) and address files.

    mailing_lists:
      team:                        # addresses written out
        - Ana Analyst <ana@example.org>
      board: lists/board.txt       # or a file, from the project folder: one address a line

An address file has one address per line; blank lines and lines starting with '#'
are ignored. A wrong address is a mistake at its line, and nothing is sent.
"""

from __future__ import annotations

from email.headerregistry import Address
from pathlib import Path

from briefgen.errors import BuildFailed, Diagnostic, SourcePos, did_you_mean
from briefgen.mail.addresses import parse_address
from briefgen.mail.errors import EmailFailed
from briefgen.project import Project
from briefgen.sections import settings_section
from briefgen.yamlsrc import YMap, YScalar, YSeq, type_name


def read_list_file(path: Path) -> tuple[Address, ...]:
    """The addresses of one address file; raises BuildFailed naming every wrong line."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BuildFailed(
            [Diagnostic(SourcePos(path), f"cannot read the address list: {reason}")]
        ) from None
    found: list[Address] = []
    diagnostics: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), start=1):
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        col = len(line) - len(line.lstrip()) + 1
        try:
            found.append(parse_address(entry, "address"))
        except EmailFailed as exc:
            diagnostics.append(Diagnostic(SourcePos(path, number, col), str(exc)))
    if diagnostics:
        raise BuildFailed(diagnostics)
    return tuple(found)


def named_list(project: Project, name: str) -> tuple[Address, ...]:
    """The addresses of mailing list `name` of briefing.yaml (an address file is read
    from the project folder); raises BuildFailed."""
    settings_file = project.settings_file
    section = settings_section(settings_file, "mailing_lists")
    if section is None:
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(settings_file),
                    f"no mailing list '{name}': briefing.yaml has no mailing_lists section",
                )
            ]
        )
    if not isinstance(section, YMap):
        raise BuildFailed(
            [Diagnostic(section.pos, "field 'mailing_lists' must be a mapping of list names")]
        )
    value = section.values.get(name)
    if value is None:
        names = tuple(section.values)
        raise BuildFailed(
            [
                Diagnostic(
                    section.pos,
                    f"no mailing list '{name}'{did_you_mean(name, names)}; "
                    f"expected one of: {', '.join(names)}",
                )
            ]
        )
    if isinstance(value, YScalar) and isinstance(value.value, str):
        return read_list_file(project.root / value.value)
    if not isinstance(value, YSeq):
        raise BuildFailed(
            [
                Diagnostic(
                    value.pos,
                    f"mailing list '{name}' must be a list of addresses or "
                    f"the path of an address file, not {type_name(value)}",
                )
            ]
        )
    found: list[Address] = []
    diagnostics: list[Diagnostic] = []
    for item in value.items:
        if not (isinstance(item, YScalar) and isinstance(item.value, str)):
            diagnostics.append(Diagnostic(item.pos, f"expected an address, not {type_name(item)}"))
            continue
        try:
            found.append(parse_address(item.value, "address"))
        except EmailFailed as exc:
            diagnostics.append(Diagnostic(item.pos, str(exc)))
    if diagnostics:
        raise BuildFailed(diagnostics)
    return tuple(found)


def check_lists(project: Project) -> None:
    """Read every mailing list of briefing.yaml; raise BuildFailed naming every mistake."""
    section = settings_section(project.settings_file, "mailing_lists")
    if section is None:
        return
    if not isinstance(section, YMap):
        raise BuildFailed(
            [Diagnostic(section.pos, "field 'mailing_lists' must be a mapping of list names")]
        )
    diagnostics: list[Diagnostic] = []
    for name in section.values:
        try:
            named_list(project, name)
        except BuildFailed as failed:
            diagnostics.extend(failed.diagnostics)
    if diagnostics:
        raise BuildFailed(diagnostics)
