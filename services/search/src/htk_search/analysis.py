"""Language analysis done in Python, so both backends index and query the very same terms.

Each text is indexed three ways, every one a space-separated list of lower-case terms that the
backends only split on whitespace:

- ``raw``: the words as written (exact matches, typo tolerance, phrases as written);
- ``lemma``: for Finnish, Voikko's base forms of each word plus the base forms of its compound
  parts and of adjacent part spans (``mielenterveyspalveluihin`` gives ``mielenterveyspalvelu``,
  ``mieli``, ``terveys``, ``palvelu``, ``mielenterveys``, ``terveyspalvelu``) and the words it
  derives from (Voikko's ``WORDBASES``: ``yksinäisyys`` from ``yksinäinen``, the compound-forming
  ``kotoutumis-`` from ``kotoutua``); for Swedish, the Snowball stem of the word and of its
  compound parts, split with the wswedish word list (``idrottsföreningar``: ``idrott`` and
  ``förening``); for English, Snowball stems;
- ``seq``: one base form per word, position for position, for phrase queries in any inflection.

A query word is looked up in every language (its language is unknown), so an inflected query finds
the base form and the other way round.
"""

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import libvoikko
import snowballstemmer

log = logging.getLogger(__name__)

WORD = re.compile(r"\w+(?:[-']\w+)*")
# WORDBASES "+yksinäisy(yksinäinen)+ys(+ys)": (surface, base) pairs, a suffix's base with a +.
WORD_BASE_SEGMENT = re.compile(r"\+([^(+]*)\(([^)]*)\)")
# "Without": asunnottomuus is built on asunto through asunnoton, which Voikko does not name.
PRIVATIVE = frozenset({"+ton", "+tön"})
# Debian's wswedish: 121,000 Swedish words with their inflected forms, one a line, in Latin-1.
SWEDISH_WORDS = Path("/usr/share/dict/swedish")
# Swedish derivational endings that are words of their own too (ande "spirit"): never a head.
SWEDISH_SUFFIXES = frozenset(
    "ande ende ning ningen ningar else skap het heter heten lig liga are arna ens".split()
)
# A Swedish -ing noun of a verb of the list (sanering of sanera) is a word the list lacks.
SWEDISH_NOUN_ENDINGS = ("ingarna", "ingar", "ingen", "ing")
# Finnish reflexive and causative verbs of one root (kuntoutua, kuntouttaa; kotiutua,
# kotiuttaa): kuntoutuminen and kotikuntoutus are the same topic, Voikko names one each.
VERB_FAMILY = (("utua", "uttaa"), ("ytyä", "yttää"))
# Finnish and Swedish conjunctions after which a hyphenated first part shares the next
# compound's head: "mielenterveys- ja päihdepalvelut", "hälso- och sjukvård".
ELLIPSIS_CONJUNCTIONS = frozenset({"ja", "tai", "sekä", "och", "eller", "samt"})
# Words of one meaning that share no root, as the lemma field holds them (Finnish base forms,
# Swedish stems). Kept to the plan's target groups, where the texts vary the word most: a query
# word finds its synonyms with a derived word's weight, never above the word itself.
SYNONYMS = (
    frozenset({"ikäihminen", "vanhus", "ikääntynyt"}),
    frozenset({"äldr", "åldring"}),
)
SYNONYM_OF = {term: group for group in SYNONYMS for term in group}
# Voikko's suggestions come closest first; past the third they are mostly other words.
MAX_SUGGESTIONS = 3

# Words that carry no meaning for search; kept short on purpose: the rest is left to BM25.
STOPWORDS = frozenset(
    """
    ja tai sekä että on ovat oli ei eivät se ne ja jo kun niin myös kuin mutta joka jotka mikä
    mitkä mitä miten missä tämä nämä tuo sen sitä siitä niiden hän he me te kanssa kautta
    och eller att är var som en ett det den de på i av för med till om från har inte
    and or the a an of in on for to with by from is are was what how which who about
    """.split()
)


@dataclass(frozen=True)
class AnalysedText:
    raw: list[str]
    lemma: list[str]
    seq: list[str]


