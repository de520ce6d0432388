"""What readers see of Markdown that a faster parser got wrong.

Issue 10 measured two compiled parsers against markdown-it-py on the CommonMark spec,
markdown-it's fixtures and 20,000 spliced samples. Both match it on the example and
the benchmark corpus, but markdown-it-pyrs 0.4.0 crashes on a stray backtick after a
bracket and renders the cases below otherwise, and cmarkgfm drops raw HTML instead of
showing it. These cases keep a parser swap honest: each is plausible in a pasted article.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.markdown import render_article
from tests.conftest import Result

STRAY_BACKTICK = "He said [the minister`s view] matters.\n"


def test_a_stray_backtick_after_a_bracket_builds_and_shows_as_typed(
    project: Callable[..., Path], run: Callable[..., Result]
) -> None:
    root = project({"content/articles/typo.md": f"---\ntitle: Typo\n---\n{STRAY_BACKTICK}"})
    assert run("build", root, "--no-pdf").code == 0
    page = (root / "site" / "articles" / "typo" / "index.html").read_text()
    assert "<p>He said [the minister`s view] matters.</p>" in page


def test_an_autolink_shows_its_address_decoded_and_links_it_encoded() -> None:
    html = render_article("See <https://fr.wikipedia.org/wiki/Fran%C3%A7ois_Hollande>.\n")
    assert html == (
        '<p>See <a href="https://fr.wikipedia.org/wiki/Fran%C3%A7ois_Hollande">'
        "https://fr.wikipedia.org/wiki/François_Hollande</a>.</p>\n"
    )


def test_a_link_to_an_international_domain_names_its_host_as_dns_does() -> None:
    # Punycode, not percent-escapes: mail clients and PDF readers resolve it as it is.
    html = render_article("[Rathaus](https://münchen.de/rathaus)\n")
    assert html == '<p><a href="https://xn--mnchen-3ya.de/rathaus">Rathaus</a></p>\n'


def test_no_break_spaces_pasted_around_a_paragraph_do_not_indent_it() -> None:
    assert render_article("\u00a0Talks resume on Monday.\u00a0\n") == (
        "<p>Talks resume on Monday.</p>\n"
    )


def test_raw_tags_inline_show_as_text_and_bad_links_stay_text() -> None:
    html = render_article("A <b>bold</b> claim, [click](javascript:alert(1)).\n")
    assert html == "<p>A &lt;b&gt;bold&lt;/b&gt; claim, [click](javascript:alert(1)).</p>\n"
