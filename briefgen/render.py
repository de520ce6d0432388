"""Render the briefing to site files. Pure: no disk writes, no clock."""

from __future__ import annotations

import base64
import datetime as dt
import mimetypes
import posixpath
import re
import traceback
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

import jinja2
from markupsafe import Markup

from briefgen import markdown, urls
from briefgen.check import all_cites
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.images import image_file_problem
from briefgen.model import LIKELIHOODS, Article, ArticleImage, Briefing, Cite, Issue, WatchItem
from briefgen.project import Project
from briefgen.quotes import highlight, normalize

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".eml")


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: str
    """Relative to the output folder, with '/' separators."""
    data: bytes


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    template_dirs: tuple[Path, ...]
    """Searched in order: project overrides, the theme's own, then built-in."""
    static_dirs: tuple[Path, ...]
    """Later folders override earlier ones file by file."""
    stamp: tuple[tuple[str, int, int], ...]
    """Name, mtime and size of every theme file: changes when any template or asset does."""


def builtin_dir() -> Path:
    return Path(str(files("briefgen") / "builtin"))


def find_theme(project: Project, name: str) -> Theme:
    builtin = builtin_dir()
    candidates = [project.themes / name, builtin / "themes" / name]
    theme_dir = next((c for c in candidates if c.is_dir()), None)
    if theme_dir is None:
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(project.settings_file),
                    f"theme '{name}' not found; expected a folder themes/{name}/ "
                    "or the built-in 'default'",
                )
            ]
        )
    template_dirs = [project.templates, theme_dir / "templates", builtin / "templates"]
    static_dirs = [builtin / "themes" / "default" / "static", theme_dir / "static"]
    template_dirs = [d for d in dict.fromkeys(template_dirs) if d.is_dir()]
    static_dirs = [d for d in dict.fromkeys(static_dirs) if d.is_dir()]
    return Theme(
        name=name,
        template_dirs=tuple(template_dirs),
        static_dirs=tuple(static_dirs),
        stamp=_stamp(template_dirs + static_dirs),
    )


def _stamp(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    out = []
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            st = path.stat()
            out.append((str(path), st.st_mtime_ns, st.st_size))
    return tuple(out)


def make_environment(theme: Theme) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in theme.template_dirs]),
        autoescape=jinja2.select_autoescape(("html", "xml", "htm")),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = markdown.render_markup
    env.filters["inline"] = markdown.render_inline
    env.filters["longdate"] = long_date
    env.filters["first_sentence"] = markdown.first_sentence
    env.globals["LIKELIHOODS"] = LIKELIHOODS
    return env


def check_templates(theme: Theme, env: jinja2.Environment) -> list[Diagnostic]:
    """Compile every template the theme can see, so syntax errors name file and line."""
    diagnostics: list[Diagnostic] = []
    for folder in theme.template_dirs:
        for path in sorted(folder.rglob("*")):
            if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            try:
                env.parse(path.read_text(encoding="utf-8"), path.name, str(path))
            except jinja2.TemplateSyntaxError as exc:
                diagnostics.append(template_diagnostic(exc))
            except UnicodeDecodeError:
                diagnostics.append(Diagnostic(SourcePos(path), "template is not UTF-8"))
    return diagnostics


def template_diagnostic(exc: Exception) -> Diagnostic:
    """Point at the template file and line that raised exc."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Diagnostic(
            SourcePos(Path(exc.filename), exc.lineno or 1, 1), f"template error: {exc.message}"
        )
    # Jinja rewrites tracebacks so that template frames carry template file names.
    frames = [
        f for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(TEMPLATE_SUFFIXES)
    ]
    message = str(exc) if isinstance(exc, jinja2.TemplateError) else f"{type(exc).__name__}: {exc}"
    if frames:
        frame = frames[-1]
        return Diagnostic(
            SourcePos(Path(frame.filename), frame.lineno or 1, 1), f"template error: {message}"
        )
    return Diagnostic(SourcePos(Path("templates")), f"template error: {message}")


def long_date(value: dt.date | None) -> str:
    return "" if value is None else f"{value.day} {value:%B %Y}"


# --- what pages need besides the model ------------------------------------------------


@dataclass(frozen=True, slots=True)
class Backlink:
    label: str
    target: str
    """Output path with optional #anchor."""


