"""The PDF briefing: print HTML from the theme's templates, laid out by WeasyPrint.

No network: images that are not the project's own files are left out of the print
HTML (with a warning), and WeasyPrint's URL fetcher serves only data: URIs and
files inside the theme and content folders; anything else is refused.

Log levels: a warning for every resource left out; nothing at info or above when
the PDF is made cleanly (WeasyPrint's own warnings pass through unchanged).
"""

from __future__ import annotations

import hashlib
import html as htmllib
import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from briefgen import __version__, urls
from briefgen.cache import tree_stamps
from briefgen.changes import NO_EDITIONS, Editions
from briefgen.collector import cycle_collection_paused
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.images import markdown_fields
from briefgen.index import SiteIndex, TimelineRow, merged_timeline, top_watch_items
from briefgen.model import (
    Article,
    Briefing,
    Cite,
    Issue,
    KeyJudgment,
    KeyPoint,
    WatchItem,
)
from briefgen.numbering import reading_order, source_numbers
from briefgen.project import Project
from briefgen.theme import Theme, template_diagnostic
from briefgen.weasyimport import import_weasyprint

logger = logging.getLogger(__name__)

PRINT_TEMPLATE = "print.html"
BRIEF_TEMPLATE = "print-brief.html"
BRIEF_CHECKLIST_ITEMS = 6
_TEXT_SOURCES = (".md", ".txt", ".yaml", ".yml")
"""Source files whose text reaches the PDF only through its HTML: the key has the HTML
and needs not stamp them (wherever they are, WeasyPrint never reads them)."""


# --- what the print templates need besides the model ----------------------------------


@dataclass(frozen=True, slots=True)
class Section:
    """A place in the PDF where a source is cited."""

    anchor: str
    title: str


@dataclass(frozen=True, slots=True)
class Note:
    """One entry of the Sources list; cite markers point at it by number."""

    number: int
    article: Article
    cited_in: tuple[Section, ...]

    @property
    def anchor(self) -> str:
        return f"src-{self.number}"


@dataclass(frozen=True, slots=True)
class PrintIndex:
    """Note numbers and groupings for the print templates.

    Notes carry the site's numbers (numbering.py): cited articles come first, in the
    order a reader meets them, so the PDF's list runs 1, 2, 3 ... without gaps. Each
    distinct article gets one number however often, and with whatever quotes, it is cited.
    """

    watch_groups: tuple[tuple[Issue, tuple[WatchItem, ...]], ...]
    """The checklist grouped by issue, in issue order."""
    notes: tuple[Note, ...]
    """The Sources list, in note order."""
    number: Mapping[str, int]
    """Article id -> note number."""
    uncited: int
    """Articles in the collection that no note points to."""
    uses_likelihood: bool
    uses_confidence: bool
    uses_status: bool

    @classmethod
    def of(cls, briefing: Briefing) -> PrintIndex:
        articles = {a.id: a for a in briefing.articles}
        groups: dict[str, list[WatchItem]] = {}
        for item in briefing.watch:
            groups.setdefault(item.issue, []).append(item)
        watch_groups = tuple(
            (issue, tuple(groups[issue.id])) for issue in briefing.issues if issue.id in groups
        )
        titles = {f"issue-{issue.id}": issue.title for issue in briefing.issues}
        titles.update({"key-judgments": "Key judgments", "watch": "What to watch"})
        cited: dict[str, list[Section]] = {}
        for place, cite in reading_order(briefing):
            sections = cited.setdefault(cite.article, [])
            section = Section(place, titles[place])
            if section not in sections:
                sections.append(section)
        numbers = source_numbers(briefing)
        notes = tuple(
            sorted(
                (
                    Note(numbers[article_id], articles[article_id], tuple(sections))
                    for article_id, sections in cited.items()
                    if article_id in articles
                ),
                key=lambda note: note.number,
            )
        )
        points: list[KeyJudgment | KeyPoint] = [
            *briefing.settings.key_judgments,
            *(point for issue in briefing.issues for point in issue.key_points),
        ]
        return cls(
            watch_groups=watch_groups,
            notes=notes,
            number={note.article.id: note.number for note in notes},
            uncited=len(articles) - len(notes),
            uses_likelihood=any(point.likelihood for point in points),
            uses_confidence=any(point.confidence for point in points),
            uses_status=any(issue.status for issue in briefing.issues),
        )

    def notes_of(self, *groups: Iterable[KeyJudgment | WatchItem]) -> list[Note]:
        """The distinct notes that the key judgments or checklist items cite."""
        return self.marks([cite for group in groups for held in group for cite in held.sources])

    def marks(self, cites: Sequence[Cite]) -> list[Note]:
        """The distinct notes that cites point to, in number order."""
        by_number = {note.number: note for note in self.notes}
        numbers = sorted({self.number[c.article] for c in cites if c.article in self.number})
        return [by_number[n] for n in numbers]


