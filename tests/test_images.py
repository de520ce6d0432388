"""Images, wherever the briefing writes them: checked by their bytes, published under
media/ for the site and laid out in the PDF alike."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.conftest import Result, tiny_jpeg, tiny_png
from tests.test_build import TagCollector

ISSUE = "p/content/issues/talks.yaml"
ARTICLE = "p/content/articles/alpha.md"

IN_TEXT = {
    "content/issues/talks.yaml": (
        "title: The talks\nstatus: steady\n"
        "bottom_line: 'Talks continue. ![The venue](content/images/venue.png)'\n"
        "key_points:\n"
        "  - text: Talks are slow. ![Chart](content/images/chart.jpg)\n"
        "    sources: [alpha]\n"
    ),
    "content/watch.yaml": (
        "items:\n  - title: Next round\n    issue: talks\n"
        "    why: 'Dates matter. [![Map](content/images/venue.png)](content/images/venue.png)'\n"
        "    sources: [alpha]\n"
    ),
    "content/images/venue.png": tiny_png(),
    "content/images/chart.jpg": tiny_jpeg(),
}


def tags(page: Path, name: str, attr: str) -> list[str]:
    found = TagCollector.of(page.read_text(encoding="utf-8"))
    return [dict(attrs)[attr] or "" for tag, attrs in found if tag == name and attr in dict(attrs)]


def resolves_to_copy(page: Path, link: str, original: Path) -> bool:
    target = (page.parent / unquote(link)).resolve()
    return target.is_file() and target.read_bytes() == original.read_bytes()


def test_images_in_issue_and_checklist_text_reach_the_site_and_the_pdf(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(IN_TEXT)
    result = run("build", root, "--force")
    assert result.code == 0, result.err
    site, images = root / "site", root / "content" / "images"
    issue = site / "issues" / "talks" / "index.html"
    srcs = tags(issue, "img", "src")
    assert "../../media/images/venue.png" in srcs  # bottom line
    assert "../../media/images/chart.jpg" in srcs  # key point
    assert "../media/images/venue.png" in tags(site / "watch" / "index.html", "img", "src")
    for page in (issue, site / "watch" / "index.html"):
        for src in tags(page, "img", "src"):
            assert resolves_to_copy(page, src, images / Path(src).name), (page, src)
    # the thumbnail's link to the full-size image points at the copy, not at content/
    watch = site / "watch" / "index.html"
    hrefs = [h for h in tags(watch, "a", "href") if "venue" in h]
    assert hrefs == ["../media/images/venue.png"]
    assert resolves_to_copy(watch, hrefs[0], images / "venue.png")
    # the PDF shows the same images
    listing = subprocess.run(
        ["pdfimages", "-list", str(site / "briefing.pdf")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert len(listing.splitlines()) - 2 >= 3, listing  # venue twice, chart once


def test_linked_full_size_image_in_an_article_points_at_the_copy(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project(
        {
            "content/articles/alpha.md": "---\ntitle: Alpha report\n---\n"
            'The minister said the talks were "slow but serious" on Monday.\n\n'
            "[![Small map](content/images/map.png)](content/images/map.png)\n",
            "content/images/map.png": tiny_png(),
        }
    )
    assert run("build", root, "--no-pdf").code == 0
    page = root / "site" / "articles" / "alpha" / "index.html"
    assert tags(page, "img", "src") == ["../../media/images/map.png"]
    full = [h for h in tags(page, "a", "href") if "map" in h]
    assert full == ["../../media/images/map.png"]
    assert resolves_to_copy(page, full[0], root / "content" / "images" / "map.png")


BAD = {
    "text file named .png": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](content/fake.png)\n",
            "content/fake.png": "just some text, not an image\n",
        },
        f"{ARTICLE}:6:6: image 'content/fake.png' is not an image by its content, whatever "
        "its name says; expected a PNG, JPEG, GIF, WebP, AVIF file",
    ),
    "text file named .png in issue text": (
        {
            "content/issues/talks.yaml": "title: T\nbottom_line: |\n  Hm.\n\n"
            "  ![x](content/fake.png)\n",
            "content/fake.png": "just some text, not an image\n",
        },
        f"{ISSUE}:5:8: image 'content/fake.png' is not an image by its content",
    ),
    "missing image in checklist text": (
        {
            "content/watch.yaml": "items:\n  - title: Next\n    issue: talks\n"
            "    why: See ![m](content/images/gone.png)\n"
        },
        "p/content/watch.yaml:4:19: image file 'content/images/gone.png' not found",
    ),
    "NUL byte in an image path": (
        {"content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n![x](content/a%00b.png)\n"},
        f"{ARTICLE}:6:6: image path 'content/a\\x00b.png' contains a control character "
        "(such as NUL)",
    ),
    "over-long image name": (
        {
            "content/articles/alpha.md": "---\ntitle: A\n---\nText.\n\n"
            f"![x](content/{'n' * 300}.png)\n"
        },
        f"{ARTICLE}:6:6: image path 'content/nnnn",
    ),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_unusable_image_is_a_clear_error(
    case: str, project: Callable[..., Path], run: Callable[..., Result], chdir_tmp: Path
) -> None:
    files, expected = BAD[case]
    root = project(files)
    for command in (("check", root), ("build", root, "--no-pdf")):
        result = run(*command)
        assert result.code == 1, result.err
        assert expected in result.err, result.err
        assert "Traceback" not in result.err
    assert not (root / "site").exists()
    if case == "over-long image name":
        assert "is too long (312 characters); expected file names of at most 255 bytes" in (
            result.err
        )


def test_image_addresses_spelt_with_escapes_still_point_at_media() -> None:
    """Pages are scanned for links to images quickly, by the word 'content'; an address
    that spells it with an HTML entity or a percent escape must still be found."""
    from briefgen.images import point_at_media

    html = (
        '<p><img src="%63ontent/images/map.png" alt="Map">'
        ' <a href="cont&#101;nt/images/map.png">full size</a>'
        ' <a href="../issues/taiwan/">Taiwan</a></p>'
    )
    assert point_at_media(html, "articles/a/index.html") == (
        '<p><img src="../../media/images/map.png" alt="Map">'
        ' <a href="../../media/images/map.png">full size</a>'
        ' <a href="../issues/taiwan/">Taiwan</a></p>'
    )