@dataclass(slots=True)
class SiteIndex:
    """Lookups derived from the briefing once, shared by all pages."""

    briefing: Briefing
    articles: dict[str, Article] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)
    quote_anchors: dict[tuple[str, str], str] = field(default_factory=dict)
    quotes_by_article: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    cited_in: dict[str, list[Backlink]] = field(default_factory=dict)
    related: dict[str, list[Article]] = field(default_factory=dict)
    watch_by_issue: dict[str, list[WatchItem]] = field(default_factory=dict)
    number: dict[str, int] = field(default_factory=dict)
    """Each article's note number: its place in the sources list."""

    @classmethod
    def of(cls, briefing: Briefing) -> SiteIndex:
        index = cls(briefing)
        index.articles = {a.id: a for a in briefing.articles}
        index.issues = {i.id: i for i in briefing.issues}
        index.number = {a.id: n for n, a in enumerate(briefing.articles, start=1)}
        counters: dict[str, int] = {}
        for cite in all_cites(briefing):
            if cite.quote is None:
                continue
            key = (cite.article, normalize(cite.quote))
            if key not in index.quote_anchors:
                counters[cite.article] = counters.get(cite.article, 0) + 1
                anchor = f"q{counters[cite.article]}"
                index.quote_anchors[key] = anchor
                index.quotes_by_article.setdefault(cite.article, []).append((anchor, cite.quote))
        for issue in briefing.issues:
            cited = _issue_cites(issue)
            ids = dict.fromkeys(c.article for c in cited)
            ids.update(dict.fromkeys(a.id for a in briefing.articles if issue.id in a.issues))
            index.related[issue.id] = [index.articles[i] for i in ids if i in index.articles]
            for article_id in dict.fromkeys(c.article for c in cited):
                index.cited_in.setdefault(article_id, []).append(
                    Backlink(f"Issue: {issue.title}", urls.issue_page(issue.id))
                )
        for item in briefing.watch:
            index.watch_by_issue.setdefault(item.issue, []).append(item)
            for article_id in dict.fromkeys(c.article for c in item.sources):
                index.cited_in.setdefault(article_id, []).append(
                    Backlink(f"Watch: {item.title}", f"{urls.WATCH}#{item.id}")
                )
        return index

    def cite_target(self, cite: Cite) -> str:
        target = urls.article_page(cite.article)
        if cite.quote is not None:
            target += "#" + self.quote_anchors[(cite.article, normalize(cite.quote))]
        return target

    def quotes_of(self, article_id: str) -> list[tuple[str, str]]:
        return self.quotes_by_article.get(article_id, [])


def _issue_cites(issue: Issue) -> list[Cite]:
    out: list[Cite] = []
    for point in issue.key_points:
        out.extend(point.sources)
    for position in issue.positions:
        out.extend(position.sources)
    for entry in issue.timeline:
        out.extend(entry.sources)
    return out


@dataclass(frozen=True, slots=True)
class TimelineRow:
    date: dt.date
    event: str
    issue: Issue
    sources: tuple[Cite, ...]


def merged_timeline(briefing: Briefing) -> list[TimelineRow]:
    rows = [
        TimelineRow(entry.date, entry.event, issue, entry.sources)
        for issue in briefing.issues
        for entry in issue.timeline
    ]
    return sorted(rows, key=lambda r: r.date, reverse=True)


def top_watch_items(briefing: Briefing, limit: int = 5) -> list[WatchItem]:
    """Triggered items first, then the nearest horizon; resolved ones last."""
    rank = {"triggered": 0, "watching": 1, "resolved": 2}
    return sorted(
        briefing.watch,
        key=lambda w: (rank[w.status], w.by is None, w.by or dt.date.min),
    )[:limit]


# --- pages ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Page:
    path: str
    template: str
    context: dict[str, object]
    key: object = None
    """When set, equal keys (under one theme and navigation) mean equal output."""


@dataclass(slots=True)
class RenderCache:
    """Rendered pages from the previous build, so an edit re-renders only what it touches."""

    pages: dict[str, tuple[object, bytes]] = field(default_factory=dict)
    media: dict[Path, tuple[tuple[int, int, int], bytes]] = field(default_factory=dict)
    """Image files copied from content/, by their stamp: a changed file is read again."""


