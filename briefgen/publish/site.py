"""The built site as it is on disk: refused when stale, listed in a safe upload order."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from briefgen.build import BuildOptions, build
from briefgen.cache import CacheFolder, Manifest
from briefgen.errors import BuildFailed, display_path
from briefgen.project import Project
from briefgen.publish.errors import PublishFailed
from briefgen.write import MARKER


@dataclass(frozen=True, slots=True)
class SiteFile:
    path: str
    """'/'-separated, relative to the site folder."""
    file: Path
    md5: str
    size: int


@dataclass(frozen=True, slots=True)
class BuiltSite:
    root: Path
    files: tuple[SiteFile, ...]
    """In upload order: see upload_order()."""

    def paths(self) -> set[str]:
        return {f.path for f in self.files}


def built_site(project: Project, site_dir: Path | None) -> BuiltSite:
    """The site `briefgen build` last wrote into site_dir (default: PROJECT/site), with
    its search index.

    Refused when it is missing, when the content changed since (the last build failed
    or was not run), or when its files were touched after the build. The search index,
    which `build` makes only when asked (`--search`), is made here when the site has
    none that matches its pages, with the options of that build: the pages stay as
    they were built.
    """
    root = (site_dir or project.root / "site").absolute()
    last = _current_build(project, root)
    if not last.search:
        _add_search_index(project, root, last)
    return _listed(root)


def _current_build(project: Project, root: Path) -> BuildOptions:
    """The options of the build whose record says the site is current (one that made
    the search index, if there is such a record)."""
    where = display_path(root)
    if not (root / "index.html").is_file():
        raise PublishFailed(f"no built site in {where}; run `briefgen build` first")
    current = [manifest for manifest in _manifests(project, root) if manifest.is_current()]
    if not current:
        raise PublishFailed(
            f"{where} is not the result of a successful build of the content as it is now "
            "(the content changed, the last build failed, or the site was edited); "
            "run `briefgen build` and publish again"
        )
    recorded = [BuildOptions.from_json(manifest.saved_options()) for manifest in current]
    options = [o for o in recorded if o is not None]
    if not options:
        raise PublishFailed(
            f"{where} was built by an older briefgen; run `briefgen build` and publish again"
        )
    return next((o for o in options if o.search), options[0])


def _add_search_index(project: Project, root: Path, options: BuildOptions) -> None:
    try:
        build(
            project.root,
            root,
            with_pdf=options.with_pdf,
            use_manifest=True,
            base_url=options.base_url,
            drafts=options.drafts,
            strict=options.strict,
            search=True,
        )
    except BuildFailed as failed:
        raise PublishFailed(
            "; ".join(str(d) for d in failed.diagnostics) or "the build failed"
        ) from None


def _listed(root: Path) -> BuiltSite:
    files = [
        _site_file(root, path)
        for path in root.rglob("*")
        if path.is_file() and path != root / MARKER  # the local folder's mark stays local
    ]
    return BuiltSite(root, tuple(sorted(files, key=upload_order)))


def _manifests(project: Project, root: Path) -> list[Manifest]:
    """The manifests of builds into root: with or without the PDF, for any base URL."""
    folder = CacheFolder(project.cache_dir)
    prefix, suffix = folder.path(root, "manifest-").name, ".json"
    kinds = [
        path.name.removeprefix(prefix).removesuffix(suffix)
        for path in folder.folder.glob(f"{prefix}*{suffix}")
    ]
    return [Manifest(folder, project.input_paths(), root, kind) for kind in kinds]


def _site_file(root: Path, path: Path) -> SiteFile:
    data = path.read_bytes()
    return SiteFile(
        path.relative_to(root).as_posix(), path, hashlib.md5(data).hexdigest(), len(data)
    )


def upload_order(item: SiteFile | str) -> tuple[int, int, str]:
    """Files that pages link to first (assets, images, the PDF, the search index), then
    pages from the deepest up, the front page last: a reader who arrives mid-upload
    follows links only to files that are already there."""
    path = item if isinstance(item, str) else item.path
    if not path.endswith(".html"):
        return (0, 0, path)
    if path == "index.html":
        return (2, 0, path)
    return (1, -path.count("/"), path)