@dataclass(frozen=True)
class QueryWord:
    raw: str
    lemmas: tuple[str, ...]  # every base form or stem the word may stand for, raw excluded
    parts: tuple[str, ...]  # base forms of spans of a compound's parts: weaker evidence
    stopword: bool
    # The words a derived word comes from (köyhyys: köyhä): the same family, weaker evidence.
    derived: tuple[str, ...] = ()
    # A compound's parts, each with its forms: they are evidence only all together, else
    # näkövammaiset would find näkökulma by its first part.
    leaves: tuple[tuple[str, ...], ...] = ()


class SwedishCompounds:
    """Splits Swedish compounds into words of the wswedish list: the head is a word or its
    compound-forming form (linking ``s``: ``idrotts-``; a dropped or changed vowel: ``skol-``,
    ``hälso-``), the tail a word or again a compound. Longest head first, words of seven letters
    or more; a word of the list itself is split only into parts of four letters or more
    (``ungdomar`` is not ``ung`` + ``domar``)."""

    def __init__(self, path: Path = SWEDISH_WORDS) -> None:
        try:
            with path.open(encoding="latin-1") as f:
                self.words = frozenset(line.strip().lower() for line in f if line.strip())
        except OSError:
            log.warning("no Swedish word list at %s: Swedish compounds are not split", path)
            self.words = frozenset()
        self.split = lru_cache(maxsize=200_000)(self._split)

    def is_word(self, word: str) -> bool:
        """A word of the list, or an -ing noun of a verb of it (sanering of sanera)."""
        if word in self.words:
            return True
        for ending in SWEDISH_NOUN_ENDINGS:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                verb = word[: -len(ending)] + "a"
                if verb in self.words or word[: -len(ending)] + "ing" in self.words:
                    return True
        return False

    def _head(self, head: str) -> str | None:
        words = self.words
        # A short word with a linking vowel (bya- of by, byaföreningar).
        if len(head) == 3 and head[-1] in "ao" and head[:-1] in words:
            return head[:-1]
        if len(head) > 4 and head[-1] == "s":
            for base in (head[:-1], head[:-1] + "e", head[:-1] + "a"):
                if base in words:
                    return base
        if len(head) > 4 and head[-1] in "aeo":
            for base in (head[:-1] + "a", head[:-1]):
                if base in words:
                    return base
        if head in words:
            return head
        if len(head) >= 4 and head + "a" in words:
            return head + "a"
        return None

    def _split(self, word: str, depth: int = 0) -> tuple[str, ...]:
        if len(word) < 7 or depth > 2 or not self.words:
            return ()
        # A word of the list splits into parts of four letters or more; another also into a
        # head or a tail of three (föreningshus).
        shortest = 4 if word in self.words else 3
        for end in range(len(word) - shortest, shortest - 1, -1):
            head, tail = word[:end], word[end:]
            if tail in SWEDISH_SUFFIXES:
                continue
            base = self._head(head)
            if base is None:
                continue
            # An s between two words is the tail's own first letter when that makes a word:
            # skärgård + skolor, not skärgårds + kolor.
            if head[-1] == "s" and head[:-1] in self.words and "s" + tail in self.words:
                return (head[:-1], "s" + tail)
            rest = (tail,) if self.is_word(tail) else self._split(tail, depth + 1)
            if rest:
                return (base, *rest)
        return ()


def words(text: str) -> list[str]:
    return [m.group(0).lower() for m in WORD.finditer(text)]


def word_spans(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0).lower()) for m in WORD.finditer(text)]


def raw_terms(word: str) -> list[str]:
    """Hyphenated words are indexed by their pieces; the lemma field keeps the whole."""
    if "-" not in word and "'" not in word:
        return [word]
    return [p for p in re.split(r"[-']", word) if p]