def pages(index: SiteIndex) -> Iterator[Page]:
    briefing = index.briefing
    yield Page(urls.INDEX, "index.html", {"title": briefing.settings.title})
    for issue in briefing.issues:
        yield Page(urls.issue_page(issue.id), "issue.html", {"title": issue.title, "issue": issue})
    for article in briefing.articles:
        quotes = index.quotes_of(article.id)
        backlinks = tuple(index.cited_in.get(article.id, ()))
        yield Page(
            urls.article_page(article.id),
            "article.html",
            {"title": article.title, "article": article, "quotes": quotes},
            key=(article, tuple(quotes), backlinks),
        )
    yield Page(urls.WATCH, "watch.html", {"title": "What to watch"})
    yield Page(urls.TIMELINE, "timeline.html", {"title": "Timeline"})
    yield Page(urls.SOURCES, "sources.html", {"title": "Sources"})
    yield Page(urls.NOT_FOUND, "404.html", {"title": "Page not found"})
    yield Page(urls.FEED, "feed.xml", {"title": briefing.settings.title})
    yield Page(urls.SITEMAP, "sitemap.xml", {"title": briefing.settings.title})


def render_site(
    briefing: Briefing,
    env: jinja2.Environment,
    theme: Theme,
    pdf_name: str | None,
    cache: RenderCache | None = None,
) -> list[OutputFile]:
    """Render every page and copy the theme's static files; raise BuildFailed on template errors."""
    index = SiteIndex.of(briefing)
    all_pages = list(pages(index))
    feed_date = _feed_date(briefing)
    shared = {
        "briefing": briefing,
        "settings": briefing.settings,
        "site": index,
        "timeline": merged_timeline(briefing),
        "top_watch": top_watch_items(briefing),
        "pdf_name": pdf_name,
        "urls": urls,
        "feed_date": feed_date,
        "feed_updated": f"{feed_date.isoformat()}T00:00:00Z",
        "feed_id": _feed_id(briefing),
        "sitemap_paths": [
            p.path for p in all_pages if p.path.endswith(".html") and p.path != urls.NOT_FOUND
        ],
        "highlight": lambda html, quotes: Markup(highlight(html, quotes)),
        "inline_stylesheet": lambda: inline_stylesheet(theme, briefing.settings.base_url),
    }
    # Everything a keyed page shows besides its own inputs: the chrome around it.
    chrome = (
        theme.stamp,
        briefing.settings,
        tuple((i.id, i.title) for i in briefing.issues),
        bool(briefing.watch),
        pdf_name,
    )
    outputs: list[OutputFile] = []
    diagnostics: list[Diagnostic] = []
    templates: dict[str, jinja2.Template] = {}
    for page in all_pages:
        key = (chrome, page.key) if page.key is not None else None
        if cache is not None and key is not None:
            hit = cache.pages.get(page.path)
            if hit is not None and hit[0] == key:
                outputs.append(OutputFile(page.path, hit[1]))
                continue
        try:
            template = templates.get(page.template)
            if template is None:
                template = templates[page.template] = env.get_template(page.template)
            text = template.render(
                shared, page=page.path, url=_linker(page.path, briefing), **page.context
            )
        except Exception as exc:  # any template failure is a user error
            diagnostics.append(template_diagnostic(exc))
            if len(diagnostics) > 20:
                break
            continue
        data = text.encode("utf-8")
        outputs.append(OutputFile(page.path, data))
        if cache is not None and key is not None:
            cache.pages[page.path] = (key, data)
    outputs.extend(media_files(briefing, diagnostics, cache))
    if diagnostics:
        raise BuildFailed(dict.fromkeys(diagnostics))
    outputs.extend(static_files(theme))
    return outputs


