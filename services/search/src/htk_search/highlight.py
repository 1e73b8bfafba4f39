"""Highlighted snippets, made from the stored text with the same analysis as the index.

Both backends give the same marks, and a word is marked whatever form matched (an inflected
word for a base-form query, a compound for its part).
"""

import html

from htk_search.analysis import Analyser, word_spans

SNIPPET_CHARS = 180


def _marks(analyser: Analyser, text: str, terms: set[str]) -> list[tuple[int, int]]:
    return [
        (start, end)
        for start, end, word in word_spans(text)
        if analyser.highlight_terms(word) & terms
    ]


def _render(text: str, marks: list[tuple[int, int]], start: int, end: int) -> str:
    out: list[str] = []
    position = start
    for s, e in marks:
        if s < start or e > end:
            continue
        out.append(html.escape(text[position:s]))
        out.append(f"<mark>{html.escape(text[s:e])}</mark>")
        position = e
    out.append(html.escape(text[position:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def highlight(analyser: Analyser, text: str, terms: set[str], *, whole: bool = False) -> str | None:
    """The text (or a window of it) with matching words in ``<mark>``; None if nothing matched."""
    found = fragment(analyser, text, terms, whole=whole)
    return found[1] if found else None


def fragment(
    analyser: Analyser, text: str, terms: set[str], *, whole: bool = False
) -> tuple[int, str] | None:
    """(how many words are marked in it, the window of the text with the most marked words)."""
    if not terms or not text:
        return None
    marks = _marks(analyser, text, terms)
    if not marks:
        return None
    if whole or len(text) <= SNIPPET_CHARS:
        return len(marks), _render(text, marks, 0, len(text))
    # The window that starts a little before the mark with the most marks after it.
    first = max(
        (m[0] for m in marks),
        key=lambda s: sum(1 for m in marks if s <= m[0] < s + SNIPPET_CHARS * 2 // 3),
    )
    start = max(0, first - SNIPPET_CHARS // 3)
    # Start and end on word boundaries.
    if start > 0:
        space = text.rfind(" ", 0, start)
        start = space + 1 if space >= 0 else 0
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > first else end
    return sum(1 for s, e in marks if s >= start and e <= end), _render(text, marks, start, end)
