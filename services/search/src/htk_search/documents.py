"""The index document of an action: analysed text, facet values and what a hit shows.

Built from the public snapshot, the organisations' read copies and the geography, identically for
every backend.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import Any

from htk_contracts.actions import PublicAction
from htk_contracts.catalogue import Organisation, PlanVersion
from htk_runtime.plan_codes import counted_codes
from htk_search import analysis
from htk_search import geography as geography_module
from htk_search.analysis import Analyser, join, words
from htk_search.geography import Geography

# Facet name (the query parameter) -> the values an action has.
# Filters on these also match national actions: a national action is found from every region.
AREA_FACETS = frozenset({"county", "municipality"})
TEXT_FIELDS = ("title_raw", "title_lemma", "title_seq", "body_raw", "body_lemma", "body_seq")
MAX_YEARS = 30
# The one value of the good-practice facet: the filter is "highlighted or not", nothing else.
GOOD_PRACTICE = "yes"


@dataclass(frozen=True)
class IndexDocument:
    action_id: str
    version: int
    text: dict[str, str]  # TEXT_FIELDS -> whitespace-separated terms
    facets: dict[str, list[str]]  # FACETS -> values
    national: bool
    updated_at: datetime
    suggest: str  # the title's words, for suggestions as you type
    # What a hit shows, as JSON: a stored document is read back and indexed without decoding
    # and encoding it again (a sixth of a rebuild's time in the interpreter).
    payload_json: str

    @cached_property
    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.payload_json)
        return payload


def active_years(action: PublicAction) -> list[str]:
    if action.start_date is None:
        return [str(action.published_at.year)]
    last = (
        action.end_date.year
        if action.end_date
        else max(action.start_date.year, action.updated_at.year)
    )
    first = action.start_date.year
    last = min(max(first, last), first + MAX_YEARS)
    return [str(y) for y in range(first, last + 1)]


_counted: dict[tuple[str, ...], frozenset[str]] = {}
_counted_plan: list[PlanVersion | None] = [None]


def _counted_codes(plan: PlanVersion | None, codes: tuple[str, ...]) -> frozenset[str]:
    """counted_codes, remembered per plan: actions name a few hundred combinations of codes,
    and resolving them walks the plan (a tenth of a rebuild's analysis time)."""
    if _counted_plan[0] is not plan or len(_counted) > 50_000:
        _counted.clear()
        _counted_plan[0] = plan
    key = tuple(sorted(set(codes)))
    found = _counted.get(key)
    if found is None:
        found = _counted[key] = frozenset(counted_codes(plan, key))
    return found


def build_document(
    action: PublicAction,
    organisations: Mapping[str, Organisation],
    geography: Geography,
    analyser: Analyser,
    plan: PlanVersion | None = None,
    good_practice: bool = False,
) -> IndexDocument:
    language = action.language.value
    # Facets count under the current plan (merged codes under their target, retired nowhere),
    # as coverage does; the payload keeps the codes the action was written with.
    counted = _counted_codes(plan, (*action.measures, *action.sub_goals, *action.priorities))
    by_level: dict[int, list[str]] = {0: [], 1: [], 2: []}
    for code in sorted(counted):
        by_level.setdefault(code.count("."), []).append(code)
    org_ids = [action.organisation_id, *action.partner_organisation_ids]
    orgs = [organisations[o] for o in org_ids if o in organisations]
    lead = organisations.get(action.organisation_id)
    body_parts = [
        action.summary,
        action.inequality_reduction,
        action.description or "",
        action.place_detail or "",
    ]
    title = analyser.analyse(action.title, language)
    body = analyser.analyse("\n".join(body_parts), language)
    # Organisation names are Finnish or Swedish whatever the action's language.
    names = analyser.analyse_name(" ".join(o.name_fi for o in orgs), "fi")
    names_sv = analyser.analyse_name(" ".join(o.name_sv or "" for o in orgs), "sv")
    counties = sorted(set(action.counties) | geography.counties_of(action.municipalities))
    municipalities = sorted(
        set(action.municipalities) | geography.municipalities_of(action.counties)
    )
    facets = {
        "priority": by_level[0],
        "sub_goal": by_level[1],
        "measure": by_level[2],
        "county": counties,
        "municipality": municipalities,
        "organisation_type": sorted({o.type.value for o in orgs}),
        "organisation": org_ids,
        "target_group": [t.value for t in action.target_groups],
        "inequality_dimension": [d.value for d in action.inequality_dimensions],
        "state": [action.state.value],
        "year": active_years(action),
        "language": [language],
        "good_practice": [GOOD_PRACTICE] if good_practice else [],
    }
    payload = {
        "action_id": action.action_id,
        "version": action.version,
        "title": action.title,
        "summary": action.summary,
        "inequality_reduction": action.inequality_reduction,
        # Not shown whole, but a hit found by a word of it shows a fragment (highlights).
        "description": action.description or None,
        "language": language,
        "state": action.state.value,
        "organisation_id": action.organisation_id,
        "organisation_name": lead.name_fi if lead else None,
        "partner_organisation_ids": list(action.partner_organisation_ids),
        "priorities": list(action.priorities),
        "sub_goals": list(action.sub_goals),
        "measures": list(action.measures),
        "national": action.national,
        "counties": list(action.counties),
        "municipalities": list(action.municipalities),
        "target_groups": facets["target_group"],
        "inequality_dimensions": facets["inequality_dimension"],
        "start_date": action.start_date.isoformat() if action.start_date else None,
        "end_date": action.end_date.isoformat() if action.end_date else None,
        "published_at": action.published_at.isoformat(),
        "updated_at": action.updated_at.isoformat(),
        "good_practice": good_practice,
    }
    return IndexDocument(
        action_id=action.action_id,
        version=action.version,
        text={
            "title_raw": join(title.raw),
            "title_lemma": join(title.lemma),
            "title_seq": join(title.seq),
            "body_raw": join([*body.raw, *names.raw, *names_sv.raw]),
            "body_lemma": join([*body.lemma, *names.lemma, *names_sv.lemma]),
            "body_seq": join(body.seq),
        },
        facets=facets,
        national=action.national,
        updated_at=action.updated_at,
        suggest=join(words(action.title)),
        payload_json=json.dumps(payload, ensure_ascii=False),
    )


# --- stored documents -----------------------------------------------------------------------
# The service keeps every action's document beside its snapshot, so a rebuild of the index (a
# lost volume, a new index schema) reads them instead of analysing every action again.


def document_form(analyser: Analyser, geography: Geography) -> str:
    """What a document is built with: the code that analyses and assembles it, the dictionaries
    and the places. A document stored in another form is built again from its action."""
    digest = hashlib.sha256()
    for module in (analysis, geography_module):
        digest.update(Path(str(module.__file__)).read_bytes())
    digest.update(Path(__file__).read_bytes())
    digest.update(analyser.dictionaries().encode())
    digest.update(json.dumps(geography.municipality_county, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def encode_document(doc: IndexDocument) -> bytes:
    fields = asdict(doc)
    fields["updated_at"] = doc.updated_at.isoformat()
    # Not compressed: zlib made the documents a third of the size, and a rebuild from them a
    # tenth slower (bench/results/search-speed.md).
    return json.dumps(fields, ensure_ascii=False).encode()


def decode_document(blob: bytes) -> IndexDocument:
    fields = json.loads(blob)
    fields["updated_at"] = datetime.fromisoformat(fields["updated_at"])
    return IndexDocument(**fields)
