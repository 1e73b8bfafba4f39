"""From what the user asked to a backend-neutral query plan.

The plan says which terms to look for in which field with which weight; each backend turns it
into its own query, so both rank by the same terms (BM25 on the same analysed fields).
"""

import base64
import binascii
import hashlib
import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from htk_contracts.search import FACETS
from htk_search.analysis import Analyser, raw_terms, words
from htk_search.backends.base import QueryError

Sort = Literal["relevance", "date"]

MAX_WORDS = 32
MAX_PHRASE_READINGS = 8
# Field weights: a word in the title counts more than in the body; as written more than a lemma.
WEIGHTS = {"title_raw": 3.0, "title_lemma": 2.5, "body_raw": 1.2, "body_lemma": 1.0}
FUZZY_WEIGHT = 0.3
# An action with every word of the query ranks above any with only some of them; those still
# follow, so a query with one word nobody used finds what the others find.
ALL_WORDS_SCORE = 1000.0
CORRECTION_WEIGHT = 0.6  # of the lemma field's weight, for the closest suggestion
CORRECTION_DECAY = 0.75  # each further suggestion gets this share of the one before
PART_WEIGHT = 0.25  # times the lemma field's weight
DERIVED_WEIGHT = 0.5  # times the lemma field's weight, for the words a query word derives from
PHRASE = re.compile(r'"([^"]*)"')
# Several words near each other (at most PROXIMITY_SLOP words between them, in any language's
# reading) rank above the same words far apart.
PROXIMITY_SLOP = 3
PROXIMITY_WEIGHT = 2.0


@dataclass(frozen=True)
class TermGroup:
    """One query word: it matches if any of its forms does."""

    raw: tuple[str, ...]  # pieces of the word as written; several for a hyphenated word
    lemmas: tuple[str, ...]
    fuzzy: int  # edit distance allowed for typos, 0 for none
    parts: tuple[str, ...] = ()  # a compound's parts, matched with less weight
    required: bool = False
    # Spelling corrections of a word Voikko does not know, closest first, each with the share
    # of a lemma's weight it gets: a closer correction ranks higher, all below exact matches.
    corrections: tuple[tuple[str, float], ...] = ()
    derived: tuple[str, ...] = ()  # the words this one derives from (köyhyys: köyhä)
    # The word as the seq fields hold it: Finnish primary base form, Swedish and English stems.
    readings: tuple[str, ...] = ()
    # A compound's parts with their forms, matched only all together (with PART_WEIGHT).
    leaves: tuple[tuple[str, ...], ...] = ()


@dataclass(frozen=True)
class Phrase:
    raw: tuple[str, ...]
    seq_variants: tuple[tuple[str, ...], ...]  # one base form per word, per language reading


@dataclass
class Plan:
    groups: list[TermGroup] = field(default_factory=list)
    phrases: list[Phrase] = field(default_factory=list)
    filters: dict[str, list[str]] = field(default_factory=dict)
    exclude_ids: list[str] = field(default_factory=list)
    # Extra weight for sharing facet values (similar actions share measures and places).
    facet_boosts: dict[str, tuple[list[str], float]] = field(default_factory=dict)
    sort: Sort = "relevance"
    # A county or municipality filter also matches national actions only when asked: a
    # municipality's own actions and the country's are different answers (the search page
    # says which one it shows).
    include_national: bool = False
    # Only national actions: how the engine counts what including them adds to each place.
    national_only: bool = False

    @property
    def has_text(self) -> bool:
        return bool(self.groups or self.phrases)

    def proximity(self) -> list[tuple[str, ...]]:
        """The query's words in each language's reading, for a phrase with slop."""
        if len(self.groups) < 2 or not all(g.readings for g in self.groups):
            return []
        count = min(len(g.readings) for g in self.groups)
        return list(dict.fromkeys(tuple(g.readings[i] for g in self.groups) for i in range(count)))

    def highlight_terms(self) -> set[str]:
        terms: set[str] = set()
        for g in self.groups:
            terms.update(g.raw)
            terms.update(g.lemmas)
            terms.update(g.derived)
            terms.update(term for term, _ in g.corrections)
        for p in self.phrases:
            terms.update(p.raw)
            for variant in p.seq_variants:
                terms.update(variant)
        return terms


def facet_plans(plan: Plan) -> list[tuple[Plan, list[str]]]:
    """Which query each facet's counts come from. A facet the user filters by is counted as if
    that one filter were not set (the text and the other filters still apply): the counts then
    show what choosing another value as well would add, not only the values already chosen."""
    free = [name for name in FACETS if name not in plan.filters]
    plans: list[tuple[Plan, list[str]]] = [(plan, free)] if free else []
    for name in plan.filters:
        others = {k: v for k, v in plan.filters.items() if k != name}
        plans.append((replace(plan, filters=others), [name]))
    return plans


