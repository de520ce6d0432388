"""`briefgen import`: the five seed clippings, and what a user can get wrong."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml

from briefgen.quotes import normalize
from tests.conftest import REPO, Result

# The example's .txt articles are the seed clippings verbatim, below their front matter.
SEEDS = {
    "trump-xi-takaichi-calls": (
        "trumps-calls-with-xi-and-takaichi-ease-tensions",
        "Trump’s calls with Xi and Takaichi ease tensions but leave Taiwan dispute unresolved",
    ),
    "xi-trump-call-japan-rift": (  # no headline: the first sentence, cut at a clause
        "a-high-stakes-phone-call-between-chinese-president",
        "A high-stakes phone call between Chinese President Xi Jinping and U.S. President "
        "Donald Trump set the stage for the latest escalation in Asia",
    ),
    "trump-xi-seven-insights": (
        "7-crucial-insights-into-trump-and-xis-high-stakes",
        "7 Crucial Insights Into Trump and Xi’s High-Stakes Phone Diplomacy on Taiwan, trade, "
        "Ukraine, Japan tensions, rare earths, and U.S. farm purchases",
    ),
    "trump-xi-call-us-china-shift": (
        "trump-xi-phone-call-signals-shift-in-us-china",
        "Trump–Xi Phone Call Signals Shift in US China Relations Amid Taiwan Tensions",
    ),
    "xi-trump-strategic-coexistence": (
        "strategic-coexistence-without-trust-xi-trump",
        "Strategic Coexistence Without Trust: Xi–Trump Diplomatic Signals",
    ),
}
HEADLINE_REASONS = (
    "headline",
    "short form of the headline",
    "headline fused with the first paragraph",
)


def seed_text(name: str) -> str:
    text = (REPO / "content" / "articles" / f"{name}.txt").read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1]


@pytest.fixture
def clippings(tmp_path: Path) -> dict[str, Path]:
    folder = tmp_path / "clippings"
    folder.mkdir()
    paths = {}
    for name in SEEDS:
        paths[name] = folder / f"{name}.txt"
        paths[name].write_text(seed_text(name), encoding="utf-8")
    return paths


@pytest.fixture
def new_project(tmp_path: Path, run: Callable[..., Result]) -> Path:
    root = tmp_path / "brief"
    assert run("init", root).code == 0
    return root


def split_article(path: Path) -> tuple[dict[str, object], str]:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    front, body = text[4:].split("\n---\n", 1)
    fields = yaml.safe_load(front)
    assert isinstance(fields, dict)
    return fields, body


def test_all_five_seeds_import_with_good_titles_and_build(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    result = run("import", *clippings.values(), new_project)
    assert result.code == 0, result.err
    for name, (slug, title) in SEEDS.items():
        fields, body = split_article(new_project / "content" / "articles" / f"{slug}.md")
        assert fields["title"] == title
        if name == "xi-trump-call-japan-rift":  # the lede stays whole in the body
            assert body.lstrip().startswith(title + ", as Taiwan emerged as the flashpoint")
            continue
        assert normalize(title) not in normalize(body), f"{name}: title repeated in the body"
        assert "published" not in fields and "url" not in fields  # never guessed
        assert f"title: {title}" in result.out
    # only the clipping without a headline gets the note
    assert result.out.count("note: the title was inferred") == 1
    assert "inferred from the first sentence; edit 'title:' in the file" in result.out
    articles = new_project / "content" / "articles"
    fields, _ = split_article(articles / "trumps-calls-with-xi-and-takaichi-ease-tensions.md")
    assert (fields["author"], fields["source"]) == ("Nick Ravenshade", "NENC Media Group")
    check = run("check", new_project)
    assert check.code == 0, check.err
    assert run("build", new_project, "--no-pdf").code == 0
    page = new_project / "site/articles/strategic-coexistence-without-trust-xi-trump/index.html"
    html = page.read_text()
    assert "<h2>Introduction: A Renaissance of Great-Power Diplomacy?</h2>" in html
    assert "Home &gt; Commentary" not in html and "Loading..." not in html


@pytest.mark.parametrize("name", list(SEEDS))
def test_every_sentence_that_is_not_chrome_is_kept_verbatim(
    name: str, clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    result = run("import", clippings[name], new_project)
    assert result.code == 0, result.err
    slug, title = SEEDS[name]
    _fields, body = split_article(new_project / "content" / "articles" / f"{slug}.md")
    removed = {
        int(line.split()[2]): line.split(": ", 1)[1]
        for line in result.out.splitlines()
        if line.startswith("  removed line ")
    }
    reasons = {
        int(line.split()[2]): line.split("(", 1)[1].split(")", 1)[0]
        for line in result.out.splitlines()
        if line.startswith("  removed line ")
    }
    checked = 0
    for number, line in enumerate(seed_text(name).splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if number in removed and reasons[number] not in HEADLINE_REASONS:
            assert removed[number] == line
            continue  # site chrome, reported as removed
        # split naively, also at glued "question?Answer" runs: fragments must survive too
        for sentence in re.split(r"(?<=[.!?])\s+|(?<=[a-z]\?)(?=[A-Z])", line.lstrip("-• ")):
            if sentence.removesuffix(".") in title:
                continue  # the headline, kept as the title
            assert sentence in body, f"{name}:{number}: lost or changed: {sentence!r}"
            checked += 1
    assert checked > 20


def test_what_was_removed_is_listed(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    result = run("import", clippings["xi-trump-call-japan-rift"], new_project)
    assert "removed line 23 (promotion): ALSO READ | What Did Trump" in result.out
    assert "removed line 36 (comment prompt): Comments (0)" in result.out
    assert "removed line 37 (sign-in prompt): Please sign in to leave a comment" in result.out


def test_an_existing_article_is_never_overwritten_without_force(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    clip = clippings["trump-xi-call-us-china-shift"]
    target = new_project / "content/articles/trump-xi-phone-call-signals-shift-in-us-china.md"
    assert run("import", clip, new_project).code == 0
    target.write_text(target.read_text() + "\nMy own note.\n")
    again = run("import", clip, new_project)
    assert again.code == 1
    assert "already exists" in again.err and "--force" in again.err
    assert "Traceback" not in again.err
    assert target.read_text().endswith("My own note.\n")
    forced = run("import", clip, new_project, "--force")
    assert forced.code == 0
    assert "replaced" in forced.out
    assert not target.read_text().endswith("My own note.\n")


def test_a_failing_batch_writes_nothing(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\nLoading...\n")
    before = sorted(p.name for p in (new_project / "content/articles").iterdir())
    result = run("import", clippings["trump-xi-takaichi-calls"], empty, new_project)
    assert result.code == 1
    assert "empty.txt:1:1: the clipping is empty; expected a headline and text" in result.err
    assert sorted(p.name for p in (new_project / "content/articles").iterdir()) == before


def test_flags_set_the_front_matter(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    result = run(
        "import", clippings["xi-trump-call-japan-rift"], new_project,
        "--title", "Xi’s call puts Taiwan at the centre of the China–Japan rift",
        "--source", "Example Wire", "--url", "https://example.org/a?b=1",
        "--published", "2025-11-25", "--issues", "example",
    )  # fmt: skip
    assert result.code == 0, result.err
    slug = "xis-call-puts-taiwan-at-the-centre-of-the-china"
    fields, body = split_article(new_project / "content" / "articles" / f"{slug}.md")
    assert fields == {
        "title": "Xi’s call puts Taiwan at the centre of the China–Japan rift",
        "source": "Example Wire",
        "published": __import__("datetime").date(2025, 11, 25),
        "url": "https://example.org/a?b=1",
        "issues": ["example"],
    }
    # with a title of one's own, the clipping's first sentence stays in the body
    assert body.lstrip().startswith("A high-stakes phone call between Chinese President Xi")
    assert run("check", new_project).code == 0


def test_unknown_issue_and_bad_flags_are_clear_errors(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    clip = clippings["trump-xi-takaichi-calls"]
    unknown = run("import", clip, new_project, "--issues", "exampel")
    assert unknown.code == 1
    assert "--issues names 'exampel', which is not an issue (did you mean 'example'?)" in (
        unknown.err
    )
    bad_date = run("import", clip, new_project, "--published", "25 Nov")
    assert bad_date.code == 2 and "expected YYYY-MM-DD" in bad_date.err
    bad_url = run("import", clip, new_project, "--url", "javascript:alert(1)")
    assert bad_url.code == 2 and "http:// or https://" in bad_url.err
    missing = run("import", "no-such-file.txt", new_project)
    assert missing.code == 1 and "no-such-file.txt:1:1: cannot read" in missing.err
    assert not list((new_project / "content/articles").glob("trump*"))


def test_standard_input_in_cp1252_is_read_with_a_warning(
    new_project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    text = "Café owners protest\r\n\r\nCafé owners in Lyon – “again” – closed early.\r\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode("cp1252"))))
    result = run("import", "-", new_project)
    assert result.code == 0, result.err
    assert "-: wrote content/articles/cafe-owners-protest.md" in result.out.replace(
        str(new_project) + "/", ""
    )
    assert "warning: not valid UTF-8; read as Windows-1252 (cp1252)" in result.out
    _fields, body = split_article(new_project / "content/articles/cafe-owners-protest.md")
    assert "Café owners in Lyon – “again” – closed early." in body


def test_hostile_clipping_imports_as_harmless_text(
    new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    clip = tmp_path / "hostile.txt"
    clip.write_text(
        "Hostile page\n\n<script>alert(1)</script> and [click](javascript:alert(2)) "
        "and <img src=x onerror=alert(3)>.\n"
    )
    assert run("import", clip, new_project).code == 0
    assert run("build", new_project, "--no-pdf").code == 0
    html = (new_project / "site/articles/hostile-page/index.html").read_text()
    body = html.split('class="article-body"', 1)[1]
    assert "<script>alert" not in body and "<img" not in body
    assert 'href="javascript:' not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_a_txt_with_front_matter_keeps_its_fields(
    new_project: Path, run: Callable[..., Result]
) -> None:
    source = REPO / "content" / "articles" / "xi-trump-call-japan-rift.txt"
    issues = new_project / "content" / "issues"
    for issue in ("taiwan", "japan-china", "trade"):  # its front matter names them
        (issues / f"{issue}.yaml").write_text((issues / "example.yaml").read_text())
    result = run("import", source, new_project, "--source", "Example Wire")
    assert result.code == 0, result.err
    slug = "xis-call-to-trump-puts-taiwan-at-the-centre-of-the"
    fields, body = split_article(new_project / "content" / "articles" / f"{slug}.md")
    assert fields["title"] == "Xi’s call to Trump puts Taiwan at the centre of the China–Japan rift"
    assert fields["issues"] == ["taiwan", "japan-china", "trade"]
    assert fields["source"] == "Example Wire"
    assert str(fields["summary"]).startswith("Explainer reporting that Xi initiated")
    assert body.lstrip().startswith("A high-stakes phone call between Chinese President Xi")
    assert "---" not in body


def test_an_id_taken_in_front_matter_counts_as_existing(
    new_project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier = new_project / "content" / "articles" / "earlier.md"
    earlier.write_text("---\ntitle: Earlier\nid: port-strike-ends\n---\nText.\n")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Port strike ends\n\nText.\n")))
    result = run("import", "-", new_project)
    assert result.code == 1
    assert "an article with id 'port-strike-ends' already exists (earlier.md)" in result.err
    assert not (new_project / "content" / "articles" / "port-strike-ends.md").exists()


def test_imported_files_are_readable_by_others_and_titles_need_letters(
    new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    clip = tmp_path / "beijing-talks.txt"
    clip.write_text("北京会谈继续\n\n双方同意继续谈判。\n")
    assert run("import", clip, new_project).code == 0
    written = new_project / "content" / "articles" / "beijing-talks.md"
    assert written.stat().st_mode & 0o044 == 0o044  # group and others may read, as with cp
    assert split_article(written)[0]["title"] == "北京会谈继续"
    empty_title = run("import", clip, new_project, "--title", "  ")
    assert empty_title.code == 2 and "the title is empty" in empty_title.err


def test_malformed_utf16_is_read_with_a_warning(
    new_project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = "Port strike ends\n\nDockers voted.\n".encode("utf-16") + b"\x00"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
    result = run("import", "-", new_project)
    assert result.code == 0, result.err
    assert "warning: malformed UTF-16" in result.out
    assert "Traceback" not in result.err


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("title: Port strike ends\ntitle: Dockers vote\n", "3:1: duplicate key 'title'"),
        ("title: Port strike ends\nissues: [taiwan\n", "3:9: the '[' opened here is never closed"),
    ],
)
def test_broken_front_matter_is_reported_as_the_build_reports_it(
    front: str, message: str, new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    text = f"---\n{front}---\nPort strike ends\n\nDockers voted.\n"
    clip = tmp_path / "strike.txt"
    clip.write_text(text)
    imported = run("import", clip, new_project)
    assert imported.code == 1
    assert f"strike.txt:{message}" in imported.err
    (new_project / "content" / "articles" / "strike.txt").write_text(text)
    checked = run("check", new_project)
    assert checked.code == 1
    import_errors = [line.split("strike.txt:", 1)[1] for line in imported.err.splitlines()[:-1]]
    check_errors = [line.split("strike.txt:", 1)[1] for line in checked.err.splitlines()[:-1]]
    assert import_errors == check_errors


def test_front_matter_values_keep_their_types(
    new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    clip = tmp_path / "strike.txt"
    clip.write_text(
        "---\ntitle: 1984\npublished: 2025-11-25\nissues: [example]\nsummary: '2025'\n---\n"
        "Dockers voted to end the strike.\n"
    )
    result = run("import", clip, new_project)
    assert result.code == 0, result.err
    fields, _body = split_article(new_project / "content" / "articles" / "1984.md")
    assert fields == {
        "title": "1984",
        "published": date(2025, 11, 25),
        "issues": ["example"],
        "summary": "2025",
    }
    assert run("check", new_project).code == 0


def test_an_id_declared_by_a_kept_clipping_counts_as_existing(
    new_project: Path, run: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    kept = new_project / "content" / "articles" / "kept.txt"
    kept.write_bytes(b"\xef\xbb\xbf---\r\nid: port-strike-ends\r\n---\r\nStrike\r\n\r\nText.\r\n")
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"Port strike ends\n\nText.\n")))
    result = run("import", "-", new_project)
    assert result.code == 1
    assert "an article with id 'port-strike-ends' already exists (kept.txt)" in result.err
    assert not (new_project / "content" / "articles" / "port-strike-ends.md").exists()


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("url: javascript:alert(1)\n", "2:6: field 'url' is 'javascript:alert(1)'; expected an"),
        ("id: ../../x\n", "2:5: field 'id' is '../../x'; an id may hold only ASCII letters"),
        ("published: 2025-02-30\n", "2:12: field 'published' is '2025-02-30', not a real date"),
        ("issues: [taiwn]\n", "2:10: front matter 'issues' names unknown issue 'taiwn'"),
        ("titel: Strike\n", "2:1: unknown key 'titel' in front matter (did you mean 'title'?)"),
    ],
)
def test_a_clippings_own_front_matter_is_checked_as_the_build_checks_it(
    front: str, message: str, new_project: Path, run: Callable[..., Result], tmp_path: Path
) -> None:
    (new_project / "content/issues/taiwan.yaml").write_text(
        (new_project / "content/issues/example.yaml").read_text()
    )
    clip = tmp_path / "strike.txt"
    clip.write_text(f"---\n{front}---\nPort strike ends\n\nDockers voted.\n")
    before = sorted(p.name for p in (new_project / "content/articles").iterdir())
    result = run("import", clip, new_project)
    assert result.code == 1, result.out
    assert f"strike.txt:{message}" in result.err
    assert "Traceback" not in result.err
    assert sorted(p.name for p in (new_project / "content/articles").iterdir()) == before


def test_an_interrupted_batch_is_finished_by_running_it_again(
    clippings: dict[str, Path], new_project: Path, run: Callable[..., Result]
) -> None:
    articles = new_project / "content" / "articles"
    first = run("import", *clippings.values(), new_project)
    assert first.code == 0, first.err
    written = {p.name: p.read_bytes() for p in articles.glob("*.md")}
    # What a kill part-way leaves: two of five articles gone, a temporary file of the
    # killed process (pid 2**22 + 1 is above Linux's limit: never alive).
    for name in sorted(written)[:2]:
        (articles / name).unlink()
    stale = articles / f".{sorted(written)[0]}.{2**22 + 1}.import-tmp"
    stale.write_text("---\ntitle: half")
    again = run("import", *clippings.values(), new_project)
    assert again.code == 0, again.err
    assert again.out.count(": unchanged ") == 3 and again.out.count(": wrote ") == 2
    assert {p.name: p.read_bytes() for p in articles.glob("*.md")} == written
    assert not stale.exists()
    assert not [p for p in articles.iterdir() if p.name.endswith(".import-tmp")]


@pytest.mark.timeout(300)
def test_import_killed_at_any_moment_can_be_rerun_without_force(
    tmp_path: Path, new_project: Path, run: Callable[..., Result]
) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    folder = tmp_path / "many"
    folder.mkdir()
    paragraph = "Dockers voted to end the strike on Monday, the union said. " * 2000
    clips = []
    for n in range(40):
        clip = folder / f"strike-{n}.txt"
        clip.write_text(f"Port strike number {n} ends\n\n{paragraph}\n")
        clips.append(clip)
    articles = new_project / "content" / "articles"
    command = [sys.executable, "-m", "briefgen", "import", *map(str, clips), str(new_project)]
    for delay in (0.4, 0.8, 1.2, 1.6):
        for path in articles.glob("port-strike-*"):
            path.unlink()
        child = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        for path in articles.glob("port-strike-*.md"):
            assert path.read_text().rstrip().endswith("the union said.")  # never half a file
        rerun = run("import", *clips, new_project)
        assert rerun.code == 0, rerun.err
        assert len(list(articles.glob("port-strike-*.md"))) == 40
        assert not [p for p in articles.iterdir() if p.name.startswith(".")]


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Đà Nẵng braces for Typhoon Kalmaegi", "da-nang-braces-for-typhoon-kalmaegi"),
        ("Köln: Straße am Rhein gesperrt", "koln-strasse-am-rhein-gesperrt"),
        ("Москва и Киев обменялись пленными", "moskva-i-kiev-obmenialis-plennymi"),
        ("Η Αθήνα ζητά διάλογο", "e-athena-zeta-dialogo"),
        ("서울 회담 재개", "seoul-hoedam-jaegae"),
        ("北京会谈继续", "bei-jing-hui-tan-ji-xu"),
        ("東京の会議が始まる", "article-"),  # kanji read as Chinese: no slug from it
    ],
)
def test_titles_in_any_script_get_a_readable_slug(
    title: str, slug: str, new_project: Path, run: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    text = f"{title}\n\nText of the article.\n"
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    result = run("import", "-", new_project)
    assert result.code == 0, result.err
    written = re.search(r"wrote .*content/articles/(\S+)\.md", result.out)
    assert written is not None and written[1].startswith(slug), result.out
    fields, _body = split_article(new_project / "content/articles" / f"{written[1]}.md")
    assert fields["title"] == title