# --- the document ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PrintDocument:
    """Everything WeasyPrint needs; key() changes exactly when the PDF would."""

    html: str
    stylesheets: tuple[Path, ...]
    """The theme's print CSS, applied after the template's own <style>."""
    base_dir: Path
    """Relative URLs in the print HTML resolve against this folder."""
    allowed_roots: tuple[Path, ...]
    """The only folders WeasyPrint may read from."""

    def key(self) -> str:
        """Equal keys lay out equal PDFs: the HTML, the versions, and the stamps of every
        file WeasyPrint may read (the theme's, and the content's images)."""
        digest = hashlib.sha256()
        for part in (__version__, _weasyprint_version(), self.html, str(self.base_dir)):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        for sheet in self.stylesheets:
            digest.update(str(sheet).encode() + b"\0")
        stamps = tree_stamps(self.allowed_roots)
        readable = sorted(p for p in stamps if not p.endswith(_TEXT_SOURCES))
        for path in readable:
            digest.update(f"{path}\0{stamps[path]}\0".encode("utf-8", "surrogateescape"))
        return digest.hexdigest()

    def layout(self) -> RenderedPdf:
        """Lay out the PDF; raise BuildFailed with WeasyPrint's reason on failure."""
        import_weasyprint()  # slow to import; only when a PDF is really built
        from weasyprint import CSS, HTML

        fetcher = make_fetcher(self.allowed_roots)
        where = SourcePos(self.stylesheets[0] if self.stylesheets else self.base_dir)
        try:
            sheets = [CSS(url=path.as_uri(), url_fetcher=fetcher) for path in self.stylesheets]

            def render(html: Any) -> Any:
                # pdf_tags: a tagged PDF, so screen readers follow headings, lists and tables.
                return html.render(stylesheets=sheets, pdf_tags=True)

            with cycle_collection_paused():
                html = HTML(
                    string=self.html, base_url=self.base_dir.as_uri() + "/", url_fetcher=fetcher
                )
                document = render(html)
                if len(document.pages) > 2 and last_page_fill(document) < MIN_LAST_PAGE_FILL:
                    # Pull the short tail back: the stylesheet's html[data-pull-back] rules
                    # tighten the spacing; kept only when it saves the page. The parsed
                    # HTML is laid out again with the attribute set (a render leaves it
                    # as it was), not parsed again.
                    html.etree_element.set(PULL_BACK, "")
                    tighter = render(html)
                    if len(tighter.pages) < len(document.pages):
                        document = tighter
                data: bytes = document.write_pdf(pdf_tags=True)
        except Exception as exc:  # WeasyPrint raises many kinds
            raise BuildFailed(
                [Diagnostic(where, f"the PDF could not be made: {type(exc).__name__}: {exc}")]
            ) from exc
        return RenderedPdf(data, len(document.pages))


MIN_LAST_PAGE_FILL = 1 / 3
PULL_BACK = "data-pull-back"


def last_page_fill(document: Any) -> float:
    """How far down its content area the last page's text reaches, from 0 to 1."""
    from weasyprint.formatting_structure.boxes import LineBox, ReplacedBox

    page = document.pages[-1]._page_box
    top, height = page.content_box_y(), page.height
    bottom = top

    def walk(box: Any) -> None:
        nonlocal bottom
        for child in getattr(box, "children", ()):
            if type(child).__name__ == "MarginBox":
                continue  # running heads and feet are not content
            if isinstance(child, LineBox | ReplacedBox):
                bottom = max(bottom, child.position_y + child.margin_height())
            walk(child)

    walk(page)
    return (bottom - top) / height if height else 1.0


@dataclass(frozen=True, slots=True)
class RenderedPdf:
    data: bytes
    pages: int


