"""Images in the briefing's text: checked, and pointed at their copies in the site's media/.

Article bodies, the summary, and issue and checklist text write images alike: paths
relative to the project folder that lead into content/, as for the PDF. A link to a
local image (a thumbnail linking to its full size) is published the same way. Remote
(http, https) and data: images are left to the browser. A file is an image by its
bytes (read by Pillow), not by its name.
"""

from __future__ import annotations

import html as htmllib
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from briefgen import markdown, urls
from briefgen.cache import Memo, file_stamp
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.model import ArticleImage, Briefing
from briefgen.write import OutputFile

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
"""What the site publishes from content/. Not .svg: see _image_name."""

IMAGE_FORMATS = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "MPO": "JPEG",  # what Pillow calls many cameras' JPEGs
    "GIF": "GIF",
    "WEBP": "WebP",
    "AVIF": "AVIF",
}
"""Pillow's names of the formats browsers and WeasyPrint show, and how people write them."""
_MAX_NAME = 255
"""Bytes in one file name: the limit of common file systems."""
_MAX_PATH = 1024

_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.IGNORECASE)
_A_HREF = re.compile(r'(<a\b[^>]*?\shref=")([^"]*)(")', re.IGNORECASE)
_EXAMPLE_IMAGE = "content/images/map.png"


@dataclass(frozen=True, slots=True)
class SourceText:
    """An article file's text, to find where an image is written."""

    path: Path
    text: str
    body_start: int

    def pos_of(self, src: str) -> SourcePos:
        """The first place the body writes src (as a link destination if it can)."""
        needles = dict.fromkeys((src, unquote(src)))
        for prefix, skip in (("](<", 3), ("](", 2), ("]: <", 4), ("]: ", 3), ("", 0)):
            for needle in needles:
                at = self.text.find(prefix + needle, self.body_start)
                if at >= 0:
                    at += skip
                    line = self.text.count("\n", 0, at) + 1
                    return SourcePos(self.path, line, at - self.text.rfind("\n", 0, at))
        return SourcePos(self.path, self.text.count("\n", 0, self.body_start) + 1)


def local_images(
    html: str, source: SourceText, page: str, content: Path, diagnostics: list[Diagnostic]
) -> tuple[str, tuple[ArticleImage, ...]]:
    """Point each local <img> (and each link to a local image) of an article body at its
    copy under media/, for page.

    Remote (http, https) and data: images stay as they are: the browser loads them.
    Each distinct src that is not a usable file of content/ is reported once.
    """
    images = _images_in(html, source, content, diagnostics)
    return point_at_media(html, page), images


def point_at_media(html: str, page: str) -> str:
    """html with every usable local image address (<img src>, <a href>) pointing at the
    image's copy under media/, relative to page. Anything else is left as it is."""

    def rewrite(match: re.Match[str]) -> str:
        raw = match[2]
        if "content" not in raw and "&" not in raw and "%" not in raw:
            return match[0]  # no escape to undo, so no path into content/: a page's link
        name, problem = _image_name(htmllib.unescape(raw))
        if name is None or problem is not None:
            return match[0]
        target = urls.relative(page, urls.media(quote(name, safe="/")))
        return f"{match[1]}{target}{match[3]}"  # quote() leaves nothing to escape

    return _A_HREF.sub(rewrite, _IMG_SRC.sub(rewrite, html))


def _images_in(
    html: str, source: SourceText, content: Path, diagnostics: list[Diagnostic]
) -> tuple[ArticleImage, ...]:
    """The local images html shows or links to; each unusable <img> src reported once."""
    images: dict[str, ArticleImage] = {}
    reported: set[str] = set()
    for pattern in (_IMG_SRC, _A_HREF):
        for match in pattern.finditer(html):
            src = htmllib.unescape(match[2])
            name, problem = _image_name(src)
            if problem is not None and pattern is _IMG_SRC and src not in reported:
                reported.add(src)
                diagnostics.append(Diagnostic(source.pos_of(src), _hinted(problem, src, source)))
            if name is not None and problem is None and name not in images:
                file = content.joinpath(*name.split("/"))
                images[name] = ArticleImage(name, file, source.pos_of(src))
    return tuple(images.values())


