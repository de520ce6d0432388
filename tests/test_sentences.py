"""Where a sentence ends: not at titles, ranks, places, Latin or numbered references."""

from __future__ import annotations

import pytest

from briefgen.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("Prof. Lee expects talks to resume. Few agree.", "Prof. Lee expects talks to resume."),
        ("Lt. Gen. Smith spoke first. Then he left.", "Lt. Gen. Smith spoke first."),
        ("Talks at Mt. Fuji ended early. Fine.", "Talks at Mt. Fuji ended early."),
        ("Amb. Burns met Wang Yi. He left.", "Amb. Burns met Wang Yi."),
        ("Dr. Ng and Sen. Cruz disagreed. Both spoke.", "Dr. Ng and Sen. Cruz disagreed."),
        (
            "Some metals, e.g. Dysprosium, are scarce. Others not.",
            "Some metals, e.g. Dysprosium, are scarce.",
        ),
        (
            "Key inputs, i.e. Gallium, are scarce. Others not.",
            "Key inputs, i.e. Gallium, are scarce.",
        ),
        ("Resolution No. 2334 passed. It matters.", "Resolution No. 2334 passed."),
        ("The U.S. President spoke. China replied.", "The U.S. President spoke."),
        ('Asked about a deal, he said "No." Then he left.', 'Asked about a deal, he said "No."'),
        ("He said No. Nobody was surprised.", "He said No."),
        ("It rose. It fell!", "It rose."),
    ],
)
def test_a_sentence_ends_where_a_reader_says_it_does(text: str, first: str) -> None:
    assert split_sentences(text)[0] == first


def test_splitting_a_long_paragraph_is_linear() -> None:
    import time

    text = "Prof. Lee spoke. " * 20_000
    started = time.perf_counter()
    assert len(split_sentences(text)) == 20_000
    assert time.perf_counter() - started < 2


def test_the_pdf_contents_and_email_show_the_whole_first_sentence_of_a_bottom_line() -> None:
    from briefgen.markdown import first_sentence

    # the filter of the PDF's contents and the email's issue lines
    shown = first_sentence("Prof. Lee says the talks are slow. Nothing is settled.")
    assert str(shown) == "Prof. Lee says the talks are slow."
