"""The search service's core: builds documents and plans, checks filters, shapes answers.

Backend-neutral: the backends only store, match, rank, count and page.
"""

import re
from collections import Counter
from dataclasses import replace
from functools import cached_property
from typing import Any

from htk_contracts.actions import (
    ActionState,
    InequalityDimension,
    Language,
    PublicAction,
    TargetGroup,
)
from htk_contracts.catalogue import (
    Organisation,
    OrganisationType,
    PlanLevel,
    PlanNodeState,
    PlanVersion,
)
from htk_contracts.search import FACETS
from htk_search.analysis import MAX_SUGGESTIONS, STOPWORDS, Analyser, words
from htk_search.backends.base import QueryError, SearchBackend
from htk_search.documents import (
    AREA_FACETS,
    GOOD_PRACTICE,
    IndexDocument,
    build_document,
    document_form,
)
from htk_search.geography import Geography
from htk_search.highlight import fragment
from htk_search.query import (
    Plan,
    Sort,
    TermGroup,
    decode_cursor,
    encode_cursor,
    facet_plans,
    fingerprint,
    parse_text,
    weigh_corrections,
)
from htk_search.schemas import SearchHit, SearchResponse, SimilarActions, Suggestion

MAX_FILTER_VALUES = 50
# The text fields a hit's snippet may come from, the first preferred on a tie.
SNIPPET_FIELDS = ("summary", "inequality_reduction", "description")
ALWAYS_LISTED = ("county", "priority", "sub_goal", "measure")
SIMILAR_TERMS = 25
CODE_PATTERNS = {
    "priority": re.compile(r"^\d{1,2}$"),
    "sub_goal": re.compile(r"^\d{1,2}\.\d{1,2}$"),
    "measure": re.compile(r"^\d{1,2}\.\d{1,2}\.\d{1,2}$"),
}
PLAN_LEVELS = {
    "priority": PlanLevel.PRIORITY,
    "sub_goal": PlanLevel.SUB_GOAL,
    "measure": PlanLevel.MEASURE,
}
ENUMS: dict[str, frozenset[str]] = {
    "organisation_type": frozenset(t.value for t in OrganisationType),
    "target_group": frozenset(t.value for t in TargetGroup),
    "inequality_dimension": frozenset(d.value for d in InequalityDimension),
    "state": frozenset(s.value for s in ActionState),
    "language": frozenset(lang.value for lang in Language),
    "good_practice": frozenset({GOOD_PRACTICE}),
}


