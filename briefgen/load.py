"""Read every source file of a project into a Briefing, collecting all mistakes."""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TypeVar

from briefgen import markdown, urls
from briefgen.cache import FileStamp, Memo
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.fields import SLUG, Fields, slug_problem
from briefgen.frontmatter import parse_front_matter
from briefgen.images import SourceText, image_file_problem, local_images, text_images
from briefgen.model import (
    CONFIDENCES,
    LIKELIHOODS,
    PAGE_SIZES,
    PDF_FORMATS,
    STATUSES,
    WATCH_STATUSES,
    Article,
    Briefing,
    Cite,
    EmailSettings,
    Issue,
    KeyJudgment,
    KeyPoint,
    PdfSettings,
    Position,
    Settings,
    TimelineEntry,
    WatchItem,
)
from briefgen.pool import parallel_map
from briefgen.project import Project
from briefgen.store import HashStore, code_fingerprint, content_key
from briefgen.words import PHRASES, language_problem
from briefgen.yamlsrc import REFUSED, YMap, YScalar, YValue, parse_yaml, type_name

logger = logging.getLogger(__name__)
ARTICLE_SUFFIXES = (".md", ".txt")
ISSUE_SUFFIXES = (".yaml", ".yml")
T = TypeVar("T")
DEFAULT_PDF = PdfSettings()
DEFAULT_EMAIL = EmailSettings()
HTTP_URL = re.compile(r"^https?://[^\s<>\"]+$", re.I)
PARSER_MODULES = (
    "load.py", "markdown.py", "images.py", "clipping.py", "frontmatter.py", "fields.py",
    "yamlsrc.py", "model.py", "errors.py", "sentences.py", "urls.py", "chromerules.py",
    "words.py",
)  # fmt: skip
"""The code an article's parse depends on: a store made by other code is ignored."""


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    article: Article | None
    diagnostics: tuple[Diagnostic, ...]

    def __reduce__(self) -> tuple[type[ParsedArticle], tuple[object, ...]]:
        return ParsedArticle, (self.article, self.diagnostics)  # quicker than the generic way


@dataclass(frozen=True, slots=True)
class Loaded:
    """What could be read, the mistakes found, and the ids of files that failed to load.

    Cross-file checks still run on a partly broken project, so one run reports every
    mistake; they skip cites to broken files, which would only repeat an error.
    """

    briefing: Briefing
    diagnostics: tuple[Diagnostic, ...]
    broken_ids: frozenset[str]