def fuzziness(word: str) -> int:
    if len(word) >= 8:
        return 2
    if len(word) >= 4:
        return 1
    return 0


def term_group(analyser: Analyser, word: str, *, required: bool = False) -> TermGroup:
    qw = analyser.query_word(word)
    return TermGroup(
        raw=tuple(raw_terms(word)),
        lemmas=qw.lemmas,
        parts=qw.parts,
        # Typo tolerance only for words Voikko does not know: a known word is spelt right, and
        # fuzzy matching is the costliest part of a query.
        fuzzy=0 if word.isdigit() or analyser.baseforms(word) else fuzziness(word),
        required=required,
        corrections=corrections(analyser, word, set(qw.lemmas)),
        derived=qw.derived,
        leaves=qw.leaves,
        readings=(
            (analyser.baseforms(word) or (word,))[0],
            analyser.stem("sv", word),
            analyser.stem("en", word),
        ),
    )


def corrections(analyser: Analyser, word: str, known: set[str]) -> tuple[tuple[str, float], ...]:
    """The base forms and compound parts of each spelling suggestion, weighted by how close
    the suggestion is (Voikko lists the closest first)."""
    return weigh_corrections(analyser, analyser.corrections(word), known)


def weigh_corrections(
    analyser: Analyser, suggestions: Iterable[str], known: set[str]
) -> tuple[tuple[str, float], ...]:
    """Each suggestion's base forms and compound parts, the first suggestion weighted most."""
    weighted: dict[str, float] = {}
    for rank, suggestion in enumerate(suggestions):
        share = CORRECTION_WEIGHT * CORRECTION_DECAY**rank
        corrected = analyser.query_word(suggestion)
        for term in corrected.lemmas:
            weighted.setdefault(term, share)
        for term in corrected.parts:
            weighted.setdefault(term, share * PART_WEIGHT)
    return tuple((t, w) for t, w in weighted.items() if t not in known)


def parse_text(analyser: Analyser, text: str) -> tuple[list[TermGroup], list[Phrase]]:
    if text.count('"') % 2:
        raise QueryError("q", 'The search text has an unmatched quotation mark (").')
    phrases: list[Phrase] = []
    for match in PHRASE.finditer(text):
        phrase_words = words(match.group(1))
        if len(phrase_words) == 1:
            continue  # a quoted single word is just that word
        if phrase_words:
            phrases.append(_phrase(analyser, phrase_words))
    free = words(PHRASE.sub(" ", text))
    free += [
        w for m in PHRASE.finditer(text) if len(words(m.group(1))) == 1 for w in words(m.group(1))
    ]
    if len(free) + sum(len(p.raw) for p in phrases) > MAX_WORDS:
        raise QueryError("q", f"The search text has more than {MAX_WORDS} words.")
    meaningful = [w for w in free if not analyser.query_word(w).stopword]
    chosen = meaningful or free
    groups = list({w: term_group(analyser, w) for w in chosen}.values())
    return groups, phrases


def _phrase(analyser: Analyser, phrase_words: list[str]) -> Phrase:
    raw = tuple(t for w in phrase_words for t in raw_terms(w))
    # A word may have several base forms (asuvat: asua or asuva) while the index holds one per
    # position, so every combination is tried, up to a limit.
    readings = [analyser.baseforms(w) or (w,) for w in phrase_words]
    finnish = list(itertools.islice(itertools.product(*readings), MAX_PHRASE_READINGS))
    swedish = tuple(analyser.stem("sv", w) for w in phrase_words)
    english = tuple(analyser.stem("en", w) for w in phrase_words)
    return Phrase(raw=raw, seq_variants=tuple(dict.fromkeys([*finnish, swedish, english])))


# --- cursors: opaque to clients, bound to the query they continue -----------------------------


def fingerprint(
    text: str, filters: dict[str, list[str]], sort: str, include_national: bool = False
) -> str:
    canonical = json.dumps(
        [text, sorted((k, sorted(v)) for k, v in filters.items()), sort, include_national],
        ensure_ascii=False,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def encode_cursor(print_: str, state: dict[str, Any]) -> str:
    raw = json.dumps({"f": print_, "s": state}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, print_: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        state = data["s"]
        owner = data["f"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise QueryError("cursor", "The cursor is not one this service gave out.") from exc
    if owner != print_ or not isinstance(state, dict):
        raise QueryError(
            "cursor", "The cursor belongs to another search: keep q, filters and sort unchanged."
        )
    return state
