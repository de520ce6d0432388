"""A theme: its folders (templates, static files, print stylesheet) and its Jinja environment.

Templates are searched in order: the project's templates/, the theme's own, then the
built-in ones. Static files of the default theme are published first and a theme's
own replace them file by file; the print stylesheet is one file, the theme's or else
the default theme's.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import functools
import mimetypes
import os
import posixpath
import re
import stat
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import jinja2.bccache
from markupsafe import Markup

from briefgen import builtins, markdown, numbering, urls, words
from briefgen.cache import tree_stamps
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.model import LIKELIHOODS
from briefgen.project import Project
from briefgen.store import code_fingerprint, content_key
from briefgen.template_errors import LookupContext, Missing, message
from briefgen.write import OutputFile

TEMPLATE_SUFFIXES = (".html", ".xml", ".txt", ".eml")
DEFAULT = "default"
PRINT_DIR = "print"
"""A theme's print folder: print.css and any images or fonts it uses; never published."""
PRINT_CSS = "print.css"
FAVICONS = {
    "favicon.svg": "image/svg+xml",
    "favicon.png": "image/png",
    "favicon.ico": "image/x-icon",
}
"""The static files a theme may give as its icon, by preference (its own beat the default's)."""

Stamp = tuple[tuple[str, int, int], ...]
"""Path, mtime and size of each file (cache.tree_stamps, as a hashable tuple)."""


@dataclass(frozen=True, slots=True)
class Favicon:
    name: str
    """Its path under the theme's static/ (so under assets/ in the site)."""
    media_type: str


@dataclass(frozen=True, slots=True)
class Theme:
    name: str
    template_dirs: tuple[Path, ...]
    """Searched in order: project overrides, the theme's own, then built-in."""
    static_dirs: tuple[Path, ...]
    """Later folders override earlier ones file by file."""
    print_stylesheets: tuple[Path, ...]
    """The print CSS (at most one file), applied after the print template's own <style>."""
    stamp: Stamp
    """Name, mtime and size of every theme file: changes when any template or asset does."""
    env: jinja2.Environment = field(compare=False, repr=False)

    @property
    def print_dirs(self) -> tuple[Path, ...]:
        """The folders the print stylesheet may read fonts and images from."""
        return tuple(dict.fromkeys(sheet.parent for sheet in self.print_stylesheets))

    def static_files(self) -> list[OutputFile]:
        """The theme's static files as they are published under assets/."""
        found: dict[str, Path] = {}
        outside: list[Diagnostic] = []
        for folder in self.static_dirs:
            for path in folder.rglob("*"):
                if not path.is_file():
                    continue
                if links_outside(path, folder):
                    outside.append(Diagnostic(SourcePos(path), LINK_OUTSIDE))
                found[path.relative_to(folder).as_posix()] = path
        if outside:
            raise BuildFailed(outside)
        return [
            OutputFile(urls.asset(rel), path.read_bytes()) for rel, path in sorted(found.items())
        ]

    def inline_stylesheet(self, base_url: str | None, max_embed: int = 32768) -> Markup:
        """The theme's style.css for a <style> element in 404.html, which hosts serve at any URL.

        A relative url(...) would resolve against that URL, so each one that names a theme
        file is rewritten: to base_url + assets/... when set, else to a data: URL (files up
        to max_embed bytes) or to /assets/... (larger ones: the site is taken to be at the
        root of its host, as 404.html's links are).
        """

        def theme_file(rel: str) -> Path | None:
            paths = (folder / rel for folder in reversed(self.static_dirs))
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


_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s"']*))\s*\)""", re.IGNORECASE)


def load_theme(project: Project, name: str, previous: Theme | None = None) -> Theme:
    """The theme called name, its templates compiled; raise BuildFailed naming every mistake.

    previous is the theme of an earlier build: its environment (and the templates Jinja
    compiled in it) is reused while no file of the theme changed.
    """
    builtin_themes = builtins.themes_dir()
    candidates = [project.themes / name, builtin_themes / name]
    theme_dir = next((c for c in candidates if c.is_dir()), None)
    if theme_dir is None:
        raise BuildFailed(
            [
                Diagnostic(
                    SourcePos(project.settings_file),
                    f"theme '{name}' not found; expected a folder themes/{name}/ "
                    f"or the built-in '{DEFAULT}'",
                )
            ]
        )
    template_dirs = _existing(project.templates, theme_dir / "templates", builtins.templates_dir())
    static_dirs = _existing(builtin_themes / DEFAULT / "static", theme_dir / "static")
    sheets = [
        folder / PRINT_DIR / PRINT_CSS
        for folder in (project.themes / name, builtin_themes / name, builtin_themes / DEFAULT)
    ]
    print_sheets = tuple(s for s in sheets if s.is_file())[:1]
    stamp = _stamp([*template_dirs, *static_dirs, *(s.parent for s in print_sheets)])
    if previous is not None and previous.stamp == stamp and previous.template_dirs == template_dirs:
        return previous
    env = make_environment(template_dirs)
    env.globals["favicon"] = find_favicon(static_dirs)
    record = project.cache_dir / CHECKED_RECORD
    checked = _checked_key(template_dirs, stamp)
    compiled_before = _read_record(record) == checked
    problems = check_templates(template_dirs, env, compile_all=not compiled_before)
    if problems:
        raise BuildFailed(problems)
    if not compiled_before:
        with contextlib.suppress(OSError):  # only a speed-up is lost
            record.parent.mkdir(exist_ok=True)
            record.write_text(checked)
    return Theme(name, template_dirs, static_dirs, print_sheets, stamp, env)


