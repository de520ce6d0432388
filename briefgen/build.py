"""The pipeline, and the only module that runs it.

    find the project -> load -> check -> theme -> render pages, images, static files
    -> the PDF (laid out only when its key changed) -> write, all or nothing

Every command asks this module for what it needs:

- prepare(): load and check the content and compile the theme, or raise BuildFailed
  naming every mistake at once;
- build(): the site and the PDF into an output folder; a one-off build with nothing
  to do stops after comparing the manifest's stamps;
- check_only(): everything a build checks, pages and PDF rendered in memory, nothing
  written;
- pdf_only(): the PDF briefing alone;
- Previewer: a builder callable for the preview server, which keeps the caches of
  one process between builds.

What is stale is decided in briefgen.cache; this module only asks.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.cache import CacheFolder, Manifest, Memo, PageRecords, PdfStamps
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.listing import Listing, list_folder
from briefgen.lock import project_lock
from briefgen.project import Project, find_project
from briefgen.store import keep_in_memory
from briefgen.write import MARKER, OutputFile, check_outputs, write_site

Progress = Callable[[str, int, int], None]
"""Told (stage, done, total) as a build goes: total is 0 when a stage has no count."""

if TYPE_CHECKING:  # the heavy stages are imported when a build has work to do
    from briefgen.changes import Editions
    from briefgen.index import SiteIndex
    from briefgen.load import ParsedArticle
    from briefgen.model import Briefing, PdfSettings
    from briefgen.pdf import PrintDocument
    from briefgen.theme import Theme


@dataclass(frozen=True, slots=True)
class Prepared:
    """A loaded, checked briefing with its compiled theme, ready to render."""

    project: Project
    briefing: Briefing
    theme: Theme
    index: SiteIndex
    """What the pages and the PDF look up besides the model, derived once."""
    editions: Editions
    """The recorded editions and this one, with what changed in each."""
    warnings: tuple[Diagnostic, ...] = ()
    """What the content should still fix; empty under --strict, where they are errors."""


@dataclass(slots=True)
class BuildCache:
    """What one process keeps between its builds (the preview's Previewer)."""

    articles: Memo[ParsedArticle] = field(default_factory=Memo)
    pages: Memo[bytes] = field(default_factory=Memo)
    media: Memo[bytes] = field(default_factory=Memo)
    theme: Theme | None = None
    """The theme of the last good build, reused while none of its files changed."""


@dataclass(frozen=True, slots=True)
class BuildReport:
    out_dir: Path
    pages: int
    written: tuple[str, ...]
    unchanged: tuple[str, ...]
    removed: tuple[str, ...]
    pdf: str
    """'built', 'reused', 'skipped', or 'up to date'."""
    timings: dict[str, float]
    search: str = "none"
    """The search index: 'built', 'kept' (it still matches every page it indexes), or
    'none' (not asked for, and no index that matches the pages)."""
    up_to_date: bool = False
    warnings: tuple[Diagnostic, ...] = ()
    rendered: int = 0
    """Pages rendered (or taken from the process's memo); the others were kept, as their
    records showed them unchanged."""


def prepare(
    project_dir: Path,
    cache: BuildCache | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    progress: Progress | None = None,
    *,
    strict: bool = False,
) -> Prepared:
    """Load and validate everything; raise BuildFailed listing every mistake, and the
    warnings with them (strict: every warning is an error).

    base_url, when given, replaces base_url of briefing.yaml (`--base-url`); drafts
    keeps what is marked `draft: true` (`--drafts`); progress is told each stage."""
    from briefgen.check import check, open_quote_store
    from briefgen.editions import load_editions
    from briefgen.index import SiteIndex
    from briefgen.lint import lint
    from briefgen.load import load
    from briefgen.theme import load_theme

    tell = progress or _silent
    project = find_project(project_dir)
    loaded = load(project, cache.articles if cache else None, progress=tell)
    briefing = loaded.briefing
    diagnostics = list(loaded.diagnostics)
    skipped = loaded.broken_ids  # cites to these are reported once, elsewhere
    if not drafts:
        from briefgen.drafts import without_drafts

        briefing, dangling = without_drafts(briefing)
        diagnostics.extend(dangling)
        skipped |= {a.id for a in loaded.briefing.articles if a.draft}
    tell("check", 0, 0)
    quotes = open_quote_store(project.cache_dir)
    diagnostics.extend(check(briefing, skipped, quotes))
    quotes.save((), spare=1000)
    quiet = frozenset(d.pos.path for d in diagnostics if d.pos)
    warnings = lint(briefing, dt.date.today(), quiet)
    if strict:
        diagnostics.extend(replace(w, severity="error") for w in warnings)
        warnings = []
    editions = load_editions(project, briefing, diagnostics)
    tell("theme", 0, 0)
    try:
        theme = load_theme(project, briefing.settings.theme, cache.theme if cache else None)
    except BuildFailed as failed:
        raise BuildFailed([*diagnostics, *failed.diagnostics, *warnings]) from None
    if cache is not None:
        cache.theme = theme
    if diagnostics:
        raise BuildFailed([*diagnostics, *warnings])
    if base_url is not None:
        briefing = replace(briefing, settings=replace(briefing.settings, base_url=base_url))
    return Prepared(project, briefing, theme, SiteIndex.of(briefing), editions, tuple(warnings))


def _silent(stage: str, done: int, total: int) -> None:
    pass


@dataclass(frozen=True, slots=True)
class SiteOutput:
    files: list[OutputFile]
    """Every file of the site but the PDF and the pages kept."""
    kept: tuple[str, ...] = ()
    """Pages the last build wrote that show what they would show now."""
    keys: dict[str, str] = field(default_factory=dict)
    """The key digest of each keyed page (see render.RenderedSite)."""
    rendered: int = 0


def site_files(
    prepared: Prepared,
    pdf_name: str | None,
    cache: BuildCache | None = None,
    records: PageRecords | None = None,
    progress: Progress | None = None,
) -> SiteOutput:
    """Every file of the site but the PDF; pages link to pdf_name when it is given.

    With records, a page whose file in the output folder shows its key now is kept.
    """
    from briefgen.images import media_files
    from briefgen.render import render_site

    diagnostics: list[Diagnostic] = []
    files: list[OutputFile] = []
    kept: tuple[str, ...] = ()
    keys: dict[str, str] = {}
    rendered_pages = 0
    try:
        rendered = render_site(
            prepared.index,
            prepared.theme,
            pdf_name,
            cache.pages if cache else None,
            records.on_disk if records else None,
            progress,
            editions=prepared.editions,
        )
        files.extend(rendered.files)
        kept, keys, rendered_pages = rendered.kept, rendered.keys, len(rendered.files)
    except BuildFailed as failed:
        diagnostics.extend(failed.diagnostics)
    try:
        files.extend(
            media_files(prepared.briefing, prepared.project.content, cache.media if cache else None)
        )
    except BuildFailed as failed:
        diagnostics.extend(failed.diagnostics)
    if diagnostics:
        raise BuildFailed(dict.fromkeys(diagnostics))
    files.extend(prepared.theme.static_files())
    return SiteOutput(files, kept, keys, rendered_pages)


def print_document(prepared: Prepared, pdf_format: str | None = None) -> PrintDocument:
    """The print document in pdf_format ('full' or 'brief'; default: pdf.format)."""
    from briefgen.pdf import print_document as make

    chosen = pdf_format or prepared.briefing.settings.pdf.format
    return make(prepared.index, prepared.theme, prepared.project, chosen, prepared.editions)


def build(
    project_dir: Path,
    out_dir: Path | None = None,
    *,
    with_pdf: bool = True,
    cache: BuildCache | None = None,
    use_manifest: bool = False,
    force: bool = False,
    prepared: Prepared | None = None,
    base_url: str | None = None,
    drafts: bool = False,
    progress: Progress | None = None,
    strict: bool = False,
    record_edition: bool = False,
    older_edition: bool = False,
    search: bool = False,
) -> BuildReport:
    """Build the site (and the PDF) into out_dir, all or nothing.

    use_manifest lets a one-off build skip all work when no input changed since the
    last build into the same folder and the output was not touched; force redoes
    everything, the PDF layout included. prepared is the project already prepared by
    the caller (who then owns its freshness). base_url overrides briefing.yaml's;
    drafts keeps what is marked `draft: true`; strict fails the build on any warning.
    progress is told each stage as it starts and how far the long ones are.
    record_edition writes this edition's snapshot into content/editions/ once the site
    is written; it refuses an edition older than the latest recorded unless older_edition.
    search makes the search index when the pages changed; without it an index already in
    out is kept while it matches every page it indexes, and removed once it does not.
    One run at a time: the build works while holding the project's lock.
    """
    project = prepared.project if prepared else find_project(project_dir)
    out = (out_dir or project.root / "site").absolute()
    _check_out_dir(project, out)  # before any write, and before waiting for the lock
    with project_lock(project.cache_dir):
        tell = progress or _silent
        timings: dict[str, float] = {}
        start = time.perf_counter()
        folder = CacheFolder(project.cache_dir)
        options = BuildOptions(with_pdf, base_url, drafts, strict, search)
        manifest = (
            Manifest(folder, project.input_paths(), out, options.kind(), options.as_json())
            if use_manifest
            else None
        )
        # One listing of the output serves the manifest, the page records and the writer.
        listing = _listing(out)
        if manifest and listing is not None and not force and manifest.is_current(listing.files):
            timings["total"] = time.perf_counter() - start
            return BuildReport(out, 0, (), (), (), "up to date", timings, up_to_date=True)

        if prepared is None:
            prepared = prepare(project.root, cache, base_url, drafts, tell, strict=strict)
        if record_edition:
            from briefgen.editions import check_order

            check_order(prepared.editions, prepared.briefing, older_edition)
        timings["load+check"] = time.perf_counter() - start

        mark = time.perf_counter()
        settings = prepared.briefing.settings
        records = PageRecords(folder, out, listing.files if listing else {})
        if force or not out.is_dir():
            records.saved.clear()
        site = site_files(
            prepared, settings.pdf.filename if with_pdf else None, cache, records, tell
        )
        files = site.files
        pages = sum(1 for f in files if f.path.endswith(".html")) + len(site.kept)
        timings["render"] = time.perf_counter() - mark

        pdf_state = "skipped"
        pdf: _Pdf | None = None
        stamps = PdfStamps(folder)
        if with_pdf:
            tell("pdf", 0, 0)
            mark = time.perf_counter()
            pdf = _fresh_or_laid_out(prepared, stamps, out / settings.pdf.filename, force)
            pdf_state = "built" if pdf.laid_out else "reused"
            files.append(OutputFile(settings.pdf.filename, pdf.data))
            timings["pdf"] = time.perf_counter() - mark

        mark = time.perf_counter()
        if search:
            tell("search", 0, 0)
        index = _search_index(files, site, records, out, project.root, search)
        kept = [*site.kept, *index.kept]
        timings["search"] = time.perf_counter() - mark

        tell("write", 0, 0)
        mark = time.perf_counter()
        records.forget()
        report = write_site(files, out, kept, listing)
        records.record(site.keys, report.stamps)
        timings["write"] = time.perf_counter() - mark
        timings["total"] = time.perf_counter() - start
        if pdf is not None and pdf.laid_out:
            stamps.record(out / settings.pdf.filename, pdf.key, pdf.data, pdf.pages)
        folder.write_text(out, "out", os.fspath(out))
        recorded = None
        if record_edition:
            from briefgen.editions import record

            recorded = record(project, prepared.editions)
        if manifest is not None:
            if recorded is not None:
                manifest.restamp(recorded)  # our own write is no change for the next build
            manifest.save(report.stamps)
        return BuildReport(
            out,
            pages,
            report.written,
            report.unchanged,
            report.removed,
            pdf_state,
            timings,
            index.state,
            warnings=prepared.warnings,
            rendered=site.rendered,
        )


def _listing(out: Path) -> Listing | None:
    """The output folder's listing; None when part of it cannot be listed (the writer
    tries again, and reports what stands in its way)."""
    try:
        return list_folder(out)
    except OSError:
        return None


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """What a build was asked for besides its project and folder: recorded with its
    manifest, so that `briefgen publish` can add the search index to the very site the
    user built."""

    with_pdf: bool = True
    base_url: str | None = None
    drafts: bool = False
    strict: bool = False
    search: bool = False

    def kind(self) -> str:
        """The name of the manifest of a build with these options: each kind of output
        has its own record."""
        kind = "site+pdf" if self.with_pdf else "site"
        if self.base_url is not None:  # a build for another address is another output
            kind += "+url-" + hashlib.sha256(self.base_url.encode()).hexdigest()[:12]
        if self.drafts:
            kind += "+drafts"
        if self.strict:  # a lenient build's record must not let a strict one skip its checks
            kind += "+strict"
        if self.search:
            kind += "+search"
        return kind

    def as_json(self) -> dict[str, object]:
        return {
            "with_pdf": self.with_pdf,
            "base_url": self.base_url,
            "drafts": self.drafts,
            "strict": self.strict,
            "search": self.search,
        }

    @classmethod
    def from_json(cls, saved: object) -> BuildOptions | None:
        """The options recorded by as_json(), or None when saved is not such a record."""
        if not isinstance(saved, dict):
            return None
        with_pdf, base_url = saved.get("with_pdf"), saved.get("base_url")
        drafts, strict, search = saved.get("drafts"), saved.get("strict"), saved.get("search")
        flags = (with_pdf, drafts, strict, search)
        if not all(isinstance(f, bool) for f in flags):
            return None
        if base_url is not None and not isinstance(base_url, str):
            return None
        return cls(bool(with_pdf), base_url, bool(drafts), bool(strict), bool(search))


@dataclass(frozen=True, slots=True)
class _SearchIndex:
    state: str
    """As BuildReport.search."""
    kept: list[str]
    """The index's files in out that stay as they are."""


def _search_index(
    files: list[OutputFile],
    site: SiteOutput,
    records: PageRecords,
    out: Path,
    root: Path,
    wanted: bool,
) -> _SearchIndex:
    """Keep the index in out when every page it indexes is as it was; else make a new
    one into files when wanted, or leave none (a stale index would find pages that no
    longer say what it found)."""
    from briefgen.search import BUNDLE, search_files

    bundle = [p for p in records.saved if p.startswith(f"{BUNDLE}/")]
    if not bundle and not wanted:
        return _SearchIndex("none", [])
    pages = sorted((p, d) for p, d in site.keys.items() if p.endswith(".html"))
    digest = hashlib.sha256(repr(pages).encode()).hexdigest()
    if bundle and all(records.on_disk(p, digest) for p in bundle):
        site.keys.update(dict.fromkeys(bundle, digest))
        return _SearchIndex("kept", bundle)
    if not wanted:
        return _SearchIndex("none", [])
    on_disk = [OutputFile(p, (out / p).read_bytes()) for p in site.kept]
    index = search_files([*files, *on_disk], root)
    files.extend(index)
    site.keys.update({f.path: digest for f in index})
    return _SearchIndex("built", [])


@dataclass(frozen=True, slots=True)
class _Pdf:
    data: bytes
    pages: int
    key: str
    laid_out: bool
    """False when the PDF already at the target was fresh and is used as it is."""


def _fresh_or_laid_out(
    prepared: Prepared, stamps: PdfStamps, target: Path, force: bool, pdf_format: str | None = None
) -> _Pdf:
    """The PDF for target: the one already there when it is fresh, else a new layout.

    The caller records a new layout with stamps.record() once it is written.
    """
    document = print_document(prepared, pdf_format)
    key = document.key()
    fresh = None if force else stamps.fresh(target, key)
    if fresh is not None:
        data, record = fresh
        return _Pdf(data, record.pages, key, laid_out=False)
    rendered = document.layout()
    return _Pdf(rendered.data, rendered.pages, key, laid_out=True)


# --- checking and the PDF alone --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CheckReport:
    articles: int
    issues: int
    checklist_items: int
    cites: int
    warnings: tuple[Diagnostic, ...] = ()


def check_only(project_dir: Path, *, drafts: bool = False, strict: bool = False) -> CheckReport:
    """Everything a build checks, with pages and print HTML rendered in memory (template
    errors that show only with real data); nothing is written."""
    prepared = prepare(project_dir, drafts=drafts, strict=strict)
    site_files(prepared, pdf_name=None)
    print_document(prepared, "full")
    print_document(prepared, "brief")
    briefing = prepared.briefing
    return CheckReport(
        len(briefing.articles),
        len(briefing.issues),
        len(briefing.watch),
        sum(1 for _ in briefing.cites()),
        prepared.warnings,
    )


@dataclass(frozen=True, slots=True)
class PdfWritten:
    path: Path
    state: str
    """'built' or 'up to date'."""
    pages: int
    size: int
    """Bytes."""
    seconds: float


def pdf_bytes(project_dir: Path, pdf_format: str | None = None) -> bytes:
    """The PDF briefing, laid out afresh and written nowhere."""
    return print_document(prepare(project_dir), pdf_format).layout().data


def pdf_only(
    project_dir: Path,
    target: Path | None,
    *,
    force: bool = False,
    pdf_format: str | None = None,
) -> PdfWritten:
    """The PDF briefing alone, written to target (default: where `build` puts it,
    PROJECT/site/<pdf.filename>, or site/<name>-brief.pdf for a brief PDF the settings
    do not choose); laid out again only when it is stale."""
    start = time.perf_counter()
    warm_up = _import_in_background()  # a quarter second, while the content loads
    try:
        with project_lock(find_project(project_dir).cache_dir):  # one run at a time
            return _pdf_only(project_dir, target, force, start, pdf_format)
    finally:
        warm_up.join()


def _import_in_background() -> threading.Thread:
    from briefgen.weasyimport import import_weasyprint

    def load() -> None:
        with contextlib.suppress(Exception):  # the layout imports it again and reports
            import_weasyprint()

    thread = threading.Thread(target=load, name="import weasyprint", daemon=True)
    thread.start()
    return thread


def _pdf_only(
    project_dir: Path, target: Path | None, force: bool, start: float, pdf_format: str | None
) -> PdfWritten:
    from briefgen.write import not_a_regular_file, replace_file

    prepared = prepare(project_dir)
    if target is None:
        name = default_pdf_name(prepared.briefing.settings.pdf, pdf_format)
        target = prepared.project.root / "site" / name
        try:
            target.parent.mkdir(exist_ok=True)
        except OSError as exc:
            raise BuildFailed(
                [
                    Diagnostic(
                        SourcePos(target.parent), f"cannot write the PDF: {exc.strerror or exc}"
                    )
                ]
            ) from exc
    target = target.absolute()
    problem = not_a_regular_file(target)
    if problem is not None:  # checked before the layout, which takes seconds
        raise BuildFailed(
            [Diagnostic(SourcePos(target), f"cannot write the PDF: {problem}; expected a file")]
        )
    stamps = PdfStamps(CacheFolder(prepared.project.cache_dir))
    pdf = _fresh_or_laid_out(prepared, stamps, target, force, pdf_format)
    if not pdf.laid_out:
        return PdfWritten(target, "up to date", pdf.pages, len(pdf.data), _since(start))
    try:
        replace_file(target, pdf.data)
    except OSError as exc:
        raise BuildFailed(
            [Diagnostic(SourcePos(target), f"cannot write the PDF: {exc.strerror or exc}")]
        ) from exc
    stamps.record(target, pdf.key, pdf.data, pdf.pages)
    return PdfWritten(target, "built", pdf.pages, len(pdf.data), _since(start))


def default_pdf_name(settings: PdfSettings, pdf_format: str | None) -> str:
    """pdf.filename, unless a brief PDF is asked for while the settings choose the full one:
    then <name>-brief.pdf, so the full PDF is not overwritten."""
    if pdf_format == "brief" and settings.format != "brief":
        return settings.filename.removesuffix(".pdf") + "-brief.pdf"
    return settings.filename


def _since(start: float) -> float:
    return time.perf_counter() - start


# --- the preview's builder ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SiteBuild:
    """One build of the preview: the site in memory, and how to make its PDF."""

    prepared: Prepared
    files: tuple[OutputFile, ...]
    """Every site file but the PDF, as `briefgen build` would write them."""
    pdf_name: str | None
    """The PDF's file name: pages link to it and the preview serves it there once laid
    out; None when the preview makes no PDF."""

    def print_document(self) -> PrintDocument:
        """The PDF's document (its key says whether it needs a new layout)."""
        return print_document(self.prepared)


class Previewer:
    """The preview server's builder: each call builds the project as it is now.

    Caches (parsed articles, rendered pages, images, the compiled theme) live as long
    as the Previewer, so a save re-renders only what it touches. Raises BuildFailed
    naming every mistake, or OSError when a file vanished mid-build.
    """

    def __init__(
        self,
        project_dir: Path,
        *,
        with_pdf: bool = True,
        base_url: str | None = None,
        drafts: bool = False,
    ) -> None:
        self.project = find_project(project_dir)
        keep_in_memory(self.project.cache_dir)
        self.with_pdf = with_pdf
        self.base_url = base_url
        self.drafts = drafts
        self._cache = BuildCache()
        self._checked: tuple[str, ...] = ()
        """The output paths of the last build that passed check_outputs."""

    def __call__(self) -> SiteBuild:
        prepared = prepare(self.project.root, self._cache, self.base_url, self.drafts)
        pdf_name = prepared.briefing.settings.pdf.filename if self.with_pdf else None
        files = site_files(prepared, pdf_name, self._cache).files
        paths = tuple(f.path for f in files)
        if paths != self._checked:  # most saves change no path
            check_outputs(files, self.project.root)
            self._checked = paths
        return SiteBuild(prepared, tuple(files), pdf_name)


# --- the output folder -------------------------------------------------------------------


def _check_out_dir(project: Project, out: Path) -> None:
    """Refuse an output folder whose files the build would replace or remove."""
    link = "is a symbolic link; expected a folder (give its real path with --out)"
    problem = link if out.is_symlink() else _out_dir_problem(project, out.resolve())
    if problem is not None:
        raise BuildFailed([Diagnostic(SourcePos(out), f"output folder {problem}")])


def _out_dir_problem(project: Project, real: Path) -> str | None:
    own = "expected a folder of its own, such as site/"
    if real == project.root:
        return f"is the project folder; {own}"
    if project.root.is_relative_to(real):
        return f"holds the project; {own}"
    for source in (project.content, project.templates, project.themes, project.cache_dir):
        if real.is_relative_to(source.resolve()):
            inside = "" if real == source.resolve() else "inside "
            return f"is {inside}{source.name}/; {own}"
    if real.exists() and not real.is_dir():
        return "is a file; expected a folder"
    if real.is_dir() and not _may_fill(project, real):
        return (
            f"holds files but no {MARKER} marker, so they may not be briefgen's; expected "
            "a new or empty folder, or one this project was built into before (for the "
            f"output of an older briefgen, delete the folder or create an empty {MARKER} "
            "in it)"
        )
    return None


def _may_fill(project: Project, real: Path) -> bool:
    """site/ (generated, never edited by hand), an empty folder, or an earlier output:
    of this project here, or one marked by briefgen's writer (a committed docs/ folder).
    Files that merely look like a site (index.html, feed.xml, ...) are not enough."""
    if real == (project.root / "site").resolve() or not any(real.iterdir()):
        return True
    if CacheFolder(project.cache_dir).path(real, "out").is_file():
        return True
    return (real / MARKER).is_file()
