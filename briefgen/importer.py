"""Turning raw clippings into article files: content/articles/<slug>.md with front matter.

Everything is checked before anything is written, so a batch either imports
whole or leaves the project as it was.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from briefgen.clipping import Clipping, RemovedLine, clean_clipping, decode_bytes
from briefgen.errors import BuildFailed, Diagnostic, SourcePos, did_you_mean
from briefgen.frontmatter import parse_front_matter
from briefgen.load import (
    ARTICLE_KEYS,
    ARTICLE_SUFFIXES,
    HTTP_URL,
    ISSUE_SUFFIXES,
    check_article_front,
    read_text,
    source_files,
)
from briefgen.project import Project, find_project
from briefgen.webpage import HtmlSupportMissing, looks_like_html, read_page
from briefgen.yamlsrc import YMap, YScalar, YSeq, YValue

_SLUG_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """What the command line says: front matter fields, which win over the text's own,
    and whether an earlier import may be replaced."""

    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: date | None = None
    issues: tuple[str, ...] = ()
    force: bool = False


@dataclass(frozen=True, slots=True)
class Clip:
    """One clipping to import: where it came from and its bytes."""

    name: str
    """The file name as given, or '-' for standard input."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Imported:
    clip_name: str
    path: Path
    title: str
    removed: tuple[RemovedLine, ...]
    warning: str | None
    replaced: bool
    title_inferred: str | None = None
    """Where the title came from when the clipping marked none ("first sentence")."""
    unchanged: bool = False
    """Already in the project word for word: nothing was written."""


# Scripts that a letter-by-letter transliteration makes unreadable: Japanese kana (its
# kanji would be read as Chinese), and Arabic and Hebrew (written without vowels).
_NO_STANDARD_TRANSLITERATION = re.compile(r"[\u3040-\u30ff\u0590-\u06ff\u0750-\u077f]")

_HAN = re.compile(r"[\u4e00-\u9fff\u3400-\u4dbf]")


def article_slug(title: str) -> str:
    """A short ASCII slug: Latin accents folded ("Đà Nẵng" -> "da-nang"), Cyrillic, Greek,
    Chinese and Korean transliterated, apostrophes dropped ("Xi’s" -> "xis"); '' when the
    title has no letters or digits that transliterate readably."""
    from slugify import slugify as transliterated_slug

    if _NO_STANDARD_TRANSLITERATION.search(title):
        return ""
    return transliterated_slug(
        title,
        max_length=_SLUG_LIMIT,
        word_boundary=True,
        save_order=True,
        replacements=[["’", ""], ["'", ""], ["ß", "ss"]],
    )


def import_clippings(
    names: Sequence[str], project_dir: Path, options: ImportOptions
) -> list[Imported]:
    """Import the clipping files names ('-' is standard input) into the project at
    project_dir; raise BuildFailed, writing nothing, when any of them cannot be imported."""
    project = find_project(project_dir)
    check_issue_ids(options.issues, project)
    return _import_clips(read_clips(names), project, options)


def read_clips(names: Sequence[str]) -> list[Clip]:
    """The bytes of every file named ('-' reads standard input); BuildFailed if any is
    unreadable."""
    clips: list[Clip] = []
    problems: list[Diagnostic] = []
    for name in names:
        if name == "-":
            clips.append(Clip("-", sys.stdin.buffer.read()))
            continue
        try:
            clips.append(Clip(name, Path(name).read_bytes()))
        except OSError as exc:
            problems.append(Diagnostic(SourcePos(Path(name)), f"cannot read: {exc.strerror}"))
    if problems:
        raise BuildFailed(problems)
    return clips


def check_issue_ids(ids: tuple[str, ...], project: Project) -> None:
    """Raise BuildFailed when an id names no issue file of the project."""
    known = _issue_ids(project)
    unknown = [i for i in ids if i not in known]
    if unknown:
        where = SourcePos(project.issues)
        raise BuildFailed(
            Diagnostic(
                where,
                f"--issues names '{i}', which is not an issue{did_you_mean(i, known)}; "
                f"expected one of: {', '.join(known) or '(no issues yet)'}",
            )
            for i in unknown
        )