CHECKED_RECORD = "templates-checked"
"""The key of the templates last compiled without a mistake, in the project's cache
folder: while it holds, a build compiles only the templates of the pages it renders."""


def _checked_key(template_dirs: tuple[Path, ...], stamp: Stamp) -> str:
    """What compiling every template depends on: their files, this module's environment
    (its filters) and Jinja's version."""
    return content_key(
        repr(template_dirs), repr(stamp), code_fingerprint("theme.py"), jinja2.__version__
    )


def _read_record(path: Path) -> str | None:
    try:
        return path.read_text()
    except (OSError, UnicodeDecodeError):
        return None


LINK_OUTSIDE = "is a symbolic link to a file outside its folder; expected a file of the theme"


def links_outside(path: Path, folder: Path) -> bool:
    """Whether a link leads from path out of folder (whose files a build publishes)."""
    try:
        return not path.resolve().is_relative_to(folder.resolve())
    except (OSError, RuntimeError):
        return True


def find_favicon(static_dirs: tuple[Path, ...]) -> Favicon | None:
    """The icon the pages link to: the last static folder's favicon.svg, .png or .ico."""
    for folder in reversed(static_dirs):
        for name, media_type in FAVICONS.items():
            if (folder / name).is_file():
                return Favicon(name, media_type)
    return None


def _existing(*folders: Path) -> tuple[Path, ...]:
    return tuple(d for d in dict.fromkeys(folders) if d.is_dir())


def _stamp(folders: list[Path]) -> Stamp:
    stamps = tree_stamps(dict.fromkeys(folders))
    return tuple((path, stamps[path][0], stamps[path][1]) for path in sorted(stamps))


def make_environment(template_dirs: tuple[Path, ...]) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs]),
        bytecode_cache=user_bytecode_cache(),
        autoescape=jinja2.select_autoescape(("html", "xml", "htm")),
        undefined=Missing,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.context_class = LookupContext
    env.filters["md"] = markdown.render_markup
    env.filters["inline"] = markdown.render_inline
    env.filters["longdate"] = _long_date
    env.filters["direction"] = words.direction
    env.filters["dir_attr"] = _dir_attr
    env.filters["css_string"] = _css_string
    env.globals["t"] = _word
    env.filters["first_sentence"] = markdown.first_sentence
    env.globals["LIKELIHOODS"] = LIKELIHOODS
    env.filters["chip_name"] = numbering.chip_name
    env.filters["distinct_articles"] = numbering.distinct_articles
    return env


def check_templates(
    template_dirs: tuple[Path, ...], env: jinja2.Environment, *, compile_all: bool = True
) -> list[Diagnostic]:
    """Compile every template the theme can see, so syntax errors name file and line.

    A template the loader finds by its name is compiled through the environment (from
    the bytecode cache when its source is unchanged, and kept for the render); one
    hidden by an override of the same name is only parsed. Without compile_all (the
    same files compiled cleanly before) only links are checked: the render compiles the
    templates it uses."""
    diagnostics: list[Diagnostic] = []

    def unreadable(exc: OSError) -> None:
        # else a template the user cannot read is silently replaced by the built-in one
        where = Path(exc.filename) if exc.filename else Path("templates")
        diagnostics.append(Diagnostic(SourcePos(where), f"cannot read folder: {exc.strerror}"))

    found: set[str] = set()
    for folder in template_dirs:
        paths = [
            Path(root, name)
            for root, _, names in os.walk(folder, onerror=unreadable)
            for name in names
        ]
        for path in sorted(paths):
            if path.suffix not in TEMPLATE_SUFFIXES or not path.is_file():
                continue
            if links_outside(path, folder):  # Jinja would follow the link
                diagnostics.append(Diagnostic(SourcePos(path), LINK_OUTSIDE))
                continue
            name = path.relative_to(folder).as_posix()
            if not compile_all:
                continue
            try:
                if name in found:
                    _parse(env, path)
                else:
                    found.add(name)
                    try:
                        env.get_template(name)
                    except jinja2.TemplateAssertionError:
                        # a filter the environment lacks (the email's own): found when
                        # the template is rendered, as before; its syntax is checked here
                        _parse(env, path)
            except jinja2.TemplateSyntaxError as exc:
                diagnostics.append(template_diagnostic(exc))
            except UnicodeDecodeError:
                diagnostics.append(Diagnostic(SourcePos(path), "template is not UTF-8"))
            except OSError as exc:
                diagnostics.append(
                    Diagnostic(SourcePos(path), f"cannot read template: {exc.strerror}")
                )
    return diagnostics