def load(
    project: Project,
    memo: Memo[ParsedArticle] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Loaded:
    """Read every source file of the project, collecting every mistake.

    memo keeps parsed articles by file stamp between builds of one process; progress
    is told how many articles are parsed.
    """
    diagnostics: list[Diagnostic] = []
    settings = _load_settings(project.settings_file, diagnostics, project.root)
    articles, broken_articles = _load_articles(project, diagnostics, memo, progress)
    issues = _load_issues(project.issues, diagnostics)
    watch = _load_watch(project.watch_file, diagnostics)
    loaded_issues = {i.id for i in issues}
    broken_issues = {
        p.stem for p in source_files(project.issues, ISSUE_SUFFIXES) if p.stem not in loaded_issues
    }
    briefing = Briefing(
        settings=settings or _placeholder_settings(project.settings_file),
        articles=tuple(sorted(articles, key=_article_order)),
        issues=tuple(sorted(issues, key=lambda i: (i.order is None, i.order or 0, i.id))),
        watch=watch,
    )
    text_images(briefing, project.content, diagnostics)  # checked as the articles' images are
    return Loaded(briefing, tuple(diagnostics), frozenset(broken_articles | broken_issues))


def source_files(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """The files of folder with one of suffixes, by name; none when it is missing."""
    if not folder.is_dir():
        return []
    try:
        with os.scandir(folder) as entries:  # the kind of each file without a stat
            names = [
                entry.name
                for entry in entries
                if os.path.splitext(entry.name)[1] in suffixes and entry.is_file()
            ]
        return [folder / name for name in sorted(names)]
    except OSError as exc:
        raise BuildFailed(
            [Diagnostic(SourcePos(folder), f"cannot read folder: {exc.strerror}")]
        ) from None


def _placeholder_settings(path: Path) -> Settings:
    """Stands in for unreadable settings so checks can go on; never rendered."""
    return Settings(
        "", None, None, None, None, None, None, "default", None,
        DEFAULT_PDF, DEFAULT_EMAIL, SourcePos(path),
    )  # fmt: skip


def _article_order(article: Article) -> tuple[bool, int, str, str]:
    published = article.published.toordinal() if article.published else 0
    return (article.published is None, -published, article.title.casefold(), article.id)


def read_text(path: Path, diagnostics: list[Diagnostic], within: Path | None = None) -> str | None:
    """The text of a UTF-8 source file; None, with the mistake reported, when it cannot be
    read. Given within (the project folder), a file that a symbolic link leads out of it
    is refused, not read: a project must not publish what lies outside it."""
    if within is not None:
        problem = _outside_link_problem(path, within)
        if problem is not None:
            diagnostics.append(Diagnostic(SourcePos(path), problem))
            return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        diagnostics.append(Diagnostic(SourcePos(path), f"cannot read file: {exc.strerror}"))
        return None
    return decode_text(path, data, diagnostics)


def decode_text(path: Path, data: bytes, diagnostics: list[Diagnostic]) -> str | None:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        diagnostics.append(
            Diagnostic(
                SourcePos(path, line, col),
                f"byte 0x{data[exc.start]:02x} is not UTF-8; expected the file saved as UTF-8 "
                "(briefgen import converts other encodings)",
            )
        )
        return None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")


def _outside_link_problem(path: Path, within: Path) -> str | None:
    try:
        real = path.resolve(strict=True)
    except FileNotFoundError:
        return None  # reported when it is read
    except (OSError, RuntimeError):
        return "cannot read file: its symbolic links form a loop"
    if real.is_relative_to(within.resolve()):
        return None
    return "is a symbolic link to a file outside the project; expected a file of the project"


def _load_mapping(
    path: Path, what: str, diagnostics: list[Diagnostic], within: Path
) -> YMap | None:
    """Read a YAML file of fields; a file that cannot be read or parsed is reported once."""
    text = read_text(path, diagnostics, within)
    if text is None:
        return None
    reported = len(diagnostics)
    node = parse_yaml(text, path, diagnostics)
    if node is None and len(diagnostics) > reported:
        return None
    return _expect_mapping(node, path, what, diagnostics)


def _expect_mapping(
    node: YValue | None, path: Path, what: str, diagnostics: list[Diagnostic]
) -> YMap | None:
    if isinstance(node, YMap):
        return node
    pos = node.pos if node is not None else SourcePos(path)
    found = type_name(node) if node is not None else "an empty file"
    diagnostics.append(Diagnostic(pos, f"{what} must be a mapping of fields, not {found}"))
    return None


# --- settings --------------------------------------------------------------------------

SETTINGS_KEYS = (
    "title", "subtitle", "edition", "organization", "author", "marking",
    "base_url", "theme", "summary", "key_judgments", "pdf", "email", "lang", "words",
    "publish", "mailing_lists",  # read by briefgen.publish.config when a command needs them
)  # fmt: skip
MAX_KEY_JUDGMENTS = 5


def _load_settings(path: Path, diagnostics: list[Diagnostic], root: Path) -> Settings | None:
    node = _load_mapping(path, "briefing.yaml", diagnostics, root)
    if node is None:
        return None
    f = Fields(node, SETTINGS_KEYS, diagnostics, "briefing.yaml")
    title = f.text("title", required=True)
    base_url = f.text("base_url")
    if base_url is not None and not HTTP_URL.match(base_url):
        f.error(f.pos("base_url"), "field 'base_url' must be an http:// or https:// URL")
        base_url = None
    theme = f.text("theme") or "default"
    if not SLUG.match(theme):
        f.error(f.pos("theme"), f"field 'theme' is '{theme}'; expected a folder name")
    settings = Settings(
        title=title or "",
        subtitle=f.text("subtitle"),
        edition=f.date("edition"),
        organization=f.text("organization"),
        author=f.text("author"),
        marking=f.text("marking"),
        base_url=base_url.rstrip("/") + "/" if base_url else None,
        theme=theme,
        summary=f.text("summary"),
        pdf=_pdf_settings(f, diagnostics),
        email=_email_settings(f, diagnostics),
        pos=node.pos,
        lang=_language(f),
        words=_words(f, diagnostics),
        key_judgments=_key_judgments(f, diagnostics),
        title_pos=f.pos("title"),
    )
    return settings if title is not None else None


def _language(f: Fields) -> str:
    lang = f.text("lang") or "en"
    problem = language_problem(lang)
    if problem is not None:
        f.error(f.pos("lang"), f"field 'lang' is '{lang}', which {problem}")
        return "en"
    return lang


def _words(parent: Fields, diagnostics: list[Diagnostic]) -> tuple[tuple[str, str], ...]:
    """The project's interface words: English phrase -> its own wording."""
    node = parent.mapping("words")
    if node is None:
        return ()
    f = Fields(node, PHRASES, diagnostics, "words")
    return tuple((key, text) for key in node.values if key in PHRASES and (text := f.text(key)))


def _key_judgments(parent: Fields, diagnostics: list[Diagnostic]) -> tuple[KeyJudgment, ...]:
    judgments = tuple(_each(parent, "key_judgments", _key_judgment, diagnostics))
    if len(judgments) > MAX_KEY_JUDGMENTS:
        parent.error(
            parent.pos("key_judgments"),
            f"'key_judgments' holds {len(judgments)} items; expected at most "
            f"{MAX_KEY_JUDGMENTS} (three to five one-sentence judgments)",
        )
    return judgments


def _key_judgment(node: YMap, diagnostics: list[Diagnostic]) -> KeyJudgment | None:
    f = Fields(node, KEY_JUDGMENT_KEYS, diagnostics, "key judgment")
    text = f.text("text", required=True)
    issue = f.text("issue", required=True)
    judgment = KeyJudgment(
        text=text or "",
        issue=issue or "",
        likelihood=f.choice("likelihood", LIKELIHOODS),
        confidence=f.choice("confidence", CONFIDENCES),
        time_frame=f.text("time_frame"),
        sources=cites(f, diagnostics),
        pos=node.pos,
        issue_pos=f.pos("issue"),
    )
    return judgment  # kept with a field missing (reported) so its cites are still checked


KEY_JUDGMENT_KEYS = ("text", "issue", "likelihood", "confidence", "time_frame", "sources")


def _pdf_settings(parent: Fields, diagnostics: list[Diagnostic]) -> PdfSettings:
    node = parent.mapping("pdf")
    if node is None:
        return PdfSettings()
    f = Fields(node, ("page_size", "filename", "format"), diagnostics, "pdf settings")
    filename = f.text("filename") or DEFAULT_PDF.filename
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.pdf", filename):
        f.error(
            f.pos("filename"),
            f"field 'filename' is '{filename}'; expected a plain file name ending in .pdf",
        )
        filename = DEFAULT_PDF.filename
    return PdfSettings(
        page_size=f.choice("page_size", PAGE_SIZES) or DEFAULT_PDF.page_size,
        filename=filename,
        format=f.choice("format", PDF_FORMATS) or DEFAULT_PDF.format,
    )


def _email_settings(parent: Fields, diagnostics: list[Diagnostic]) -> EmailSettings:
    node = parent.mapping("email")
    if node is None:
        return EmailSettings()
    f = Fields(node, ("from", "subject"), diagnostics, "email settings")
    return EmailSettings(
        sender=f.text("from"),
        subject=f.text("subject") or DEFAULT_EMAIL.subject,
        sender_pos=f.pos("from"),
        subject_pos=f.pos("subject"),
    )


# --- articles --------------------------------------------------------------------------

ARTICLE_KEYS = (
    "title", "id", "source", "short_name", "author", "published", "url", "issues", "summary",
    "draft",
)  # fmt: skip


def _load_articles(
    project: Project,
    diagnostics: list[Diagnostic],
    memo: Memo[ParsedArticle] | None,
    progress: Callable[[str, int, int], None] | None,
) -> tuple[list[Article], set[str]]:
    articles: list[Article] = []
    broken: set[str] = set()
    seen: dict[str, Article] = {}
    paths: list[Path] = []
    # A file that is no link lies where its folder does: one resolve for the folder, not
    # one for each file.
    inside = _outside_link_problem(project.articles, project.root) is None
    for path in source_files(project.articles, ARTICLE_SUFFIXES):
        linked = not inside or path.is_symlink()
        problem = _outside_link_problem(path, project.root) if linked else None
        if problem is None:  # refused before any read
            paths.append(path)
        else:
            diagnostics.append(Diagnostic(SourcePos(path), problem))
            broken.add(path.stem)
    if memo is not None:
        memo.keep_only(paths)  # articles deleted since the last build are forgotten
    for path, parsed in zip(paths, _parse_articles(paths, project, memo, progress), strict=True):
        diagnostics.extend(parsed.diagnostics)
        article = parsed.article
        if article is None:
            broken.add(path.stem)
            continue
        # Not cached with the article: an image file may appear or vanish on its own.
        for image in article.images:
            problem = image_file_problem(image)
            if problem is not None:
                diagnostics.append(Diagnostic(image.pos, problem))
        if article.id in seen:
            diagnostics.append(
                Diagnostic(
                    article.pos,
                    f"duplicate article id '{article.id}' (also {seen[article.id].pos.path.name})",
                )
            )
            broken.add(article.id)  # which of the two a cite means is unknown
            continue
        seen[article.id] = article
        articles.append(article)
    return articles, broken


def _parse_articles(
    paths: list[Path],
    project: Project,
    memo: Memo[ParsedArticle] | None,
    progress: Callable[[str, int, int], None] | None,
) -> list[ParsedArticle]:
    """Each article parsed, from the process's memo (by stamp) or the project's store
    (by content hash) when it was parsed before; the rest on every core."""
    store: HashStore[ParsedArticle] | None = None  # opened at the first memo miss
    found: dict[Path, ParsedArticle] = {}
    todo: list[tuple[Path, Path]] = []
    stamps: dict[Path, FileStamp] = {}
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            todo.append((path, project.content))  # reported as unreadable
            continue
        stamps[path] = (stat.st_mtime_ns, stat.st_size)
        hit = memo.get(path, stamps[path]) if memo is not None else None
        if hit is not None:
            found[path] = hit
            continue
        store = store or open_article_store(project)
        key = store.known_hash(path, stat)
        if key is None:
            try:
                data = path.read_bytes()
            except OSError:
                todo.append((path, project.content))
                continue
            key = content_key(str(path), str(project.content), data)
            store.note_hash(path, stat, key)
        cached = store.get(key)
        if cached is not None:
            found[path] = cached
        else:
            todo.append((path, project.content))
    # Workers read the files again (from the page cache) rather than receive them: the
    # parent keeps no copy, and each result is stored under the hash of what was parsed.
    for (path, _content), (key, parsed) in zip(
        todo, parallel_map(_parse_job, todo, progress=progress, stage="load"), strict=True
    ):
        found[path] = parsed
        if key is not None:
            store = store or open_article_store(project)
            store.put(key, parsed)
    if memo is not None:
        for path, stamp in stamps.items():
            memo.put(path, stamp, found[path])
    if store is not None:
        store.save(paths, spare=len(paths))
    return [found[path] for path in paths]


def open_article_store(project: Project) -> HashStore[ParsedArticle]:
    """The parsed articles of earlier builds; their bodies stay in the file until read."""
    return HashStore.open(
        _article_store_file(project),
        _parser_fingerprint(),
        recover=partial(_body_again, project),
    )


def _article_store_file(project: Project) -> Path:
    return project.cache_dir / "articles.store"


def _body_again(project: Project, article: Article) -> str:
    """The body of an article from the store whose stored body is damaged: parsed again
    from its file, which must still be what the store's article was made from. When it
    is not, the store goes (its stamp of the file cannot be trusted either)."""
    again = _parse_article(article.pos.path, project.content).article
    if again is None or again.body_digest != article.body_digest:
        _article_store_file(project).unlink(missing_ok=True)
        raise BuildFailed(
            [
                Diagnostic(
                    article.pos,
                    "the file changed while the site was built; expected it unchanged "
                    "until the build ends: build again",
                )
            ]
        )
    return again.body_html


@lru_cache(maxsize=1)
def _parser_fingerprint() -> str:
    return code_fingerprint(*PARSER_MODULES) + markdown.PARSER_VERSION


def _parse_job(job: tuple[Path, Path]) -> tuple[str | None, ParsedArticle]:
    path, content = job
    try:
        data = path.read_bytes()
    except OSError:
        return None, _parse_article(path, content)  # reports it unreadable
    return content_key(str(path), str(content), data), _parse_article(path, content, data)


def _parse_article(path: Path, content: Path, data: bytes | None = None) -> ParsedArticle:
    diagnostics: list[Diagnostic] = []
    text = read_text(path, diagnostics) if data is None else decode_text(path, data, diagnostics)
    if text is None:
        return ParsedArticle(None, tuple(diagnostics))
    node, body = parse_front_matter(text, path, diagnostics)
    if diagnostics:
        return ParsedArticle(None, tuple(diagnostics))
    f = Fields(node or YMap({}, {}, SourcePos(path)), ARTICLE_KEYS, diagnostics, "front matter")
    is_clipping = path.suffix == ".txt"
    body_start = len(text) - len(body)
    title = f.text("title", required=not is_clipping)
    author, source = f.text("author"), f.text("source")
    published = f.date("published")
    if is_clipping:
        from briefgen.clipping import clean_clipping  # its rules take 30 ms to import

        clipping = clean_clipping(body, title=title)
        first_body_line = text[: len(text) - len(body)].count("\n")
        for line in clipping.removed:  # shown with -v: the clean-up is never silent
            where = SourcePos(path, first_body_line + line.line)
            logger.info("%s: removed %s: %s", where, line.reason, line.text)
        title, body = clipping.title, clipping.markdown
        author, source = author or clipping.author, source or clipping.source
        published = published or clipping.published
        if title is None:
            diagnostics.append(
                Diagnostic(SourcePos(path), "the clipping is empty; expected a title line and text")
            )
    article_id = _article_id(f, path, diagnostics)
    url = _article_url(f)
    issues = f.texts("issues")
    if title is None or article_id is None:
        return ParsedArticle(None, tuple(diagnostics))
    # With a lesser mistake (reported) the article is kept: quotes from it are still
    # checked, and cites to it are not reported as cites to an unknown article.
    body_html, images = local_images(
        markdown.render_article(body),
        SourceText(path, text, body_start),
        urls.article_page(article_id),
        content,
        diagnostics,
    )
    article = Article(
        id=article_id,
        title=title.strip(),
        source=source,
        author=author,
        published=published,
        url=url,
        issues=issues,
        summary=f.text("summary"),
        body_html=body_html,
        pos=SourcePos(path),
        issues_pos=f.pos("issues"),
        images=images,
        draft=_draft(f),
        short_name=f.text("short_name"),
    )
    # Image mistakes do not break the article: its cites and quotes are still checked.
    return ParsedArticle(article, tuple(diagnostics))


def check_article_front(node: YMap, path: Path, diagnostics: list[Diagnostic]) -> None:
    """Report what a build would refuse in an article's front matter (import checks a
    clipping's own with it); an id is checked only when the front matter sets one."""
    f = Fields(node, ARTICLE_KEYS, diagnostics, "front matter")
    for key in ("title", "author", "source", "summary"):
        f.text(key)
    f.date("published")
    f.texts("issues")
    _article_url(f)
    if f.has("id"):
        _article_id(f, path, diagnostics)


def _article_url(f: Fields) -> str | None:
    url = f.text("url")
    if url is not None and not HTTP_URL.match(url):
        f.error(f.pos("url"), f"field 'url' is '{url}'; expected an http:// or https:// URL")
        return None
    return url


def _article_id(f: Fields, path: Path, diagnostics: list[Diagnostic]) -> str | None:
    """The id from front matter, else from the file name; None (reported) when unusable."""
    article_id = f.text("id") if f.has("id") else path.stem
    if article_id is None:
        return None
    problem = slug_problem(article_id)
    if problem is None and article_id.lower().endswith((".html", ".xml")):
        # articles/<id>/ is a folder of the site: articles/index.html is the sources list
        problem = "must not end in '.html' or '.xml', as it names the folder of the article's page"
    if problem is None:
        return article_id
    if f.has("id"):
        f.error(f.pos("id"), f"field 'id' is '{article_id}'; an id {problem}")
    else:
        diagnostics.append(
            Diagnostic(
                SourcePos(path),
                f"file name '{path.name}' does not give a usable id: an id {problem}; "
                "rename the file or set 'id'",
            )
        )
    return None


# --- issues ----------------------------------------------------------------------------

ISSUE_KEYS = (
    "title", "status", "bottom_line", "key_points", "positions", "timeline", "questions", "order",
    "draft",
)  # fmt: skip


def _load_issues(folder: Path, diagnostics: list[Diagnostic]) -> list[Issue]:
    issues: list[Issue] = []
    for path in source_files(folder, ISSUE_SUFFIXES):
        issue = _load_issue(path, diagnostics, folder.parent.parent)
        if issue is not None:
            issues.append(issue)
    return issues


def _load_issue(path: Path, diagnostics: list[Diagnostic], root: Path) -> Issue | None:
    if not SLUG.match(path.stem):
        diagnostics.append(
            Diagnostic(SourcePos(path), f"file name '{path.name}' is not a usable issue id")
        )
        return None
    node = _load_mapping(path, "an issue", diagnostics, root)
    if node is None:
        return None
    f = Fields(node, ISSUE_KEYS, diagnostics, "issue")
    title = f.text("title", required=True)
    bottom_line = f.text("bottom_line", required=True)
    issue = Issue(
        id=path.stem,
        title=title or "",
        status=f.choice("status", STATUSES),
        bottom_line=bottom_line or "",
        key_points=tuple(_each(f, "key_points", _key_point, diagnostics)),
        positions=tuple(_each(f, "positions", _position, diagnostics)),
        timeline=tuple(_each(f, "timeline", _timeline_entry, diagnostics)),
        questions=f.texts("questions"),
        order=f.integer("order"),
        pos=SourcePos(path),
        draft=_draft(f),
        bottom_line_pos=f.pos("bottom_line"),
    )
    _unique_ids([*issue.key_points, *issue.positions], diagnostics)
    # Kept with a field missing (reported): its cites are still checked, and the
    # checklist may still name it.
    return issue


def _unique_ids(entries: list[KeyPoint | Position], diagnostics: list[Diagnostic]) -> None:
    """Stable ids match entries across editions, so one issue may use each only once."""
    seen: dict[str, SourcePos] = {}
    for entry in entries:
        if entry.id is None:
            continue
        if entry.id in seen:
            first = seen[entry.id].line
            message = f"id '{entry.id}' is already used on line {first}; expected a unique id"
            diagnostics.append(Diagnostic(entry.pos, message))
        else:
            seen[entry.id] = entry.pos


def _each(
    f: Fields,
    key: str,
    read: Callable[[YMap, list[Diagnostic]], T | None],
    diagnostics: list[Diagnostic],
) -> list[T]:
    out: list[T] = []
    for item in f.items(key):
        if not isinstance(item, YMap):
            diagnostics.append(
                Diagnostic(
                    item.pos, f"each entry of '{key}' must be a mapping, not {type_name(item)}"
                )
            )
            continue
        value = read(item, diagnostics)
        if value is not None:
            out.append(value)
    return out


KEY_POINT_KEYS = ("id", "text", "likelihood", "confidence", "time_frame", "sources")


def _key_point(node: YMap, diagnostics: list[Diagnostic]) -> KeyPoint | None:
    f = Fields(node, KEY_POINT_KEYS, diagnostics, "key point")
    text = f.text("text", required=True)
    point = KeyPoint(
        text=text or "",
        likelihood=f.choice("likelihood", LIKELIHOODS),
        confidence=f.choice("confidence", CONFIDENCES),
        sources=cites(f, diagnostics),
        pos=node.pos,
        time_frame=f.text("time_frame"),
        id=_stable_id(f),
    )
    return point  # kept without its text (reported) so its cites are still checked


def _position(node: YMap, diagnostics: list[Diagnostic]) -> Position | None:
    f = Fields(node, ("id", "actor", "stance", "sources"), diagnostics, "position")
    actor = f.text("actor", required=True)
    stance = f.text("stance", required=True)
    # Kept with a field missing (reported) so its cites are still checked.
    return Position(actor or "", stance or "", cites(f, diagnostics), node.pos, _stable_id(f))


def _timeline_entry(node: YMap, diagnostics: list[Diagnostic]) -> TimelineEntry | None:
    f = Fields(node, ("date", "inferred", "event", "sources"), diagnostics, "timeline entry")
    date = f.date("date", required=True)
    event = f.text("event", required=True)
    sources = cites(f, diagnostics)
    inferred = f.text("inferred")
    # Kept with a field missing (reported) so its cites are still checked; the build
    # fails before the placeholder date is shown anywhere.
    return TimelineEntry(date or dt.date.min, event or "", sources, node.pos, inferred=inferred)


def _stable_id(f: Fields) -> str | None:
    """The optional 'id' of a key point or checklist item: a slug, stable across editions."""
    value = f.text("id")
    if value is None:
        return None
    problem = slug_problem(value)
    if problem is not None:
        f.error(f.pos("id"), f"field 'id' is '{value}'; an id {problem}")
        return None
    return value


def cites(f: Fields, diagnostics: list[Diagnostic]) -> tuple[Cite, ...]:
    out: list[Cite] = []
    for item in f.items("sources"):
        if isinstance(item, YScalar) and item.tag == REFUSED:
            continue  # reported where it was read
        if isinstance(item, YScalar) and item.value is not None:
            # as written: an article named 2026.md or no.md is cited as 2026 or no
            out.append(Cite(item.text or str(item.value), None, item.pos))
        elif isinstance(item, YMap):
            cf = Fields(item, ("article", "quote"), diagnostics, "cite")
            article = cf.text("article", required=True)
            quote = cf.text("quote")
            if quote is not None and not quote.strip():
                cf.error(cf.pos("quote"), "field 'quote' is empty; expected words from the article")
                quote = None
            if article is not None:
                out.append(Cite(article, quote, item.pos))
        else:
            diagnostics.append(
                Diagnostic(
                    item.pos,
                    f"a cite must be an article id or {{article: id, quote: ...}}, "
                    f"not {type_name(item)}",
                )
            )
    return tuple(out)


# --- the checklist ---------------------------------------------------------------------

WATCH_KEYS = (
    "id", "title", "issue", "why", "signposts", "outcomes", "indicator", "threshold",
    "monitor", "status", "by", "sources", "draft",
)  # fmt: skip


def _load_watch(path: Path, diagnostics: list[Diagnostic]) -> tuple[WatchItem, ...]:
    if not path.is_file():
        return ()
    node = _load_mapping(path, "watch.yaml", diagnostics, path.parent.parent)
    if node is None:
        return ()
    f = Fields(node, ("items",), diagnostics, "watch.yaml")
    items: list[WatchItem] = []
    anchors: set[str] = set()
    for entry in f.items("items", required=True):
        if not isinstance(entry, YMap):
            diagnostics.append(
                Diagnostic(
                    entry.pos, f"each checklist item must be a mapping, not {type_name(entry)}"
                )
            )
            continue
        item = _watch_item(entry, diagnostics, anchors)
        if item is not None:
            items.append(item)
    return tuple(items)


def _watch_item(node: YMap, diagnostics: list[Diagnostic], anchors: set[str]) -> WatchItem | None:
    f = Fields(node, WATCH_KEYS, diagnostics, "checklist item")
    title = f.text("title", required=True)
    issue = f.text("issue", required=True)
    escalation: tuple[str, ...] = ()
    deescalation: tuple[str, ...] = ()
    signposts = f.mapping("signposts")
    if signposts is not None:
        sf = Fields(signposts, ("escalation", "deescalation"), diagnostics, "signposts")
        escalation = sf.texts("escalation")
        deescalation = sf.texts("deescalation")
    status = f.choice("status", WATCH_STATUSES) or "watching"
    by = f.date("by")
    sources = cites(f, diagnostics)
    why = f.text("why")
    stable_id = _stable_id(f)
    if stable_id is not None and stable_id in anchors:
        f.error(f.pos("id"), f"duplicate checklist item id '{stable_id}'")
        stable_id = None
    # Kept with a field missing (reported) so its cites are still checked; check skips
    # an empty issue id.
    anchor = stable_id or unique_slug(title or "", anchors)
    anchors.add(anchor)
    return WatchItem(
        id=anchor,
        title=title or "",
        issue=issue or "",
        why=why,
        escalation=escalation,
        deescalation=deescalation,
        status=status,
        by=by,
        sources=sources,
        pos=node.pos,
        issue_pos=f.pos("issue"),
        draft=_draft(f),
        indicator=f.text("indicator"),
        threshold=f.text("threshold"),
        monitor=f.text("monitor"),
        outcomes=f.texts("outcomes"),
        stable_id=stable_id,
    )


def _draft(f: Fields) -> bool:
    """`draft: true` keeps a file or item out of a build without --drafts."""
    value = f.node.values.get("draft")
    if value is None or (isinstance(value, YScalar) and value.value in (None, False)):
        return False
    if isinstance(value, YScalar) and value.value is True:
        return True
    f.error(value.pos, f"field 'draft' must be true or false, not {type_name(value)}")
    return False


def slugify(text: str, limit: int = 48) -> str:
    words = re.findall(r"[a-z0-9]+", text.casefold())
    slug = ""
    for word in words:
        if slug and len(slug) + 1 + len(word) > limit:
            break
        slug = f"{slug}-{word}" if slug else word[:limit]
    return slug or "item"


def unique_slug(text: str, taken: set[str]) -> str:
    base = slugify(text)
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug
