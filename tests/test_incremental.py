"""Incremental builds: after any sequence of edits, the site is what a cold build makes,
and a build re-renders only the pages an edit touches."""

from __future__ import annotations

import os
import random
import re
import shutil
import time
from pathlib import Path

import pytest

from briefgen.build import BuildReport, build
from briefgen.errors import BuildFailed
from tests.conftest import REPO

GENERATED = 110
"""Enough articles that parsing and rendering go through the process pool."""

WORDS = [
    *("tariff", "truce", "soybean", "rare", "earth", "licence", "patrol", "strait"),
    *("summit", "readout", "envoy", "ministry", "export", "chip", "ferry", "drill"),
]


def make_project(root: Path) -> None:
    """The example briefing, plus many generated articles, one extra issue citing some."""
    shutil.copytree(REPO / "content", root / "content")
    articles = root / "content" / "articles"
    rng = random.Random(7)
    for n in range(GENERATED):
        body = "\n\n".join(
            " ".join(rng.choice(WORDS) for _ in range(40)).capitalize() + "." for _ in range(3)
        )
        (articles / f"gen-{n:03d}.md").write_text(
            f"---\ntitle: Generated report {n}\npublished: 2025-{n % 12 + 1:02d}-{n % 28 + 1:02d}\n"
            f"issues: [trade]\n---\n## Section\n\nMarker gen-{n:03d} opens it. {body}\n"
        )
    cited = "\n".join(
        f'      - article: gen-{n:03d}\n        quote: "Marker gen-{n:03d} opens it"'
        for n in range(0, GENERATED, 20)
    )
    (root / "content" / "issues" / "generated.yaml").write_text(
        "title: Generated issue\nstatus: steady\nbottom_line: Many generated reports.\n"
        f"key_points:\n  - text: The reports agree.\n    sources:\n{cited}\n"
    )


class Clock:
    """Distinct, past mtimes for each edit: an edit a person makes takes longer than the
    file system's tick. (Edits within one tick are covered by the store's racy-stamp
    rule, not by this test.)"""

    def __init__(self) -> None:
        self.now = time.time_ns() - 10_000 * 1_000_000_000

    def touch(self, path: Path) -> None:
        self.now += 1_000_000_000
        os.utime(path, ns=(self.now, self.now))


def edit(root: Path, rng: random.Random, clock: Clock) -> str:
    """One random edit of the kind a desk makes; returns what it did."""
    content = root / "content"
    articles = sorted((content / "articles").iterdir())
    kind = rng.choice(
        [
            *("append", "retitle", "redate", "add", "delete", "issue", "settings", "touch"),
            *("quote", "lead", "template"),
        ]
    )
    path = rng.choice(articles)
    if kind == "append":
        path.write_text(path.read_text() + f"\n\nAn added paragraph {rng.random()}.\n")
    elif kind == "retitle" and path.suffix == ".md":
        text = path.read_text().replace("title: Generated report", "title: Renamed report", 1)
        path.write_text(text)
    elif kind == "redate" and path.suffix == ".md":
        text = path.read_text()
        path.write_text(text.replace("published: 2025-", "published: 2024-", 1))
    elif kind == "add":
        path = content / "articles" / f"new-{rng.randrange(10**6)}.md"
        path.write_text(f"---\ntitle: New report {path.stem}\nissues: [tech]\n---\nFresh text.\n")
    elif kind == "delete" and path.name.startswith("gen-") and int(path.stem[4:]) % 20:
        path.unlink()  # the generated issue cites every twentieth
        return f"delete {path.name}"
    elif kind == "issue":
        path = content / "issues" / "generated.yaml"
        title = f"title: Issue {rng.randrange(99)}"
        path.write_text(re.sub(r"^title: .*$", title, path.read_text(), count=1, flags=re.M))
    elif kind == "settings":
        path = content / "briefing.yaml"
        path.write_text(
            path.read_text().replace("organization: ", f"organization: Desk {rng.randrange(9)} ", 1)
        )
    elif kind == "lead" and path.name.startswith("gen-"):
        # the opening words: what the page's description shows
        text = path.read_text()
        path.write_text(text.replace("## Section\n\n", f"## Section\n\nLead {rng.random()}. ", 1))
    elif kind == "template":
        # a theme edit: the project's override of the built-in base.html, made or changed
        path = root / "templates" / "base.html"
        path.parent.mkdir(exist_ok=True)
        base = (REPO / "templates" / "base.html").read_text()
        path.write_text(base.replace("</footer>", f"<p>Desk {rng.randrange(99)}</p></footer>", 1))
    elif kind == "quote":
        # break a quote (the build fails and leaves the site), or mend it again
        path = content / "articles" / "gen-020.md"
        text = path.read_text()
        broken = "Marker gen-020 opens it"
        path.write_text(
            text.replace(broken, "Marker gen-020 starts it")
            if broken in text
            else text.replace("Marker gen-020 starts it", broken)
        )
    clock.touch(path)
    return f"{kind} {path.name}"


