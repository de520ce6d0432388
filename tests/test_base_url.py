"""--base-url, and no sitemap without a base URL (the protocol allows only absolute URLs)."""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from briefgen.cli import main

from .conftest import Result

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_no_sitemap_without_a_base_url_then_one_with_it(
    tmp_path: Path, run: Callable[..., Result]
) -> None:
    root = tmp_path / "project"
    assert main(["init", os.fspath(root)]) == 0
    plain = run("build", root, "--no-pdf")
    assert plain.code == 0, plain.err
    assert not (root / "site" / "sitemap.xml").exists()
    assert "no sitemap.xml: a sitemap needs absolute URLs; set base_url or --base-url" in plain.out

    staged = run("build", root, "--no-pdf", "--base-url", "https://staging.example.org/brief")
    assert staged.code == 0, staged.err
    assert "no sitemap" not in staged.out
    tree = ET.parse(root / "site" / "sitemap.xml")
    locs = [loc.text or "" for loc in tree.iter(f"{SITEMAP}loc")]
    assert "https://staging.example.org/brief/" in locs
    assert "https://staging.example.org/brief/issues/example/" in locs
    assert all(loc.startswith("https://staging.example.org/brief/") for loc in locs)
    feed = (root / "site" / "feed.xml").read_text(encoding="utf-8")
    assert "https://staging.example.org/brief/issues/example/" in feed
    # The site built for that address is the one a publish may send.
    assert (
        run("publish", root, "--git", tmp_path / "none.git", "--dry-run").err.count(
            "not the result of a successful build"
        )
        == 0
    )

    again = run("build", root, "--no-pdf")  # back to briefing.yaml: a real rebuild
    assert "up to date" not in again.out
    assert not (root / "site" / "sitemap.xml").exists()


def test_base_url_overrides_briefing_yaml(tmp_path: Path, run: Callable[..., Result]) -> None:
    root = tmp_path / "project"
    assert main(["init", os.fspath(root)]) == 0
    settings = root / "content" / "briefing.yaml"
    settings.write_text(
        settings.read_text(encoding="utf-8") + "base_url: https://www.example.org/\n", "utf-8"
    )
    assert run("build", root, "--no-pdf", "--base-url", "http://127.0.0.1:8000").code == 0
    sitemap = (root / "site" / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>http://127.0.0.1:8000/</loc>" in sitemap
    assert "www.example.org" not in sitemap


def test_base_url_must_be_http(tmp_path: Path, run: Callable[..., Result]) -> None:
    result = run("build", tmp_path, "--base-url", "javascript:alert(1)")
    assert result.code == 2
    assert "is not an http:// or https:// URL" in result.err