class SearchEngine:
    def __init__(self, backend: SearchBackend, analyser: Analyser, geography: Geography) -> None:
        self.backend = backend
        self.analyser = analyser
        self.geography = geography
        self.organisations: dict[str, Organisation] = {}
        self.plan: PlanVersion | None = None
        self._names_of: PlanVersion | None = None
        self._names: dict[str, str] = {}
        # Actions the coordinators highlight as good practices, kept by PracticeProjection; an
        # action highlighted before it is published gets the mark when it is indexed.
        self.good_practices: set[str] = set()

    @cached_property
    def form(self) -> str:
        """The form of this engine's documents (htk_search.documents.document_form)."""
        return document_form(self.analyser, self.geography)

    def document(self, action: PublicAction) -> IndexDocument:
        return build_document(
            action,
            self.organisations,
            self.geography,
            self.analyser,
            self.plan,
            good_practice=action.action_id in self.good_practices,
        )

    # --- filters ------------------------------------------------------------------------------

    def _known(self, facet: str) -> frozenset[str] | None:
        if facet in ENUMS:
            return ENUMS[facet]
        if facet == "county":
            return frozenset(self.geography.county_names)
        if facet == "municipality":
            return frozenset(self.geography.municipality_county)
        if facet == "organisation":
            return frozenset(self.organisations)
        if facet in PLAN_LEVELS and self.plan is not None:
            return frozenset(n.code for n in self.plan.nodes if n.level == PLAN_LEVELS[facet])
        return None

    def check_filters(self, filters: dict[str, list[str]]) -> dict[str, list[str]]:
        checked: dict[str, list[str]] = {}
        for facet, values in filters.items():
            if facet not in FACETS:
                raise QueryError(facet, f"There is no facet {facet!r}.")
            values = list(dict.fromkeys(v.strip() for v in values if v.strip()))
            if not values:
                continue
            if len(values) > MAX_FILTER_VALUES:
                raise QueryError(facet, f"At most {MAX_FILTER_VALUES} values per facet.")
            known = self._known(facet)
            for value in values:
                if facet == "year":
                    valid = value.isdigit() and 1990 <= int(value) <= 2100
                elif known is not None:
                    valid = value in known
                else:
                    valid = bool(CODE_PATTERNS[facet].match(value))
                if not valid:
                    raise QueryError(facet, f"Unknown value {value[:60]!r} for {facet}.")
            checked[facet] = values
        return checked

    def _label(self, facet: str, value: str) -> str | None:
        if facet == "county":
            return self.geography.county_names.get(value)
        if facet == "municipality":
            return self.geography.municipality_names.get(value)
        if facet == "organisation":
            org = self.organisations.get(value)
            return org.name_fi if org else None
        if facet in PLAN_LEVELS and self.plan is not None:
            return self._plan_names(self.plan).get(value)
        return None

    def _plan_names(self, plan: PlanVersion) -> dict[str, str]:
        # A search labels up to a few hundred plan codes: one dict per plan, not a walk
        # through the plan for each.
        if self._names_of is not plan:
            self._names = {node.code: node.name.fi for node in plan.nodes}
            self._names_of = plan
        return self._names

    # --- search -------------------------------------------------------------------------------

    def _hit(self, payload: dict[str, Any], score: float, terms: set[str]) -> SearchHit:
        """Marks in the title and each text field, and ``snippet``: the best fragment of the
        text fields, from whichever matched most (the description too: an action found by a
        word of its description shows where). An index built before the payload held the
        description shows its fragments after ``htk search reindex``."""
        marks: dict[str, str] = {}
        best: tuple[int, str] | None = None
        for name in ("title", *SNIPPET_FIELDS):
            found = fragment(self.analyser, payload.get(name) or "", terms, whole=name == "title")
            if not found:
                continue
            marks[name] = found[1]
            if name != "title" and (best is None or found[0] > best[0]):
                best = found
        if best is not None:
            marks["snippet"] = best[1]
        # The payload is this service's own, written by build_document and read back from the
        # index: constructed, not validated again (a hot path: 20 hits a search).
        return SearchHit.model_construct(**{**payload, "score": score, "highlights": marks})

    async def search(
        self,
        text: str,
        filters: dict[str, list[str]],
        *,
        sort: Sort | None = None,
        limit: int = 20,
        cursor: str | None = None,
        include_national: bool = False,
    ) -> SearchResponse:
        filters = self.check_filters(filters)
        groups, phrases = parse_text(self.analyser, text)
        groups = await self._correct_rare_words(groups)
        chosen: Sort = sort or ("relevance" if groups or phrases else "date")
        print_ = fingerprint(text, filters, chosen, include_national)
        state = decode_cursor(cursor, print_) if cursor else None
        plan = Plan(
            groups=groups,
            phrases=phrases,
            filters=filters,
            sort=chosen,
            include_national=include_national,
        )
        # Actions with every word rank first (ALL_WORDS_SCORE), those with some follow: answering
        # only with every word when some action has them all lowered recall@10 on the relevance
        # set from 0.939 to 0.930 (several words: 0.93 to 0.89), since an action often says one
        # of the words in other words.
        page = await self.backend.search(plan, limit=limit, state=state, facets=state is None)
        if state is None:
            if include_national:
                await self._count_national_in_places(plan, page.facets)
            self._list_every_value(page.facets)
        terms = plan.highlight_terms()
        # Facet counts are given as dicts: validating a few hundred small ones at once costs a
        # fifth of constructing each model. The hits are models already, not validated again.
        return SearchResponse.model_validate(
            {
                "total": page.total,
                "items": [self._hit(payload, score, terms) for payload, score in page.hits],
                "limit": limit,
                "facets": {
                    facet: [
                        {"value": value, "count": count, "label": self._label(facet, value)}
                        for value, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
                    ]
                    for facet, counts in page.facets.items()
                },
                "next_cursor": encode_cursor(print_, page.next_state) if page.next_state else None,
                "include_national": include_national,
            }
        )

    async def _correct_rare_words(self, groups: list[TermGroup]) -> list[TermGroup]:
        """A typo can make a valid but rare word (väkivala: väki + vala, for väkivalta) that
        Voikko does not correct. When such a word is in no action, the words one typo away
        that are in some are its corrections, the most frequent first, below exact matches."""
        known = [
            g
            for g in groups
            if not g.corrections
            and not g.fuzzy
            and len(g.raw) == 1
            and g.raw[0].isalpha()
            and len(g.raw[0]) >= 5
        ]
        if not known:
            return groups
        frequency = await self.backend.lemma_frequencies(
            sorted({t for g in known for t in (*g.lemmas, g.raw[0])})
        )
        fixed: dict[int, TermGroup] = {}
        for group in known:
            if any(frequency.get(t, 0) for t in (*group.lemmas, group.raw[0])):
                continue
            edits = self.analyser.one_edit_words(group.raw[0])
            bases = {e: self.analyser.baseforms(e) for e in edits}
            found = await self.backend.lemma_frequencies(
                sorted({b for forms in bases.values() for b in forms})
            )
            ranked = sorted(
                (e for e in edits if any(found.get(b, 0) for b in bases[e])),
                key=lambda e: -max(found.get(b, 0) for b in bases[e]),
            )[:MAX_SUGGESTIONS]
            if ranked:
                weighted = weigh_corrections(self.analyser, ranked, set(group.lemmas))
                fixed[id(group)] = replace(group, corrections=weighted)
        return [fixed.get(id(g), g) for g in groups]

    async def _count_national_in_places(
        self, plan: Plan, facets: dict[str, dict[str, int]]
    ) -> None:
        """With national actions included, choosing a place finds its own actions and every
        national one, so its count must say so: count(v) = own(v) + national - national(v),
        each under the filters that facet is counted with (a national action may also name
        the place, and must not be counted twice)."""
        national = await self.backend.search(
            replace(plan, national_only=True), limit=1, state=None, facets=True
        )
        for part, names in facet_plans(plan):
            places = [name for name in names if name in AREA_FACETS]
            if not places:
                continue
            everywhere = (
                await self.backend.search(
                    replace(part, national_only=True), limit=1, state=None, facets=False
                )
            ).total
            for name in places:
                own = facets.setdefault(name, {})
                named = national.facets.get(name, {})
                for value in self._known(name) or ():
                    count = own.get(value, 0) + everywhere - named.get(value, 0)
                    if count:
                        own[value] = count

    def _list_every_value(self, facets: dict[str, dict[str, int]]) -> None:
        """Every county and every node of the plan is listed, with 0 where nothing matches:
        a place or a sub-goal without actions is an answer too, and must stay choosable."""
        for name in ALWAYS_LISTED:
            if name not in facets:
                continue
            for value in self._listed(name):
                facets[name].setdefault(value, 0)

    def _listed(self, facet: str) -> frozenset[str]:
        """The values a facet always lists: of the plan only its active nodes (a retired or
        merged node's actions count elsewhere)."""
        if facet in PLAN_LEVELS:
            if self.plan is None:
                return frozenset()
            return frozenset(
                n.code
                for n in self.plan.nodes
                if n.level == PLAN_LEVELS[facet] and n.state == PlanNodeState.ACTIVE
            )
        return self._known(facet) or frozenset()

    def _telling_terms(self, texts: list[tuple[str, int]], language: str) -> list[TermGroup]:
        counts: Counter[str] = Counter()
        for text, weight in texts:
            for term in self.analyser.analyse(text, language).lemma:
                if len(term) >= 3 and term not in STOPWORDS and not term.isdigit():
                    counts[term] += weight
        return [
            TermGroup(raw=(), lemmas=(term,), fuzzy=0)
            for term, _ in counts.most_common(SIMILAR_TERMS)
        ]

    async def _similar(self, plan: Plan, limit: int) -> SimilarActions:
        page = await self.backend.search(plan, limit=limit, state=None, facets=False)
        terms = plan.highlight_terms()
        return SimilarActions(total=page.total, hits=[self._hit(p, s, terms) for p, s in page.hits])

    async def similar(self, action: PublicAction, limit: int) -> SimilarActions:
        """Actions sharing the most telling words and the same measures and target groups."""
        texts = [(action.title, 2), (action.summary, 1), (action.inequality_reduction, 1)]
        plan = Plan(
            groups=self._telling_terms(texts, action.language.value),
            exclude_ids=[action.action_id],
            facet_boosts={
                "measure": (list(action.measures), 1.0),
                "sub_goal": (list(action.sub_goals), 0.5),
                "target_group": ([t.value for t in action.target_groups], 0.5),
            },
        )
        return await self._similar(plan, limit)

    async def similar_to_text(
        self,
        text: str,
        exclude: list[str],
        limit: int,
        language: str = "fi",
        measures: list[str] | None = None,
    ) -> SimilarActions:
        """Actions like a text not yet published (a draft, to spot duplicates), analysed in
        the draft's language; sharing its measures counts too."""
        plan = Plan(
            groups=self._telling_terms([(text, 1)], language),
            exclude_ids=exclude,
            facet_boosts={"measure": (list(measures or []), 1.0)} if measures else {},
        )
        if not plan.groups:
            return SimilarActions(total=0, hits=[])
        return await self._similar(plan, limit)

    async def suggest(self, text: str, limit: int) -> list[Suggestion]:
        typed = words(text)
        if not typed:
            return []
        out = [Suggestion(text=t, kind="title") for t in await self.backend.suggest(typed, limit)]

        def matches(name: str) -> bool:
            name_words = words(name)
            return all(any(w.startswith(t) for w in name_words) for t in typed)

        orgs = sorted(
            (
                o
                for o in self.organisations.values()
                if matches(o.name_fi) or matches(o.name_sv or "")
            ),
            key=lambda o: o.name_fi,
        )
        out += [
            Suggestion(text=o.name_fi, kind="organisation", value=o.organisation_id)
            for o in orgs[:limit]
        ]
        if self.plan is not None:
            measures = [
                n
                for n in self.plan.nodes
                if n.level == PlanLevel.MEASURE
                and (matches(n.name.fi) or matches(n.name.sv) or matches(n.name.en))
            ]
            out += [
                Suggestion(text=n.name.fi, kind="measure", value=n.code) for n in measures[:limit]
            ]
        return out