def media_files(
    briefing: Briefing, diagnostics: list[Diagnostic], cache: RenderCache | None = None
) -> list[OutputFile]:
    """The articles' local images, copied to media/; a file gone since loading is reported."""
    images: dict[str, ArticleImage] = {}
    for article in briefing.articles:
        for image in article.images:
            images.setdefault(image.name, image)  # errors point at its first use
    outputs: list[OutputFile] = []
    kept: dict[Path, tuple[tuple[int, int, int], bytes]] = {}
    for name, image in sorted(images.items()):
        problem = image_file_problem(image)  # again: the file may have changed since loading
        try:
            if problem is not None:
                raise OSError(problem)
            real = image.file.resolve()
            st = real.stat()
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
            hit = cache.media.get(real) if cache is not None else None
            data = hit[1] if hit is not None and hit[0] == stamp else real.read_bytes()
            kept[real] = (stamp, data)
        except OSError as exc:
            diagnostics.append(Diagnostic(image.pos, problem or f"cannot read image: {exc}"))
            continue
        outputs.append(OutputFile(urls.media(name), data))
    if cache is not None:
        cache.media = kept  # images no longer used are forgotten
    return outputs


def _feed_date(briefing: Briefing) -> dt.date:
    """The feed's 'updated': the edition, else the newest dated source; never the clock."""
    dates = [a.published for a in briefing.articles if a.published]
    if briefing.settings.edition:
        return briefing.settings.edition
    return max(dates, default=dt.date(1970, 1, 1))


def _feed_id(briefing: Briefing) -> Callable[[str], str]:
    base = briefing.settings.base_url
    if base:
        return lambda key: f"{base}#{key}"
    seed = briefing.settings.title
    return lambda key: uuid.uuid5(uuid.NAMESPACE_URL, f"briefgen:{seed}:{key}").urn


def _linker(page: str, briefing: Briefing) -> Callable[[str], str]:
    base = briefing.settings.base_url
    if page in (urls.NOT_FOUND, urls.FEED, urls.SITEMAP) and base:
        return lambda target: base + target.removesuffix("index.html")
    if page == urls.NOT_FOUND:
        # Hosts serve 404.html at any depth (/issues/nope/x), where relative links
        # break; root-relative ones resolve alike everywhere (see 404.html).
        return lambda target: "/" + target.removesuffix("index.html")
    return lambda target: urls.relative(page, target)


_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s"']*))\s*\)""", re.IGNORECASE)


def inline_stylesheet(theme: Theme, base_url: str | None, max_embed: int = 32768) -> Markup:
    """The theme's style.css for a <style> element in 404.html, which hosts serve at any URL.

    A relative url(...) would resolve against that URL, so each one that names a theme
    file is rewritten: to base_url + assets/... when set, else to a data: URL (files up
    to max_embed bytes) or to /assets/... (larger ones: the site is taken to be at the
    root of its host, as 404.html's links are).
    """

    def theme_file(rel: str) -> Path | None:
        paths = (folder / rel for folder in reversed(theme.static_dirs))
        return next((p for p in paths if p.is_file()), None)

    sheet = theme_file("style.css")
    if sheet is None:
        return Markup("")

    def rewrite(match: re.Match[str]) -> str:
        ref = next(g for g in match.groups() if g is not None)
        if not ref or re.match(r"[a-z][a-z0-9+.-]*:|/|#", ref, re.IGNORECASE):
            return match.group(0)
        rel = posixpath.normpath(posixpath.join(urls.ASSETS, ref))
        if rel.startswith(".."):
            return match.group(0)  # outside the site: nothing to point at
        inside = rel.startswith(urls.ASSETS + "/")  # never read past the theme's files
        path = theme_file(rel.removeprefix(urls.ASSETS + "/")) if inside else None
        if base_url:
            target = base_url + rel
        elif path is not None and "?" not in ref and path.stat().st_size <= max_embed:
            kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            target = f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode()}"
        else:
            target = "/" + rel
        return 'url("{}")'.format(target.replace('"', "%22"))

    css = _CSS_URL.sub(rewrite, sheet.read_text(encoding="utf-8"))
    return Markup(css.replace("</", "<\\/"))  # never ends the <style> element


def static_files(theme: Theme) -> list[OutputFile]:
    found: dict[str, Path] = {}
    for folder in theme.static_dirs:
        for path in folder.rglob("*"):
            if path.is_file():
                found[path.relative_to(folder).as_posix()] = path
    return [OutputFile(urls.asset(rel), path.read_bytes()) for rel, path in sorted(found.items())]