def text_images(
    briefing: Briefing, content: Path, diagnostics: list[Diagnostic]
) -> tuple[ArticleImage, ...]:
    """The local images of the summary and of issue and checklist text, checked as an
    article's are: each mistake reported at the place its file writes it."""
    found: dict[str, ArticleImage] = {}
    sources: dict[Path, SourceText | None] = {}
    for text, pos in markdown_fields(briefing):
        if "](" not in text and "]:" not in text:
            continue  # no Markdown image or link: nothing to render
        if pos.path not in sources:
            sources[pos.path] = _source_of(pos.path)
        source = sources[pos.path] or SourceText(pos.path, "", 0)
        for image in _images_in(markdown.render_block(text), source, content, diagnostics):
            if image.name not in found:
                found[image.name] = image
                problem = image_file_problem(image)
                if problem is not None:
                    diagnostics.append(Diagnostic(image.pos, problem))
    return tuple(found.values())


def _source_of(path: Path) -> SourceText | None:
    try:
        return SourceText(path, path.read_text(encoding="utf-8"), 0)
    except (OSError, UnicodeDecodeError):  # reported by the loader already
        return None


def markdown_fields(briefing: Briefing) -> Iterator[tuple[str, SourcePos]]:
    """Every Markdown text of the briefing but the article bodies, with where it is written."""
    settings = briefing.settings
    if settings.summary:
        yield settings.summary, settings.pos
    for judgment in settings.key_judgments:
        yield judgment.text, judgment.pos
    for issue in briefing.issues:
        yield issue.bottom_line, issue.pos
        for point in issue.key_points:
            yield point.text, point.pos
        for position in issue.positions:
            yield position.stance, position.pos
        for entry in issue.timeline:
            yield entry.event, entry.pos
        for question in issue.questions:
            yield question, issue.pos
    for item in briefing.watch:
        for text in (item.why or "", *item.escalation, *item.deescalation):
            yield text, item.pos


def _hinted(problem: str, src: str, source: SourceText) -> str:
    """problem, with the project-relative spelling of src when it was written relative to
    an article's folder."""
    if "expected a path from the project folder" not in problem or not source.text:
        return problem
    hint = _hint(unquote(src), source.path)
    if not hint:
        return problem
    return problem.split("; expected", 1)[0] + "; " + hint


def _image_name(src: str) -> tuple[str | None, str | None]:
    """(path under content/, None) for a local image; (None, None) for a remote one;
    (None, problem) for an address the site cannot publish.

    Paths are relative to the project folder, as in the PDF: content/images/map.png.
    Only the text decides here; whether the file is there is image_file_problem's job.
    """
    parts = urlsplit(src)
    scheme = parts.scheme.lower()
    if scheme in ("http", "https", "data") or src.startswith("//"):
        return None, None
    expected = f"expected a path from the project folder into content/, such as {_EXAMPLE_IMAGE}"
    if len(scheme) > 1:
        return None, (
            f"image '{src}' is neither a file of the project nor an http(s) address; {expected} "
            "or an https:// URL"
        )
    path = unquote(src if scheme else parts.path)  # 'C:/x.png' is a Windows path, not a URL
    shown = path.encode("unicode_escape").decode("ascii") if not path.isprintable() else path
    if any(ord(c) < 32 or ord(c) == 127 for c in path):
        return None, (
            f"image path '{shown[:80]}' contains a control character (such as NUL); "
            f"{expected}, without control characters"
        )
    too_long = max((len(os.fsencode(s)) for s in path.split("/")), default=0) > _MAX_NAME
    if too_long or len(os.fsencode(path)) > _MAX_PATH:
        return None, (
            f"image path '{shown[:60]}…' is too long ({len(path)} characters); "
            f"expected file names of at most {_MAX_NAME} bytes and a path of at most {_MAX_PATH}"
        )
    if "\\" in path:
        return None, f"image path '{path}' uses '\\'; {expected}, with '/' between folders"
    if path.startswith("/") or scheme:
        return None, f"image path '{path}' is absolute; {expected}"
    segments = path.split("/")
    if ".." in segments:
        return None, f"image path '{path}' contains '..'; {expected}"
    segments = [s for s in segments if s not in ("", ".")]
    if len(segments) < 2 or segments[0] != "content":
        return None, (f"image path '{path}' is not inside content/; {expected}")
    name = "/".join(segments[1:])
    suffix = posixpath.splitext(name)[1].lower()
    if suffix == ".svg":
        # Refused, not published as <img> only: a copy in site/ can be opened directly
        # (a link, "open image in new tab"), and an SVG opened from the site's own
        # address runs its script there. Article text is untrusted.
        return None, (
            f"image 'content/{name}' is an SVG, which can run script when opened from the "
            f"site; expected a raster image ({', '.join(IMAGE_SUFFIXES)}): convert it to .png"
        )
    if suffix not in IMAGE_SUFFIXES:
        return None, (
            f"image 'content/{name}' is not a supported image type; expected a file ending in "
            + ", ".join(IMAGE_SUFFIXES)
        )
    return name, None