def _import_clips(clips: list[Clip], project: Project, options: ImportOptions) -> list[Imported]:
    """Clean every clipping and write it as an article, or write nothing when any of them
    cannot be imported."""
    diagnostics: list[Diagnostic] = []
    _remove_stale_temp_files(project.articles)
    existing = existing_ids(project.articles)
    known_issues = _issue_ids(project)
    planned: set[str] = set()
    results: list[tuple[Imported, str]] = []
    for clip in clips:
        prepared = _prepare(clip, options, known_issues, diagnostics)
        if prepared is None:
            continue
        imported, text = prepared
        slug = _free_slug(_slug_for(imported.title, clip.name), planned)
        target = project.articles / f"{slug}.md"
        clash = existing.get(slug)
        if clash == target and _holds(target, text):
            clash = None  # imported before, word for word (a rerun of an interrupted batch)
            imported = replace(imported, unchanged=True)
        if clash is not None and not (options.force and clash == target):
            hint = "use --force to replace it" if clash == target else "rename or remove it"
            diagnostics.append(
                Diagnostic(
                    SourcePos(Path(clip.name)),
                    f"an article with id '{slug}' already exists ({clash.name}); {hint}, "
                    "or give another --title",
                )
            )
            continue
        planned.add(slug)
        results.append((replace(imported, path=target, replaced=clash is not None), text))
    if diagnostics:
        raise BuildFailed(diagnostics)
    project.articles.mkdir(parents=True, exist_ok=True)
    _write_batch([(i.path, text) for i, text in results if not i.unchanged])
    return [imported for imported, _text in results]


def _write_batch(files: list[tuple[Path, str]]) -> None:
    """Write every file to a temporary file first, then put them all in place.

    An import killed on the way leaves the project as it was, or some articles of the
    batch complete, never half a file; its temporary files are removed by the next import,
    and rerunning it writes the rest (articles already written count as imported).
    """
    temps: list[tuple[Path, Path]] = []
    try:
        for path, text in files:
            temp = path.with_name(f".{path.name}.{os.getpid()}{_TEMP_SUFFIX}")
            temps.append((temp, path))
            temp.write_bytes(text.encode("utf-8"))
        for temp, path in temps:
            os.replace(temp, path)
    except BaseException:
        for temp, _path in temps:
            temp.unlink(missing_ok=True)
        raise


_TEMP_SUFFIX = ".import-tmp"
_TEMP_NAME = re.compile(r"^\..+\.(\d+)" + re.escape(_TEMP_SUFFIX) + "$")


def _remove_stale_temp_files(folder: Path) -> None:
    """Remove the temporary files of imports that were killed (their process is gone)."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        match = _TEMP_NAME.match(path.name)
        if match and not _process_alive(int(match[1])):
            path.unlink(missing_ok=True)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's process
    return True


def _holds(path: Path, text: str) -> bool:
    try:
        return path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def _issue_ids(project: Project) -> list[str]:
    return [path.stem for path in source_files(project.issues, ISSUE_SUFFIXES)]


def _prepare(
    clip: Clip, options: ImportOptions, known_issues: list[str], diagnostics: list[Diagnostic]
) -> tuple[Imported, str] | None:
    """The cleaned clipping as an Imported (path still unset) and its file text."""
    where = Path(clip.name)
    text, warning = decode_bytes(clip.data)
    if looks_like_html(clip.name, text):
        return _prepare_page(clip, text, warning, options, diagnostics)
    parsed = _front_fields(text.replace("\r\n", "\n"), where, known_issues, diagnostics)
    if parsed is None:
        return None
    fields, body = parsed
    given_title = options.title or _as_text(fields.get("title"))
    clipping = clean_clipping(body, title=given_title)
    if clipping.title is None or not clipping.markdown.strip():
        diagnostics.append(
            Diagnostic(SourcePos(where), "the clipping is empty; expected a headline and text")
        )
        return None
    stated: dict[str, object] = {
        "source": clipping.source,
        "author": clipping.author,
        "published": clipping.published,
    }
    return _finish(clip, fields, stated, clipping, clipping.removed, warning, options)


def _prepare_page(
    clip: Clip,
    html: str,
    warning: str | None,
    options: ImportOptions,
    diagnostics: list[Diagnostic],
) -> tuple[Imported, str] | None:
    """A saved web page: its article found by the extraction library, then cleaned."""
    try:
        page = read_page(html)
    except HtmlSupportMissing:
        diagnostics.append(
            Diagnostic(
                SourcePos(Path(clip.name)),
                "importing web pages needs the HTML extra; install it with "
                "pip install 'briefgen[html]', or paste the article's text into a .txt file",
            )
        )
        return None
    if page is None:
        diagnostics.append(
            Diagnostic(
                SourcePos(Path(clip.name)),
                "no article text found in this page; expected a saved article page (or "
                "paste the article's text into a .txt file and import that)",
            )
        )
        return None
    clipping = clean_clipping(page.text, title=options.title or page.title)
    if clipping.title is None or not clipping.markdown.strip():
        diagnostics.append(
            Diagnostic(SourcePos(Path(clip.name)), "no article text found in this page")
        )
        return None
    stated: dict[str, object] = {
        "source": page.source or clipping.source,
        "author": page.author or clipping.author,
        "published": page.published or clipping.published,
        "url": page.url if page.url and HTTP_URL.match(page.url) else None,
    }
    cleaned = tuple(replace(line, line=_line_of(html, line.text)) for line in clipping.removed)
    removed = tuple(sorted((*page.left_out, *cleaned), key=lambda line: line.line))
    return _finish(clip, {}, stated, clipping, removed, warning, options)


def _line_of(html: str, text: str) -> int:
    """The line of the HTML file where text first appears (1 when it is not found as is)."""
    body = re.search(r"<body\b", html, re.I)
    found = html.find(text, body.start() if body else 0)
    return html.count("\n", 0, found) + 1 if found >= 0 else 1


def _finish(
    clip: Clip,
    fields: dict[str, object],
    stated: dict[str, object],
    clipping: Clipping,
    removed: tuple[RemovedLine, ...],
    warning: str | None,
    options: ImportOptions,
) -> tuple[Imported, str]:
    """The front matter (flags win over the file's own fields, which win over what the
    text states) and the article file's text."""
    assert clipping.title is not None
    flags: dict[str, object] = {
        "source": options.source,
        "published": options.published,
        "url": options.url,
        "issues": list(options.issues),
    }
    fields.update({key: value for key, value in flags.items() if value})
    fields.update({k: v for k, v in stated.items() if v and k not in fields})
    fields["title"] = clipping.title
    imported = Imported(
        clip.name,
        Path(),
        clipping.title,
        removed,
        warning,
        replaced=False,
        title_inferred=clipping.title_inferred,
    )
    return imported, article_text(fields, clipping.markdown)