def site_bytes(site: Path) -> dict[str, bytes]:
    return {
        p.relative_to(site).as_posix(): p.read_bytes()
        for p in sorted(site.rglob("*"))
        if p.is_file()
    }


def cold_build(root: Path, scratch: Path) -> dict[str, bytes] | list[str]:
    """A build of a copy of the project with no cache and no earlier output."""
    shutil.rmtree(scratch, ignore_errors=True)
    shutil.copytree(root / "content", scratch / "content")
    if (root / "templates").is_dir():
        shutil.copytree(root / "templates", scratch / "templates")
    try:
        build(scratch, with_pdf=False, use_manifest=True)
    except BuildFailed as failed:
        return [d.message for d in failed.diagnostics]
    return site_bytes(scratch / "site")


def warm_build(root: Path) -> BuildReport | list[str]:
    try:
        return build(root, with_pdf=False, use_manifest=True)
    except BuildFailed as failed:
        return [d.message for d in failed.diagnostics]


@pytest.mark.parametrize("seed", [1, 2])
def test_random_edit_sequences_build_what_a_cold_build_builds(tmp_path: Path, seed: int) -> None:
    root = tmp_path / "desk"
    make_project(root)
    clock = Clock()
    for path in (root / "content").rglob("*"):
        clock.touch(path)
    first = warm_build(root)
    assert isinstance(first, BuildReport) and first.pages > GENERATED
    rng = random.Random(seed)
    done: list[str] = []
    for _ in range(6):
        done.append(edit(root, rng, clock))
        before = site_bytes(root / "site")
        warm = warm_build(root)
        cold = cold_build(root, tmp_path / "cold")
        if isinstance(cold, list):  # a mistake: both report it and the site stays as it was
            assert warm == cold, done
            assert site_bytes(root / "site") == before, done
            continue
        assert isinstance(warm, BuildReport), (done, warm)
        got = site_bytes(root / "site")
        assert got.keys() == cold.keys(), done
        differing = [p for p in got if got[p] != cold[p]]
        assert differing == [], done
        again = warm_build(root)  # the stamps recorded after the write are the folder's
        assert isinstance(again, BuildReport) and again.up_to_date, done


def test_an_edit_rewrites_only_the_pages_that_show_it(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False, use_manifest=True)
    article = root / "content" / "articles" / "gen-050.md"
    article.write_text(article.read_text() + "\nA late addition to report 50.\n")
    report = build(root, with_pdf=False, use_manifest=True)
    # no other page shows an article's body: the others are neither rendered nor read
    # (the search index, which holds the text, is made again)
    pages = [p for p in report.written if not p.startswith("pagefind/")]
    assert pages == ["articles/gen-050/index.html"]
    assert report.rendered == 1
    assert "A late addition" in (root / "site/articles/gen-050/index.html").read_text()
    assert len(report.unchanged) > GENERATED

    # an article an issue quotes: its page alone again, and the page's description,
    # cut from the opening words of the body, shows the new ones
    cited = root / "content" / "articles" / "gen-020.md"
    cited.write_text(cited.read_text().replace("## Section\n\n", "## Section\n\nFirst words. "))
    report = build(root, with_pdf=False, use_manifest=True)
    assert report.rendered == 1
    assert [p for p in report.written if not p.startswith("pagefind/")] == [
        "articles/gen-020/index.html"
    ]
    page = (root / "site/articles/gen-020/index.html").read_text()
    assert '<meta name="description" content="Section First words. Marker gen-020' in page

    article.write_text(article.read_text().replace("Generated report 50", "Renamed report 50"))
    report = build(root, with_pdf=False, use_manifest=True)
    # its title shows on its page, the lists of sources, the issue it is tagged with...
    for page in ("articles/gen-050/index.html", "articles/index.html", "issues/trade/index.html"):
        assert page in report.written
        assert "Renamed report 50" in (root / "site" / page).read_text()
    # ...but not on the other articles' pages
    assert not [p for p in report.written if p.startswith("articles/gen-") and "050" not in p]


