"""The pipeline: find -> load -> check -> render -> pdf -> write, each stage timed."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from briefgen import __version__, pdf
from briefgen.check import check
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.load import LoadCache, load
from briefgen.model import Briefing
from briefgen.project import Project, find_project
from briefgen.render import (
    OutputFile,
    RenderCache,
    Theme,
    builtin_dir,
    check_templates,
    find_theme,
    make_environment,
    render_site,
)
from briefgen.write import write_site


@dataclass(slots=True)
class BuildCache:
    """What a long-running process (the preview server) keeps between builds."""

    load: LoadCache = field(default_factory=LoadCache)
    render: RenderCache = field(default_factory=RenderCache)
    env: jinja2.Environment | None = None
    """The Jinja environment of the last good build, reused while theme.stamp holds."""
    theme_stamp: object = None


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
    up_to_date: bool = False


@dataclass(frozen=True, slots=True)
class Prepared:
    """A loaded, checked briefing with its theme, ready to render."""

    project: Project
    briefing: Briefing
    theme: Theme
    env: jinja2.Environment


def prepare(project_dir: Path, cache: BuildCache | None = None) -> Prepared:
    """Load and validate everything; raise BuildFailed listing every mistake."""
    project = find_project(project_dir)
    loaded = load(project, cache.load if cache else None)
    briefing = loaded.briefing
    diagnostics = [*loaded.diagnostics, *check(briefing, loaded.broken_ids)]
    try:
        theme = find_theme(project, briefing.settings.theme)
    except BuildFailed as failed:
        raise BuildFailed([*diagnostics, *failed.diagnostics]) from None
    if cache is not None and cache.env is not None and cache.theme_stamp == theme.stamp:
        env = cache.env
    else:
        env = make_environment(theme)
        template_errors = check_templates(theme, env)
        diagnostics.extend(template_errors)
        if cache is not None and not template_errors:
            cache.env, cache.theme_stamp = env, theme.stamp
    if diagnostics:
        raise BuildFailed(diagnostics)
    return Prepared(project, briefing, theme, env)


def build(
    project_dir: Path,
    out_dir: Path | None = None,
    *,
    with_pdf: bool = True,
    cache: BuildCache | None = None,
    use_manifest: bool = False,
    force: bool = False,
) -> BuildReport:
    """Build the site (and the PDF) into out_dir, all or nothing.

    use_manifest lets a one-off build skip all work when no input changed since
    the last build into the same folder and the output was not touched; force
    redoes everything, the PDF layout included.
    """
    timings: dict[str, float] = {}
    start = time.perf_counter()
    project = find_project(project_dir)
    out = (out_dir or project.root / "site").absolute()
    _check_out_dir(project, out)
    manifest = _Manifest(project, out, with_pdf) if use_manifest else None
    if manifest is not None and not force and manifest.is_current():
        timings["total"] = time.perf_counter() - start
        return BuildReport(out, 0, (), (), (), "up to date", timings, up_to_date=True)

    prepared = prepare(project.root, cache)
    timings["load+check"] = time.perf_counter() - start

    mark = time.perf_counter()
    files = render_files(
        prepared, cache, prepared.briefing.settings.pdf.filename if with_pdf else None
    )
    pages = sum(1 for f in files if f.path.endswith(".html"))
    timings["render"] = time.perf_counter() - mark

    pdf_state = "skipped"
    if with_pdf:
        mark = time.perf_counter()
        pdf_file, pdf_state = _pdf(prepared, out, force)
        files.append(pdf_file)
        timings["pdf"] = time.perf_counter() - mark

    mark = time.perf_counter()
    report = write_site(files, out)
    timings["write"] = time.perf_counter() - mark
    timings["total"] = time.perf_counter() - start
    _write_quietly(_out_marker(project, out), os.fspath(out))
    if manifest is not None:
        manifest.save()
    return BuildReport(
        out, pages, report.written, report.unchanged, report.removed, pdf_state, timings
    )


def render_files(
    prepared: Prepared, cache: BuildCache | None, pdf_name: str | None
) -> list[OutputFile]:
    """Every site file but the PDF; pages link to pdf_name when it is given."""
    return render_site(
        prepared.briefing,
        prepared.env,
        prepared.theme,
        pdf_name,
        cache.render if cache else None,
    )


def _pdf(prepared: Prepared, out: Path, force: bool) -> tuple[OutputFile, str]:
    """Render the PDF unless its inputs are unchanged since the last build into out."""
    settings = prepared.briefing.settings
    document = pdf.print_document(prepared.briefing, prepared.env, prepared.theme, prepared.project)
    key = document.key()
    stamp = _cache_file(prepared.project, out, "pdfkey")
    data: bytes | None = None
    if not force:
        with contextlib.suppress(OSError):  # no stamp or no earlier PDF: lay it out
            if stamp.read_text() == key:
                data = (out / settings.pdf.filename).read_bytes()
    state = "built" if data is None else "reused"
    if data is None:
        data = document.render()
    _write_quietly(stamp, key)
    return OutputFile(settings.pdf.filename, data), state


def _check_out_dir(project: Project, out: Path) -> None:
    """Refuse an output folder whose files the build would replace or remove."""
    problem = _out_dir_problem(project, out.resolve())
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
            "holds files briefgen did not write; expected a new or empty folder, "
            "or one this project was built into before"
        )
    return None


_ALWAYS_BUILT = ("index.html", "404.html", "feed.xml", "sitemap.xml")


def _may_fill(project: Project, real: Path) -> bool:
    """site/ (generated, never edited by hand), an empty folder, or an earlier output:
    of this project here, or a briefgen site from elsewhere (a committed docs/ folder)."""
    if real == (project.root / "site").resolve() or not any(real.iterdir()):
        return True
    if _out_marker(project, real).is_file():
        return True
    return all((real / name).is_file() for name in _ALWAYS_BUILT)


def _out_marker(project: Project, out: Path) -> Path:
    """Written after each successful build: out holds this project's site."""
    return _cache_file(project, out.resolve(), "out")


def _cache_file(project: Project, out: Path, name: str) -> Path:
    """A file in the project's cache folder, one per output folder."""
    digest = hashlib.sha256(os.fsencode(out)).hexdigest()[:12]
    return project.cache_dir / f"{digest}-{name}"


def _write_quietly(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    except OSError:
        pass  # only a speed-up is lost


class _Manifest:
    """Stamps of every input and output of the last successful one-off build."""

    def __init__(self, project: Project, out: Path, with_pdf: bool) -> None:
        self.project = project
        self.out = out
        self.path = _cache_file(project, out, f"manifest-{int(with_pdf)}.json")

    def _stamps(self) -> dict[str, object]:
        inputs: dict[str, list[int]] = {}
        roots = [*self.project.watched_paths(), self.project.settings_file, builtin_dir()]
        for root in roots:
            _stamp_tree(root, inputs)
        outputs: dict[str, list[int]] = {}
        _stamp_tree(self.out, outputs)
        return {"version": __version__, "inputs": inputs, "outputs": outputs}

    def is_current(self) -> bool:
        try:
            saved = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return False
        return bool(saved == self._stamps())

    def save(self) -> None:
        _write_quietly(self.path, json.dumps(self._stamps()))


def _stamp_tree(root: Path, into: dict[str, list[int]]) -> None:
    if root.is_file():
        st = root.stat()
        into[str(root)] = [st.st_mtime_ns, st.st_size]
        return
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            into[path] = [st.st_mtime_ns, st.st_size]