def _front_fields(
    text: str, where: Path, known_issues: list[str], diagnostics: list[Diagnostic]
) -> tuple[dict[str, object], str] | None:
    """The clipping's own front matter as plain values ({} without one), and the body;
    None when the build would refuse the front matter, with the build's diagnostics."""
    before = len(diagnostics)
    node, body = parse_front_matter(text, where, diagnostics)
    if node is not None and len(diagnostics) == before:
        check_article_front(node, where, diagnostics)
        _check_issue_field(node, known_issues, diagnostics)
    if len(diagnostics) > before:
        return None
    return (_plain_fields(node) if node is not None else {}), body


def _check_issue_field(node: YMap, known: list[str], diagnostics: list[Diagnostic]) -> None:
    """The clipping's 'issues' must name issues of the project, as the build's check says."""
    value = node.values.get("issues")
    items = value.items if isinstance(value, YSeq) else [value] if value is not None else []
    for item in items:
        if isinstance(item, YScalar) and isinstance(item.value, str) and item.value not in known:
            diagnostics.append(
                Diagnostic(
                    item.pos,
                    f"front matter 'issues' names unknown issue '{item.value}'"
                    f"{did_you_mean(item.value, known)}; expected one of: "
                    f"{', '.join(known) or '(no issues yet)'}",
                )
            )


def _plain_fields(node: YMap) -> dict[str, object]:
    return {key: _plain(value) for key, value in node.values.items()}


def _plain(node: YValue) -> object:
    """The value yaml.safe_load would give, so the article file keeps dates and lists."""
    if isinstance(node, YMap):
        return _plain_fields(node)
    if isinstance(node, YSeq):
        return [_plain(item) for item in node.items]
    if isinstance(node.value, bool):
        return node.text  # `source: NO` is Norway: written back as text, as the build reads it
    return node.value


def _as_text(value: object) -> str | None:
    """A field as the build reads text: numbers and dates count, true/false does not."""
    if isinstance(value, bool) or not isinstance(value, str | int | float | date):
        return None
    return str(value).strip() or None


def article_text(fields: dict[str, object], markdown: str) -> str:
    """The article file: YAML front matter, then the cleaned Markdown body."""
    ordered = {k: fields[k] for k in ARTICLE_KEYS if k in fields}
    ordered.update(fields)
    front = yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n\n{markdown}"


def existing_ids(folder: Path) -> dict[str, Path]:
    """The ids of the articles in folder: front matter 'id', else the file name."""
    ids: dict[str, Path] = {}
    for path in source_files(folder, ARTICLE_SUFFIXES):
        ids[path.stem] = path
        declared = _declared_id(path)
        if declared:
            ids[declared] = path
    return ids


def _declared_id(path: Path) -> str | None:
    text = read_text(path, [])
    node, _body = parse_front_matter(text, path, []) if text is not None else (None, "")
    value = node.values.get("id") if node is not None else None
    return _as_text(value.value) if isinstance(value, YScalar) else None


def _slug_for(title: str, clip_name: str) -> str:
    """The slug of the title; for a title in a script without a readable transliteration,
    of the file name, or else a short hash of the title."""
    from_name = article_slug(Path(clip_name).stem) if clip_name != "-" else ""
    if from_name and _HAN.search(title):
        return from_name  # Han characters read one by one, in Mandarin even in Japanese
    slug = article_slug(title) or from_name
    return slug or "article-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def _free_slug(base: str, planned: set[str]) -> str:
    """Two clippings of one batch with the same title get -2, -3 ..."""
    slug, n = base, 2
    while slug in planned:
        slug, n = f"{base}-{n}", n + 1
    return slug