def _hint(path: str, article: Path) -> str:
    """Suggest the project-relative spelling of a path written relative to the article."""
    folder = article.parent
    project = folder.parent.parent  # content/articles/ -> the project folder
    joined = posixpath.normpath(posixpath.join(folder.relative_to(project).as_posix(), path))
    if joined.startswith("content/") and (project / joined).is_file():
        return f"expected a path from the project folder: did you mean '{joined}'?"
    return ""


def image_file_problem(image: ArticleImage) -> str | None:
    """Why image cannot be published (missing, not a file, a link out of content/, not an
    image by its bytes), or None."""
    content = image.file.parents[image.name.count("/")]
    shown = f"content/{image.name}"
    try:
        real = image.file.resolve()
        inside = real.is_relative_to(content.resolve())
    except RuntimeError:  # a symlink loop
        return f"image '{shown}' cannot be read: its symbolic links form a loop"
    except OSError as exc:
        return f"image '{shown}' cannot be read: {exc.strerror or exc}"
    if not inside:
        return f"image '{shown}' is a link to a file outside content/; expected a file in content/"
    if not real.exists():
        return f"image file '{shown}' not found; expected an image file at that path"
    if not real.is_file():
        return f"image '{shown}' is not a file; expected an image file at that path"
    try:
        stamp = file_stamp(real)
    except OSError as exc:
        return f"image '{shown}' cannot be read: {exc.strerror or exc}"
    found = _image_format(real, stamp)
    if found not in IMAGE_FORMATS:
        what = f"a {found} image" if found else "not an image"
        return (
            f"image '{shown}' is {what} by its content, whatever its name says; expected a "
            f"{', '.join(dict.fromkeys(IMAGE_FORMATS.values()))} file"
        )
    return None


@lru_cache(maxsize=4096)
def _image_format(path: Path, stamp: object) -> str | None:
    """Pillow's name of the file's image format (it reads the header only), else None.

    stamp (size and time) is part of the key: a changed file is read again.
    """
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as image:
            return image.format
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None


def media_files(
    briefing: Briefing, content: Path, memo: Memo[bytes] | None = None
) -> list[OutputFile]:
    """The local images of the articles and of the briefing's other text (see text_images),
    as published under media/; raise BuildFailed when one is gone or changed into
    something that cannot be published since loading.

    memo keeps the bytes of each file by its stamp: only a changed file is read again.
    """
    images: dict[str, ArticleImage] = {}
    for article in briefing.articles:
        for image in article.images:
            images.setdefault(image.name, image)  # errors point at its first use
    for image in text_images(briefing, content, []):  # its mistakes were reported at loading
        images.setdefault(image.name, image)
    outputs: list[OutputFile] = []
    diagnostics: list[Diagnostic] = []
    used: list[Path] = []
    for name, image in sorted(images.items()):
        problem = image_file_problem(image)  # again: the file may have changed since loading
        try:
            if problem is not None:
                raise OSError(problem)
            real = image.file.resolve()
            stamp = file_stamp(real)
            data = memo.get(real, stamp) if memo is not None else None
            if data is None:
                data = real.read_bytes()
                if memo is not None:
                    memo.put(real, stamp, data)
            used.append(real)
        except OSError as exc:
            diagnostics.append(Diagnostic(image.pos, problem or f"cannot read image: {exc}"))
            continue
        outputs.append(OutputFile(urls.media(name), data))
    if memo is not None:
        memo.keep_only(used)  # images no longer used are forgotten
    if diagnostics:
        raise BuildFailed(diagnostics)
    return outputs