def test_a_corrupt_or_foreign_cache_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False, use_manifest=True)
    good = site_bytes(root / "site")
    cache = root / ".briefgen-cache"
    stores = sorted(cache.glob("*.store"))
    assert {p.name for p in stores} == {"articles.store", "quotes.store"}
    article = root / "content" / "articles" / "gen-050.md"
    for damage in (
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data.replace(b"gen-050", b"gen-999"),  # altered: checksum fails
        lambda data: b"not a store at all",
        lambda data: data.replace(b"briefgen-store\n2\n", b"briefgen-store\n2\nforeign"),
    ):
        for store in stores:
            store.write_bytes(damage(store.read_bytes()) if store.stat().st_size else b"")
        for page_record in cache.glob("*-pages.json"):
            page_record.write_text("{not json")
        article.write_text(article.read_text() + "\nOne more line.\n")
        build(root, with_pdf=False, use_manifest=True)
        expected = cold_build(root, tmp_path / "cold")
        assert site_bytes(root / "site") == expected
        assert {p for p in good if not p.startswith("pagefind/")} == {
            p for p in expected if not p.startswith("pagefind/")
        }


def test_a_hostile_store_cannot_run_code(tmp_path: Path) -> None:
    """A store names only model classes: anything else in the pickle is refused."""
    import hashlib
    import pickle

    from briefgen.load import _parser_fingerprint

    root = tmp_path / "desk"
    make_project(root)
    marker = tmp_path / "ran"

    class Evil:
        def __reduce__(self) -> tuple[object, tuple[str]]:
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps(({"x": Evil()}, {}))
    checksum = hashlib.sha256(payload).hexdigest()
    header = f"2\n{_parser_fingerprint()}\n{checksum}\n{0:020d}\n{len(payload)}\n".encode()
    (root / ".briefgen-cache").mkdir()
    (root / ".briefgen-cache" / "articles.store").write_bytes(
        b"briefgen-store\n" + header + payload
    )
    report = build(root, with_pdf=False, use_manifest=True)
    assert report.pages > GENERATED
    assert not marker.exists()


# --- the output changed by hand ---------------------------------------------------------------


def change_by_hand(site: Path, outside: Path) -> None:
    """What a person may do to a built site: edit a page, delete one, leave a stray file,
    make a page a link to a file elsewhere."""
    page = site / "articles/gen-010/index.html"
    page.write_bytes(page.read_bytes().replace(b"Generated report 10", b"Generated REPORT 10"))
    (site / "articles/gen-011/index.html").unlink()
    (site / "articles/stray.html").write_text("left by hand")
    linked = site / "articles/gen-012/index.html"
    linked.unlink()
    linked.symlink_to(outside)


def assert_repaired(root: Path, tmp_path: Path, outside: Path) -> None:
    site = root / "site"
    assert not [p for p in site.rglob("*") if p.is_symlink()]
    assert site_bytes(site) == cold_build(root, tmp_path / "cold")
    assert outside.read_text() == "not the site's"
    again = warm_build(root)
    assert isinstance(again, BuildReport) and again.up_to_date