def _parse(env: jinja2.Environment, path: Path) -> None:
    env.parse(path.read_text(encoding="utf-8"), path.name, str(path))


class _UserBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates in a folder of the user's own: a cache that cannot be read or
    written costs only the compile.

    A template's code depends on the environment's options and on how each filter and
    test is called, besides its source: those are part of its key, so an overlay (the
    email's, with filters of its own) never loads code compiled for another environment.
    """

    def get_bucket(
        self,
        environment: jinja2.Environment,
        name: str,
        filename: str | None,
        source: str,
    ) -> jinja2.bccache.Bucket:
        options = _compile_options(environment, name)
        bucket = jinja2.bccache.Bucket(
            environment,
            self.get_cache_key(f"{name}\0{options}", filename),
            self.get_source_checksum(source),
        )
        self.load_bytecode(bucket)
        return bucket

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().load_bytecode(bucket)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):
            super().dump_bytecode(bucket)


def _compile_options(env: jinja2.Environment, name: str) -> str:
    """Everything of env that the code compiled from a template's source depends on."""

    def calls(table: Mapping[str, object]) -> list[tuple[str, str]]:
        return sorted((k, repr(getattr(v, "jinja_pass_arg", None))) for k, v in table.items())

    autoescape = env.autoescape(name) if callable(env.autoescape) else env.autoescape
    return repr(
        (
            env.block_start_string, env.block_end_string, env.variable_start_string,
            env.variable_end_string, env.comment_start_string, env.comment_end_string,
            env.line_statement_prefix, env.line_comment_prefix, env.trim_blocks,
            env.lstrip_blocks, env.newline_sequence, env.keep_trailing_newline,
            sorted(env.extensions), env.optimized, env.is_async, autoescape,
            getattr(env.finalize, "jinja_pass_arg", env.finalize is not None),
            calls(env.filters), calls(env.tests),
        )
    )  # fmt: skip


def user_bytecode_cache() -> jinja2.BytecodeCache | None:
    """Jinja's compiled templates, kept in the user's cache folder
    ($XDG_CACHE_HOME/briefgen, else ~/.cache/briefgen); None when it cannot be had.

    Never in the project's cache folder: compiled templates are code, and a project may
    come from anyone (briefgen.store trusts nothing from there). The folder must belong
    to the user and be writable by no one else. Its name carries the Python and Jinja
    versions; each template's key, its source and the environment's options."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None  # the XDG rule: a relative path is invalid, and ~ did not expand
    version = f"{sys.implementation.cache_tag}-{jinja2.__version__}"
    top = os.path.join(base, "briefgen")
    folder = os.path.join(top, f"jinja-{version}")
    for path in (top, folder):
        try:
            os.makedirs(path, mode=0o700, exist_ok=True)
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISDIR(st.st_mode) or st.st_uid != os.getuid() or st.st_mode & 0o022:
            return None  # a link, another's folder, or one others may write to
    return _UserBytecodeCache(folder)


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
    if frames:
        frame = frames[-1]
        return Diagnostic(
            SourcePos(Path(frame.filename), frame.lineno or 1, 1),
            f"template error: {message(exc, frame.line)}",
        )
    return Diagnostic(SourcePos(Path("templates")), f"template error: {message(exc, None)}")


@jinja2.pass_context
def _long_date(context: jinja2.runtime.Context, value: dt.date | None) -> str:
    settings = context.get("settings")
    return words.long_date(value, getattr(settings, "lang", "en"))


def _css_string(text: str) -> Markup:
    """text as a quoted CSS string, safe inside a <style> element."""
    escaped = "".join(c if c.isalnum() or c in " .,-" else f"\\{ord(c):x} " for c in text)
    return Markup(f'"{escaped}"')


def _dir_attr(text: str | None) -> Markup:
    """' dir="rtl"' for a text that starts in a right-to-left script, else nothing."""
    return Markup(' dir="rtl"') if markdown.starts_right_to_left(text or "") else Markup("")


@jinja2.pass_context
def _word(context: jinja2.runtime.Context, phrase: str, **values: object) -> str:
    """t("Bottom line") in a template: the phrase in the briefing's language."""
    settings = context.get("settings")
    text = _phrase(getattr(settings, "lang", "en"), getattr(settings, "words", ()), phrase)
    if values and context.eval_ctx.autoescape:
        # the phrase is text, the values may be markup made by the template
        return Markup(Markup.escape(text).format(**values))
    return text.format(**values) if values else text


@functools.lru_cache(maxsize=1024)
def _phrase(lang: str, overrides: tuple[tuple[str, str], ...], phrase: str) -> str:
    """The wording of phrase, looked up once per build: every page asks for dozens."""
    return words.word(lang, dict(overrides), phrase)
