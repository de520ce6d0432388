"""The PDF briefing: print HTML from the theme's templates, laid out by WeasyPrint.

No network: the URL fetcher serves only files inside the theme and project
folders (and data: URIs); any other resource is refused with a warning.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from briefgen.errors import BuildFailed, Diagnostic, SourcePos
from briefgen.model import Briefing
from briefgen.project import Project
from briefgen.render import SiteIndex, Theme, merged_timeline, template_diagnostic

logger = logging.getLogger(__name__)

PRINT_TEMPLATE = "print.html"


@dataclass(frozen=True, slots=True)
class PrintDocument:
    """Everything WeasyPrint needs; key() changes exactly when the PDF would."""

    html: str
    base_dir: Path
    allowed_roots: tuple[Path, ...]
    title: str

    def key(self) -> str:
        digest = hashlib.sha256(self.html.encode("utf-8"))
        for root in self.allowed_roots:
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    digest.update(str(path).encode())
                    digest.update(path.read_bytes())
        return digest.hexdigest()

    def render(self) -> bytes:
        from weasyprint import HTML  # slow to import; only when a PDF is really built

        try:
            document = HTML(
                string=self.html,
                base_url=self.base_dir.as_uri() + "/",
                url_fetcher=LocalOnlyFetcher(self.allowed_roots),
            )
            data: bytes = document.write_pdf()
        except Exception as exc:  # noqa: BLE001 - WeasyPrint raises many kinds
            raise BuildFailed(
                [Diagnostic(SourcePos(self.base_dir), f"the PDF could not be made: {exc}")]
            ) from exc
        return data


def _fetcher_base() -> type:
    from weasyprint.urls import URLFetcher

    return URLFetcher  # type: ignore[no-any-return]


class LocalOnlyFetcher:
    """A WeasyPrint URL fetcher that reads only files under the allowed folders."""

    def __init__(self, allowed_roots: tuple[Path, ...]) -> None:
        self.allowed_roots = tuple(root.resolve() for root in allowed_roots)
        self._inner = _fetcher_base()(allowed_protocols=("file", "data"), timeout=1)

    def __call__(self, url: str) -> object:
        return self.fetch(url)

    def fetch(self, url: str, headers: object = None) -> object:
        parts = urlsplit(url)
        if parts.scheme == "data":
            return self._inner.fetch(url)
        if parts.scheme == "file":
            path = Path(unquote(parts.path)).resolve()
            if any(path.is_relative_to(root) for root in self.allowed_roots):
                return self._inner.fetch(url)
        logger.warning("skipped %s: the PDF uses only local files, never the network", url)
        raise ValueError(f"not fetched: {url}")


def print_document(
    briefing: Briefing, env: jinja2.Environment, theme: Theme, project: Project
) -> PrintDocument:
    """Render the print HTML; raise BuildFailed on template errors."""
    index = SiteIndex.of(briefing)
    try:
        html = env.get_template(PRINT_TEMPLATE).render(
            briefing=briefing,
            settings=briefing.settings,
            site=index,
            timeline=merged_timeline(briefing),
        )
    except Exception as exc:  # noqa: BLE001 - any template failure is a user error
        raise BuildFailed([template_diagnostic(exc)]) from exc
    roots = tuple(d for d in (*theme.static_dirs, project.content) if d.is_dir())
    return PrintDocument(html, project.root, roots, briefing.settings.title)
