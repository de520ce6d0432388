"""Images in article bodies: checked, and pointed at their copies in the site's media/.

Paths are relative to the project folder and must lead into content/, as for the
PDF. Remote (http, https) and data: images are left to the browser.
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from briefgen import urls
from briefgen.cache import Memo, file_stamp
from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.model import ArticleImage, Briefing
from briefgen.write import OutputFile

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif")
"""What the site publishes from content/. Not .svg: see _image_name."""

_IMG_SRC = re.compile(r'(<img\b[^>]*?\ssrc=")([^"]*)(")', re.IGNORECASE)
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
    """Point each local <img> of an article body at its copy under media/, for page.

    Remote (http, https) and data: images stay as they are: the browser loads them.
    Each distinct src that is not a usable file of content/ is reported once.
    """
    images: dict[str, ArticleImage] = {}
    reported: set[str] = set()

    def rewrite(match: re.Match[str]) -> str:
        src = htmllib.unescape(match[2])
        name, problem = _image_name(src, source.path)
        if problem is not None:
            if src not in reported:
                reported.add(src)
                diagnostics.append(Diagnostic(source.pos_of(src), problem))
            return match[0]
        if name is None:
            return match[0]  # remote
        if name not in images:
            file = content.joinpath(*name.split("/"))
            images[name] = ArticleImage(name, file, source.pos_of(src))
        target = urls.relative(page, urls.media(quote(name, safe="/")))
        return f"{match[1]}{target}{match[3]}"  # quote() leaves nothing to escape

    return _IMG_SRC.sub(rewrite, html), tuple(images.values())


def _image_name(src: str, article: Path) -> tuple[str | None, str | None]:
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
    if "\\" in path:
        return None, f"image path '{path}' uses '\\'; {expected}, with '/' between folders"
    if path.startswith("/") or scheme:
        return None, f"image path '{path}' is absolute; {expected}"
    segments = path.split("/")
    if ".." in segments:
        return None, f"image path '{path}' contains '..'; {_hint(path, article) or expected}"
    segments = [s for s in segments if s not in ("", ".")]
    if len(segments) < 2 or segments[0] != "content":
        return None, (
            f"image path '{path}' is not inside content/; {_hint(path, article) or expected}"
        )
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
    """Why image cannot be published (missing, not a file, a link out of content/), or None."""
    content = image.file.parents[image.name.count("/")]
    shown = f"content/{image.name}"
    try:
        real = image.file.resolve()
        inside = real.is_relative_to(content.resolve())
    except (OSError, RuntimeError):  # a symlink loop
        return f"image '{shown}' cannot be read: its symbolic links form a loop"
    if not inside:
        return f"image '{shown}' is a link to a file outside content/; expected a file in content/"
    if not real.exists():
        return f"image file '{shown}' not found; expected an image file at that path"
    if not real.is_file():
        return f"image '{shown}' is not a file; expected an image file at that path"
    return None


def media_files(briefing: Briefing, memo: Memo[bytes] | None = None) -> list[OutputFile]:
    """The articles' local images, as published under media/; raise BuildFailed when one
    is gone or changed into something that cannot be published since loading.

    memo keeps the bytes of each file by its stamp: only a changed file is read again.
    """
    images: dict[str, ArticleImage] = {}
    for article in briefing.articles:
        for image in article.images:
            images.setdefault(image.name, image)  # errors point at its first use
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