class Analyser:
    """Thread-safe: Voikko is not, so its calls are serialised and their results cached."""

    def __init__(self) -> None:
        self._voikko = libvoikko.Voikko("fi")
        self._lock = threading.Lock()
        self._swedish = snowballstemmer.stemmer("swedish")
        self._english = snowballstemmer.stemmer("english")
        self._stem_lock = threading.Lock()
        self.swedish = SwedishCompounds()
        self.finnish_terms = lru_cache(maxsize=200_000)(self._finnish_terms)
        self.baseforms = lru_cache(maxsize=200_000)(self._baseforms)
        self.stem = lru_cache(maxsize=200_000)(self._stem)
        self.word_terms = lru_cache(maxsize=400_000)(self._word_terms)
        self.highlight_terms = lru_cache(maxsize=200_000)(self._highlight_terms)
        self.corrections = lru_cache(maxsize=50_000)(self._corrections)
        self.one_edit_words = lru_cache(maxsize=10_000)(self._one_edit_words)
        # Organisation names, analysed for every action of the organisation.
        self.analyse_name = lru_cache(maxsize=20_000)(self.analyse)
        # A query word's analysis (derived words, compound leaves) asks Voikko several times.
        self.query_word = lru_cache(maxsize=50_000)(self._query_word)

    def dictionaries(self) -> str:
        """The dictionaries' versions: another one analyses words differently."""
        finnish = [d.description for d in libvoikko.Voikko.listDicts()]
        return f"voikko {libvoikko.Voikko.getVersion()} {finnish} sv {len(self.swedish.words)}"

    def _analyse(self, word: str) -> list[dict[str, str]]:
        with self._lock:
            return list(self._voikko.analyze(word))

    def _corrections(self, word: str) -> tuple[str, ...]:
        """Voikko's spelling suggestions for a word it does not know, closest first: a missing
        letter in a long word is often three edits from every indexed form, which edit-distance
        matching cannot reach, and ``a`` typed for ``ä`` is a suggestion too. Empty for a word
        Voikko knows."""
        if self.baseforms(word) or len(word) < 4 or word.isdigit():
            return ()
        with self._lock:
            suggested = list(self._voikko.suggest(word))
        found = [
            s.lower()
            for s in suggested[:MAX_SUGGESTIONS]
            if " " not in s and ("-" not in s or "-" in word)
        ]
        return tuple(dict.fromkeys(s for s in found if s != word))

    def _one_edit_words(self, word: str) -> tuple[str, ...]:
        """Words Voikko knows one typo away from ``word``: a letter missing, one too many, two
        swapped, ``a`` or ``o`` typed for ``ä`` or ``ö``. For a query word that is a valid but
        rare form (väkivala, read as väki + vala, for väkivalta) and finds nothing."""
        letters = "abcdefghijklmnopqrstuvwxyzäöå"
        edits: dict[str, None] = {}
        for i in range(len(word) + 1):
            for letter in letters:
                edits[word[:i] + letter + word[i:]] = None
        for i in range(len(word)):
            edits[word[:i] + word[i + 1 :]] = None
            if i + 1 < len(word):
                edits[word[:i] + word[i + 1] + word[i] + word[i + 2 :]] = None
            folded = {"a": "ä", "o": "ö"}.get(word[i])
            if folded:
                edits[word[:i] + folded + word[i + 1 :]] = None
        edits.pop(word, None)
        with self._lock:
            return tuple(e for e in edits if len(e) >= 4 and self._voikko.spell(e))

    def _baseforms(self, word: str) -> tuple[str, ...]:
        forms = dict.fromkeys(a["BASEFORM"].lower() for a in self._analyse(word) if "BASEFORM" in a)
        return tuple(forms)

    def _parts(self, word: str, structure: str) -> list[str]:
        """Compound parts of the surface word, split where Voikko's STRUCTURE puts a boundary."""
        marks = structure.replace("=", "")
        if len(marks) != len(word):
            return []
        parts: list[str] = []
        current = ""
        position = 0
        for mark in structure:
            if mark == "=":
                if current:
                    parts.append(current)
                current = ""
                continue
            current += word[position]
            position += 1
        if current:
            parts.append(current)
        return [p.strip("-") for p in parts if p.strip("-")]

    def _finnish_terms(self, word: str) -> tuple[tuple[str, ...], str]:
        """(every lemma term of a word, its primary base form)."""
        analyses = self._analyse(word)
        if not analyses:
            return (word,), word
        terms: dict[str, None] = {}
        for analysis in analyses:
            base = analysis.get("BASEFORM", word).lower()
            terms[base] = None
            terms.update(dict.fromkeys(derivation_bases(analysis)))
            parts = self._parts(word, analysis.get("STRUCTURE", ""))
            if len(parts) < 2:
                continue
            # Single parts and the spans that start or end the word: the spans in the middle
            # (``vointialue`` of ``hyvinvointialue``) are mostly noise.
            for start in range(len(parts)):
                for end in range(start + 1, len(parts) + 1):
                    if end - start == len(parts) or (
                        end - start > 1 and 0 < start < end < len(parts)
                    ):
                        continue
                    span = "".join(parts[start:end])
                    forms = self.baseforms(span)
                    if forms:
                        terms.update(dict.fromkeys(forms))
                    elif end - start == 1 and len(span) >= 3:
                        terms[span] = None
        for term in list(terms):
            terms.update(dict.fromkeys(self.verb_family(term)))
        primary = analyses[0].get("BASEFORM", word).lower()
        return tuple(terms), primary

    def verb_family(self, base: str) -> tuple[str, ...]:
        """The reflexive verb of a causative one and the other way round (kuntouttaa,
        kuntoutua), when Voikko knows it: one word family, which Voikko's WORDBASES name by
        either verb (kuntoutus: kuntouttaa; kuntoutuminen: kuntoutua)."""
        for reflexive, causative in VERB_FAMILY:
            for ending, other in ((reflexive, causative), (causative, reflexive)):
                if base.endswith(ending) and len(base) > len(ending) + 2:
                    counterpart = base[: -len(ending)] + other
                    if counterpart in self.baseforms(counterpart):
                        return (counterpart,)
        return ()

    def derived(self, word: str) -> tuple[str, ...]:
        """The words a word derives from: yksinäisyys from yksinäinen; for a compound, the
        compound of its last part's base (muistisairaus from muistisairas), not its parts'
        bases (näkö of näkövammaiset would find näkökulma)."""
        out: dict[str, None] = {}
        for base in self.baseforms(word):
            out.update(dict.fromkeys(self.verb_family(base)))
        for analysis in self._analyse(word):
            if analysis.get("STRUCTURE", "").count("=") == 1:
                out.update(dict.fromkeys(derivation_bases(analysis, privative_base=False)))
                continue
            segments = WORD_BASE_SEGMENT.findall(analysis.get("WORDBASES", ""))
            stems = [i for i, (_, base) in enumerate(segments) if not base.startswith("+")]
            if stems and stems[-1] < len(segments) - 1:
                last = stems[-1]
                head = "".join(surface for surface, _ in segments[:last])
                surface, base = segments[last]
                suffix = segments[last + 1][1]
                tail = surface + suffix[1:] if suffix in PRIVATIVE else base
                out[(head + tail).lower()] = None
        for base in list(out):
            out.update(dict.fromkeys(self.verb_family(base)))
        return tuple(b for b in out if b != word)

    def leaves(self, word: str) -> tuple[tuple[str, ...], ...]:
        """The parts of a compound, each with its base forms (a compound-forming ``-mis-``
        part reduced to its verb); empty for a word that is not a compound."""
        for analysis in self._analyse(word):
            parts = self._parts(word, analysis.get("STRUCTURE", ""))
            if len(parts) < 2:
                continue
            bases = derivation_bases(analysis)
            out: list[tuple[str, ...]] = []
            for part in parts:
                forms = self.baseforms(part) or tuple(
                    b for b in bases if _common_prefix(b, part) >= 4
                )
                out.append(tuple(dict.fromkeys([part, *forms])))
            return tuple(out)
        return ()

    def swedish_terms(self, word: str) -> tuple[str, ...]:
        """The stem of a Swedish word and of each part of it as a compound."""
        stems = [self.stem("sv", word)]
        for part in self.swedish.split(word):
            stems.append(self.stem("sv", part))
            # A part that is a compound of its own (hälsovård of skolhälsovården): its parts
            # too, so hälsa finds skolhälsovården.
            stems.extend(self.stem("sv", p) for p in self.swedish.split(part))
        return tuple(dict.fromkeys(s for s in stems if len(s) >= 3 or s == stems[0]))

    def _stem(self, language: str, word: str) -> str:
        stemmer = self._swedish if language == "sv" else self._english
        with self._stem_lock:
            stem = str(stemmer.stemWord(word))
        # Snowball keeps the doubled m of an -sam adjective's inflections (ensamma: ensamm,
        # ensam: ensam; gemensamma), so the base form and the inflected one would not meet.
        if language == "sv" and stem.endswith("mm"):
            stem = stem[:-1]
        return stem

    def _word_terms(self, word: str, language: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
        """(raw terms, lemma terms, the one base form for phrases) of one word of a text."""
        raw = tuple(raw_terms(word))
        if language == "fi":
            terms, primary = self.finnish_terms(word)
            return raw, terms, primary
        if language == "sv":
            terms = self.swedish_terms(word)
            return raw, terms, terms[0]
        stem = self.stem(language, word)
        return raw, (stem,), stem

    def analyse(self, text: str, language: str) -> AnalysedText:
        raw: list[str] = []
        lemma: list[str] = []
        seq: list[str] = []
        word_terms = self.word_terms
        matches = list(WORD.finditer(text))
        for i, match in enumerate(matches):
            word = match.group(0).lower()
            word_raw, word_lemma, primary = word_terms(word, language)
            raw.extend(word_raw)
            lemma.extend(word_lemma)
            seq.append(primary)
            if (
                text.startswith("-", match.end())
                and i + 2 < len(matches)
                and matches[i + 1].group(0).lower() in ELLIPSIS_CONJUNCTIONS
            ):
                lemma.extend(self.ellipsis_terms(word, matches[i + 2].group(0).lower(), language))
        return AnalysedText(raw=raw, lemma=lemma, seq=seq)

    def ellipsis_terms(self, first: str, following: str, language: str) -> tuple[str, ...]:
        """The compound a hyphenated first part makes with the head of the compound after the
        conjunction ("mielenterveys- ja päihdepalvelut": mielenterveyspalvelut; "hälso- och
        sjukvård": hälsovård), which the text means but never writes."""
        if language == "fi":
            for analysis in self._analyse(following):
                parts = self._parts(following, analysis.get("STRUCTURE", ""))
                if len(parts) >= 2:
                    return self.word_terms(first + parts[-1], language)[1]
            return ()
        if language == "sv":
            heads = self.swedish.split(following)
            return self.word_terms(first + heads[-1], language)[1] if heads else ()
        return ()

    def _query_word(self, word: str) -> QueryWord:
        lemmas = dict.fromkeys(self.baseforms(word))
        lemmas[self.stem("sv", word)] = None
        lemmas[self.stem("en", word)] = None
        lemmas[word] = None  # an unknown word may be indexed as itself in the lemma field
        leaves = self.leaves(word)
        single = {form for leaf in leaves for form in leaf}
        # Spans of two parts or more (mielenterveys of mielenterveyspalvelut); single parts
        # count only all together (leaves).
        parts = [
            t
            for t in self.finnish_terms(word)[0]
            if t not in lemmas and t not in single and len(t) >= 4 and "-" not in t
        ]
        derived = [b for b in self.derived(word) if b not in lemmas and len(b) >= 3]
        derived.extend(
            sorted({s for t in lemmas for s in SYNONYM_OF.get(t, ()) if s not in lemmas})
        )
        return QueryWord(
            raw=word,
            lemmas=tuple(lemmas),
            parts=tuple(parts),
            stopword=word in STOPWORDS,
            derived=tuple(derived),
            leaves=leaves,
        )

    def _highlight_terms(self, word: str) -> frozenset[str]:
        """Every term a word of a stored text matches as, in any language."""
        terms = {word, *raw_terms(word), *self.finnish_terms(word)[0]}
        terms.update(self.swedish_terms(word))
        terms.add(self.stem("en", word))
        return frozenset(terms)


def derivation_bases(analysis: dict[str, str], *, privative_base: bool = True) -> list[str]:
    """The words Voikko says a word is built from (``WORDBASES``), suffixes left out; before a
    privative suffix also the word with it (asunnottomuus: asunnoton and asunto, the same
    topic). ``privative_base=False`` leaves out the word a privative negates: a query for
    työttömät (jobless) should not rank every action about työ (work) next to them."""
    segments = WORD_BASE_SEGMENT.findall(analysis.get("WORDBASES", ""))
    out: list[str] = []
    for i, (surface, base) in enumerate(segments):
        if base.startswith("+"):
            continue
        following = segments[i + 1][1] if i + 1 < len(segments) else ""
        if following in PRIVATIVE:
            out.append((surface + following[1:]).lower())
            if not privative_base:
                continue
        if len(base) >= 3:
            out.append(base.lower())
    return out


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def join(terms: Iterable[str]) -> str:
    return " ".join(terms)


_shared: Analyser | None = None


def analyser() -> Analyser:
    global _shared
    if _shared is None:
        _shared = Analyser()
    return _shared