def _weasyprint_version() -> str:
    try:
        return version("weasyprint")
    except PackageNotFoundError:  # pragma: no cover - weasyprint is a dependency
        return "unknown"


# --- no network -----------------------------------------------------------------------


def is_allowed(url: str, allowed_roots: Sequence[Path]) -> bool:
    """True for data: URIs and file: URLs naming a file inside one of allowed_roots."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "data":
        return True
    if scheme != "file" or parts.netloc not in ("", "localhost"):
        return False
    path = Path(unquote(parts.path)).resolve()
    return any(path.is_relative_to(root.resolve()) for root in allowed_roots)


def make_fetcher(allowed_roots: Sequence[Path]) -> Any:
    """A WeasyPrint URLFetcher (WeasyPrint >= 68) that reads only the allowed local files."""
    from weasyprint.urls import URLFetcher

    roots = tuple(root.resolve() for root in allowed_roots)

    class LocalOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves data: URIs and files under the allowed folders; refuses everything else."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not is_allowed(url, roots):
                logger.warning("not fetched: %s; the PDF reads only the project's own files", url)
                raise ValueError(f"not fetched: {url}")
            return super().fetch(url, headers)

    return LocalOnlyFetcher(allowed_protocols=("file", "data"), timeout=1)


_IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_ATTR = re.compile(r'(?<![\w-])(src|alt)="([^"]*)"', re.IGNORECASE)


def drop_foreign_images(
    html: str, base_dir: Path, allowed_roots: Sequence[Path], briefing: Briefing | None = None
) -> str:
    """Replace each <img> that is not a file of the project by its alt text, with a warning.

    The warning names the content file that holds the image when briefing is given.
    """
    warned: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        attrs = {k.lower(): htmllib.unescape(v) for k, v in _ATTR.findall(match[0])}
        src = attrs.get("src", "")
        url = urljoin(base_dir.as_uri() + "/", src)
        if src and is_allowed(url, allowed_roots):
            if not url.startswith("file:") or Path(unquote(urlsplit(url).path)).is_file():
                return match[0]
            reason = "no such file"
        else:
            reason = "the PDF uses only the project's own files, never the network"
        if src not in warned:
            warned.add(src)
            where = _locate(briefing, src) if briefing is not None else None
            prefix = f"{where}: " if where is not None else ""
            logger.warning("%simage %s left out of the PDF: %s", prefix, src, reason)
        alt = attrs.get("alt", "")
        label = f"[image: {alt}]" if alt else "[image]"
        return f'<span class="image-omitted">{htmllib.escape(label)}</span>'

    return _IMG.sub(replace, html)


def _locate(briefing: Briefing, needle: str) -> SourcePos | None:
    """The position of the first Markdown field of the briefing that contains needle."""
    for text, pos in markdown_fields(briefing):
        if needle in text:
            return pos
    return None


# --- building the print HTML ----------------------------------------------------------


def print_document(
    index: SiteIndex,
    theme: Theme,
    project: Project,
    pdf_format: str = "full",
    editions: Editions = NO_EDITIONS,
) -> PrintDocument:
    """Render the print HTML of index.briefing in pdf_format ('full' or 'brief'); raise
    BuildFailed on template errors."""
    briefing = index.briefing
    sheets = theme.print_stylesheets
    roots = tuple(d for d in (*theme.print_dirs, *theme.static_dirs, project.content) if d.is_dir())
    notes = PrintIndex.of(briefing)
    timeline: list[TimelineRow] = sorted(merged_timeline(briefing), key=lambda r: r.date)
    try:
        template = BRIEF_TEMPLATE if pdf_format == "brief" else PRINT_TEMPLATE
        html = theme.env.get_template(template).render(
            briefing=briefing,
            settings=briefing.settings,
            site=index,
            doc=notes,
            timeline=timeline,
            top_watch=top_watch_items(briefing, BRIEF_CHECKLIST_ITEMS),
            generator=f"briefgen {__version__}",
            sources_url=urls.absolute(briefing.settings.base_url, urls.SOURCES),
            changes=editions.changes,
        )
    except Exception as exc:  # any template failure is a user error
        raise BuildFailed([template_diagnostic(exc)]) from exc
    html = drop_foreign_images(html, project.root, roots, briefing)
    return PrintDocument(html, sheets, project.root, roots)
