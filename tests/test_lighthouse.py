"""Lighthouse (mobile) on every page of the example: accessibility, best practices and SEO
at 100. Runs tests/a11y/lighthouse.mjs (npm `lighthouse`) with Debian Chromium, headless,
one browser for all pages; the site is served over loopback as a static host would.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.test_site_quality import StaticHost

A11Y = REPO / "tests" / "a11y"
SCRIPT = A11Y / "lighthouse.mjs"


@pytest.fixture
def hosted(example_site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(StaticHost, directory=str(example_site))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.timeout(900)
def test_every_page_scores_100(example_site: Path, hosted: str) -> None:
    assert (A11Y / "node_modules" / "lighthouse").is_dir(), "run: npm install --prefix tests/a11y"
    node = shutil.which("node")
    assert node, "Node.js runs Lighthouse"
    pages = sorted(p.relative_to(example_site).as_posix() for p in example_site.rglob("*.html"))
    done = subprocess.run(
        [node, str(SCRIPT), hosted, *pages],
        capture_output=True,
        text=True,
        check=False,
        timeout=840,
        env={**os.environ, "CHROME_PATH": shutil.which("chromium") or "/usr/bin/chromium"},
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert sorted(results) == pages
    below = {
        page: {"scores": r["scores"], "failed": r["failed"], "error": r["runtimeError"]}
        for page, r in results.items()
        if set(r["scores"].values()) != {100} or r["runtimeError"]
    }
    assert not below, json.dumps(below, indent=1, ensure_ascii=False)
    assert len(pages) >= 12