def test_a_site_changed_by_hand_between_builds_is_repaired(tmp_path: Path) -> None:
    root = tmp_path / "desk"
    make_project(root)
    outside = tmp_path / "outside.html"
    outside.write_text("not the site's")
    build(root, with_pdf=False, use_manifest=True)
    change_by_hand(root / "site", outside)
    report = build(root, with_pdf=False, use_manifest=True)
    assert not report.up_to_date
    assert sorted(report.written) == [
        "articles/gen-010/index.html",
        "articles/gen-011/index.html",
        "articles/gen-012/index.html",
    ]
    assert report.removed == ("articles/stray.html",)
    assert_repaired(root, tmp_path, outside)


def test_a_site_changed_by_hand_while_a_build_runs_is_repaired_by_the_next(tmp_path: Path) -> None:
    """The build lists its output before it loads the content and writes from that
    listing: what changed in between is never written through, and the next build sees it."""
    root = tmp_path / "desk"
    make_project(root)
    outside = tmp_path / "outside.html"
    outside.write_text("not the site's")
    build(root, with_pdf=False, use_manifest=True)
    article = root / "content/articles/gen-050.md"
    article.write_text(article.read_text() + "\nA late addition to report 50.\n")

    def meanwhile(stage: str, done: int, total: int) -> None:
        if stage == "write":  # after the listing, before the write
            change_by_hand(root / "site", outside)

    build(root, with_pdf=False, use_manifest=True, progress=meanwhile)
    assert "A late addition" in (root / "site/articles/gen-050/index.html").read_text()
    assert outside.read_text() == "not the site's"
    report = build(root, with_pdf=False, use_manifest=True)
    assert not report.up_to_date
    assert_repaired(root, tmp_path, outside)


def old_manifest(root: Path, manifest: Path) -> str:
    """A manifest as briefgen wrote it before its format had a name (every stamp, by
    absolute path), taken now: an older reader would call the site up to date."""
    import json

    from briefgen import __version__
    from briefgen.cache import tree_stamps
    from briefgen.project import find_project

    saved = json.loads(manifest.read_text())
    return json.dumps(
        {
            "version": __version__,
            "inputs": tree_stamps(find_project(root).input_paths()),
            "outputs": tree_stamps([root / "site"]),
            "options": saved["options"],
        }
    )


@pytest.mark.parametrize(
    ("purpose", "damage"),
    [
        ("manifest-site.json", "older format"),
        ("manifest-site.json", "cut short"),
        ("manifest-site.json", '{"format": "briefgen-manifest-2", "inputs": 1, "outputs": null}'),
        ("manifest-site.json", "[]"),
        ("pages.json", "older format"),
        ("pages.json", "cut short"),
        ("pages.json", '{"format": "briefgen-pages-2", "version": "0.1.0", "pages": [1, 2]}'),
        ("pages.json", '{"format": "briefgen-pages-2", "version": "0.1.0", "pages": {"a": 3}}'),
    ],
)
def test_a_manifest_or_page_records_of_an_older_format_or_damaged_are_ignored(
    tmp_path: Path, purpose: str, damage: str
) -> None:
    import json

    root = tmp_path / "desk"
    make_project(root)
    build(root, with_pdf=False, use_manifest=True)
    article = root / "content/articles/gen-050.md"
    article.write_text(article.read_text() + "\nA late addition to report 50.\n")
    (record,) = (root / ".briefgen-cache").glob(f"*-{purpose}")
    if damage == "older format" and purpose.startswith("manifest"):
        record.write_text(old_manifest(root, record))
    elif damage == "older format":
        saved = json.loads(record.read_text())
        record.write_text(json.dumps({"version": saved["version"], "pages": saved["pages"]}))
    elif damage == "cut short":
        record.write_text(record.read_text()[: record.stat().st_size // 2])
    else:
        record.write_text(damage)
    report = build(root, with_pdf=False, use_manifest=True)
    assert not report.up_to_date
    assert "A late addition" in (root / "site/articles/gen-050/index.html").read_text()
    assert site_bytes(root / "site") == cold_build(root, tmp_path / "cold")
    again = warm_build(root)
    assert isinstance(again, BuildReport) and again.up_to_date
