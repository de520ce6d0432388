"""Turning raw clippings into article files: content/articles/<slug>.md with front matter.

Everything is checked before anything is written, so a batch either imports
whole or leaves the project as it was.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from briefgen.clipping import Clipping, RemovedLine, clean_clipping, decode_bytes
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.load import ARTICLE_SUFFIXES, slugify
from briefgen.project import Project

_SLUG_LIMIT = 50


@dataclass(frozen=True, slots=True)
class ImportOptions:
    """Front matter given on the command line; it wins over what the text states."""

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
    clip: str
    path: Path
    title: str
    removed: tuple[RemovedLine, ...]
    warning: str | None
    replaced: bool


def article_slug(title: str) -> str:
    """A short ASCII slug: accents folded, apostrophes dropped ("Xi’s" -> "xis"), dashes split."""
    words = re.sub(r"[^\w'’]+", " ", title.replace("_", " "))
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    return slugify(re.sub(r"['’]", "", ascii_words), limit=_SLUG_LIMIT)


def import_clippings(clips: list[Clip], project: Project, options: ImportOptions) -> list[Imported]:
    """Clean every clipping and write it as an article; raise BuildFailed, writing nothing,
    when any of them cannot be imported."""
    diagnostics: list[Diagnostic] = []
    existing = _existing_articles(project.articles)
    planned: dict[str, Path] = {}
    results: list[tuple[Imported, str]] = []
    for clip in clips:
        where = SourcePos(Path(clip.name))
        text, warning = decode_bytes(clip.data)
        clipping = clean_clipping(text, title=options.title)
        if clipping.title is None or not clipping.markdown.strip():
            diagnostics.append(
                Diagnostic(where, "the clipping is empty; expected a headline and text")
            )
            continue
        slug = _free_slug(article_slug(clipping.title), planned)
        target = project.articles / f"{slug}.md"
        clash = existing.get(slug)
        if clash is not None and not (options.force and clash == target):
            hint = "use --force to replace it" if clash == target else "rename or remove it"
            diagnostics.append(
                Diagnostic(
                    where,
                    f"an article with id '{slug}' already exists ({clash.name}); {hint}, "
                    "or give another --title",
                )
            )
            continue
        planned[slug] = target
        imported = Imported(
            clip.name, target, clipping.title, clipping.removed, warning, clash is not None
        )
        results.append((imported, article_text(clipping, options)))
    if diagnostics:
        raise BuildFailed(diagnostics)
    project.articles.mkdir(parents=True, exist_ok=True)
    for imported, text in results:
        _write_atomically(imported.path, text)
    return [imported for imported, _text in results]


def article_text(clipping: Clipping, options: ImportOptions) -> str:
    """The article file: YAML front matter, then the cleaned Markdown body."""
    fields: dict[str, object] = {"title": clipping.title}
    for key, value in (
        ("source", options.source or clipping.source),
        ("author", clipping.author),
        ("published", options.published or clipping.published),
        ("url", options.url),
        ("issues", list(options.issues)),
    ):
        if value:
            fields[key] = value
    front = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{front}---\n\n{clipping.markdown}"


def _existing_articles(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        return {}
    return {p.stem: p for p in folder.iterdir() if p.suffix in ARTICLE_SUFFIXES}


def _free_slug(base: str, planned: dict[str, Path]) -> str:
    """Two clippings of one batch with the same title get -2, -3 ..."""
    slug, n = base, 2
    while slug in planned:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _write_atomically(path: Path, text: str) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
            out.write(text)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
