"""Turning raw clippings into article files: content/articles/<slug>.md with front matter.

Everything is checked before anything is written, so a batch either imports
whole or leaves the project as it was.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import yaml

from briefgen.clipping import RemovedLine, clean_clipping, decode_bytes
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.frontmatter import split_front_matter
from briefgen.load import ARTICLE_SUFFIXES, slugify, source_files
from briefgen.project import Project
from briefgen.write import replace_file

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


def article_slug(title: str) -> str:
    """A short ASCII slug: accents folded, apostrophes dropped ("Xi’s" -> "xis"), dashes
    split; '' when the title has no Latin letters or digits."""
    words = re.sub(r"[^\w'’]+", " ", title.replace("_", " "))
    ascii_words = unicodedata.normalize("NFKD", words).encode("ascii", "ignore").decode()
    ascii_words = re.sub(r"['’]", "", ascii_words)
    return slugify(ascii_words, limit=_SLUG_LIMIT) if re.search("[A-Za-z0-9]", ascii_words) else ""


def import_clippings(clips: list[Clip], project: Project, options: ImportOptions) -> list[Imported]:
    """Clean every clipping and write it as an article; raise BuildFailed, writing nothing,
    when any of them cannot be imported."""
    diagnostics: list[Diagnostic] = []
    existing = existing_ids(project.articles)
    planned: set[str] = set()
    results: list[tuple[Imported, str]] = []
    for clip in clips:
        prepared = _prepare(clip, options, diagnostics)
        if prepared is None:
            continue
        imported, text = prepared
        slug = _free_slug(_slug_for(imported.title, clip.name), planned)
        target = project.articles / f"{slug}.md"
        clash = existing.get(slug)
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
    for imported, text in results:
        replace_file(imported.path, text.encode("utf-8"))
    return [imported for imported, _text in results]


def _prepare(
    clip: Clip, options: ImportOptions, diagnostics: list[Diagnostic]
) -> tuple[Imported, str] | None:
    """The cleaned clipping as an Imported (path still unset) and its file text."""
    where = Path(clip.name)
    text, warning = decode_bytes(clip.data)
    front, body = split_front_matter(text.replace("\r\n", "\n"), where, diagnostics)
    fields = _front_fields(front, where, diagnostics)
    if fields is None:
        return None
    given_title = options.title or _text_field(fields, "title")
    clipping = clean_clipping(body, title=given_title)
    if clipping.title is None or not clipping.markdown.strip():
        diagnostics.append(
            Diagnostic(SourcePos(where), "the clipping is empty; expected a headline and text")
        )
        return None
    flags = {
        "source": options.source,
        "published": options.published,
        "url": options.url,
        "issues": list(options.issues),
    }
    stated = {"source": clipping.source, "author": clipping.author, "published": clipping.published}
    fields.update({key: value for key, value in flags.items() if value})
    fields.update({k: v for k, v in stated.items() if v and k not in fields})
    fields["title"] = clipping.title
    imported = Imported(clip.name, Path(), clipping.title, clipping.removed, warning, False)
    return imported, article_text(fields, clipping.markdown)


def _front_fields(
    front: str | None, where: Path, diagnostics: list[Diagnostic]
) -> dict[str, object] | None:
    """The clipping's own front matter as a mapping ({} without one); None if broken."""
    if front is None:
        return {} if not diagnostics else None
    try:
        fields = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        pos = SourcePos(where, mark.line + 2, mark.column + 1) if mark else SourcePos(where)
        diagnostics.append(Diagnostic(pos, f"front matter is not valid YAML: {exc}"))
        return None
    if fields is None:
        return {}
    if not isinstance(fields, dict):
        diagnostics.append(
            Diagnostic(SourcePos(where, 2), "front matter must be a mapping of fields")
        )
        return None
    return {str(key): value for key, value in fields.items()}


def _text_field(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value.strip() or None if isinstance(value, str) else None


def article_text(fields: dict[str, object], markdown: str) -> str:
    """The article file: YAML front matter, then the cleaned Markdown body."""
    order = ("title", "id", "source", "author", "published", "url", "issues", "summary")
    ordered = {k: fields[k] for k in order if k in fields}
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
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    front, _body = split_front_matter(text, path, [])
    try:
        fields = yaml.safe_load(front) if front else None
    except yaml.YAMLError:
        return None
    value = fields.get("id") if isinstance(fields, dict) else None
    return str(value) if value else None


def _slug_for(title: str, clip_name: str) -> str:
    """The slug of the title; for a title in another script, of the file name, or else
    a short hash of the title."""
    slug = article_slug(title) or (article_slug(Path(clip_name).stem) if clip_name != "-" else "")
    return slug or "article-" + hashlib.sha1(title.encode()).hexdigest()[:8]


def _free_slug(base: str, planned: set[str]) -> str:
    """Two clippings of one batch with the same title get -2, -3 ..."""
    slug, n = base, 2
    while slug in planned:
        slug, n = f"{base}-{n}", n + 1
    return slug
