"""Behaviour every backend shares: the same cases run on tantivy and on Elasticsearch."""

from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import tantivy

from htk_contracts.actions import PublicAction
from htk_contracts.catalogue import Organisation
from htk_search.backends.base import QueryError, SearchBackend
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_search.documents import IndexDocument
from htk_search.engine import SearchEngine
from htk_search.schemas import SearchResponse
from htk_testing.search import engine_for, public_action

ORGS = {
    "org-oulu": Organisation(
        organisation_id="org-oulu", name_fi="Oulun kaupunki", type="municipality", status="approved"
    ),  # type: ignore[arg-type]
    "org-mll": Organisation(
        organisation_id="org-mll",
        name_fi="Mannerheimin Lastensuojeluliitto",
        type="ngo",
        status="approved",
    ),  # type: ignore[arg-type]
}


def sample_actions() -> list[PublicAction]:
    base = datetime(2025, 1, 1, tzinfo=UTC)
    return [
        public_action(
            "a-oulu",
            title="Yksinäisyyden torjunta Oulussa",
            municipalities=["564"],
            when=base,
            target_groups=["older_people"],
            start_date=date(2024, 3, 1),
        ),
        public_action(
            "a-county",
            title="Yksinäisyys kotihoidon asiakkailla",
            counties=["19"],
            when=base + timedelta(days=1),
            measures=["1.1.1", "3.1.1"],
            state="planned",
        ),
        public_action(
            "a-national",
            title="Valtakunnallinen yksinäisyyden ehkäisy",
            national=True,
            org="org-mll",
            when=base + timedelta(days=2),
        ),
        public_action(
            "a-helsinki",
            title="Yksinäisyys Helsingissä",
            municipalities=["091"],
            when=base + timedelta(days=3),
            measures=["2.1.2"],
        ),
        public_action(
            "a-other",
            title="Liikuntapaikat kouluille",
            municipalities=["564"],
            when=base + timedelta(days=4),
            measures=["2.1.2"],
            summary="Pumptrack ja ulkokuntosalit",
        ),
    ]


async def indexed(backend: SearchBackend) -> SearchEngine:
    engine = engine_for(backend, ORGS)
    for action in sample_actions():
        await backend.upsert(engine.document(action))
    return engine


async def documents_of(
    engine: SearchEngine, actions: list[PublicAction]
) -> AsyncIterator[IndexDocument]:
    for action in actions:
        yield engine.document(action)


def ids(result) -> set[str]:  # type: ignore[no-untyped-def]
    return {hit.action_id for hit in result.items}


async def test_facet_filters_and_counts(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    result = await engine.search("yksinäisyys", {})
    assert ids(result) == {"a-oulu", "a-county", "a-national", "a-helsinki"}
    counts = {f.value: f.count for f in result.facets["measure"] if f.count}
    assert counts == {"1.1.1": 3, "3.1.1": 1, "2.1.2": 1}
    # Every measure of the plan is listed, those without actions with 0.
    assert {f.value for f in result.facets["measure"]} == {
        n.code for n in engine.plan.nodes if n.level == "measure"
    }
    assert {f.value: f.count for f in result.facets["organisation_type"]} == {
        "municipality": 3,
        "ngo": 1,
    }
    labels = {f.value: f.label for f in result.facets["county"]}
    assert labels["19"] == "Pohjois-Pohjanmaan hyvinvointialue"

    planned = await engine.search("yksinäisyys", {"state": ["planned"]})
    assert ids(planned) == {"a-county"}
    combined = await engine.search("", {"measure": ["2.1.2"], "municipality": ["564"]})
    assert ids(combined) == {"a-other"}
    by_type = await engine.search("", {"organisation_type": ["ngo"]})
    assert ids(by_type) == {"a-national"}
    by_year = await engine.search("", {"year": ["2024"]})
    assert ids(by_year) == {"a-oulu"}


async def test_a_facet_is_counted_without_its_own_filter(backend: SearchBackend) -> None:
    """Choosing "planned" must still show how many are ongoing, or nobody could add a second
    value; the other facets are counted under every filter."""
    engine = await indexed(backend)

    def counts(result: SearchResponse, facet: str) -> dict[str, int]:
        return {f.value: f.count for f in result.facets[facet] if f.count}

    planned = await engine.search("yksinäisyys", {"state": ["planned"]})
    assert ids(planned) == {"a-county"}
    assert planned.total == 1
    assert counts(planned, "state") == {"ongoing": 3, "planned": 1}
    assert counts(planned, "measure") == {"1.1.1": 1, "3.1.1": 1}

    filters = {"organisation_type": ["ngo"], "state": ["ongoing"]}
    both = await engine.search("yksinäisyys", filters)
    assert ids(both) == {"a-national"}
    assert counts(both, "organisation_type") == {"municipality": 2, "ngo": 1}
    assert counts(both, "state") == {"ongoing": 1}

    # Later pages keep every filter (they carry no facets).
    seen: list[str] = []
    cursor = None
    while True:
        page = await engine.search("", {"state": ["ongoing"]}, limit=1, cursor=cursor)
        seen += [hit.action_id for hit in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(seen) == ["a-helsinki", "a-national", "a-other", "a-oulu"]


async def test_a_county_action_counts_for_its_municipalities_and_national_only_when_asked(
    backend: SearchBackend,
) -> None:
    engine = await indexed(backend)
    oulu = await engine.search("yksinäisyys", {"municipality": ["564"]})
    assert ids(oulu) == {"a-oulu", "a-county"}
    assert not oulu.include_national
    muhos = await engine.search("yksinäisyys", {"municipality": ["494"]})  # in county 19
    assert ids(muhos) == {"a-county"}
    county = await engine.search("yksinäisyys", {"county": ["19"]})
    assert ids(county) == {"a-oulu", "a-county"}

    def national(facets: dict[str, list[str]]) -> "Awaitable[SearchResponse]":
        return engine.search("yksinäisyys", facets, include_national=True)

    assert ids(await national({"municipality": ["564"]})) == {"a-oulu", "a-county", "a-national"}
    assert ids(await national({"municipality": ["494"]})) == {"a-county", "a-national"}
    assert ids(await national({"county": ["90"]})) == {"a-helsinki", "a-national"}
    assert ids(await national({"county": ["19"]})) == {"a-oulu", "a-county", "a-national"}


@pytest.mark.parametrize("include_national", [False, True])
async def test_a_place_count_is_what_choosing_it_finds(
    backend: SearchBackend, include_national: bool
) -> None:
    """Every county and municipality listed with a count finds exactly that many actions when
    chosen, under the other filters (here a text and a chosen county for the municipalities)."""
    engine = await indexed(backend)
    for text, base in [("", {}), ("yksinäisyys", {}), ("", {"county": ["19"]})]:
        listing = await engine.search(text, base, include_national=include_national)
        for facet in ("county", "municipality"):
            for item in listing.facets[facet]:
                chosen = {**base, facet: [item.value]}
                found = await engine.search(
                    text, chosen, include_national=include_national, limit=100
                )
                assert found.total == item.count, (text, base, facet, item.value)


async def test_every_county_is_listed(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    result = await engine.search("", {"organisation_type": ["ngo"]})
    counties = {f.value: f.count for f in result.facets["county"]}
    assert len(counties) == len(engine.geography.county_names)
    assert counties["90"] == 0


async def test_unknown_facet_values_name_the_parameter(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    for facet, value in [
        ("municipality", "999"),
        ("state", "sleeping"),
        ("measure", "9.9.9"),
        ("organisation", "org-nobody"),
        ("year", "20x4"),
    ]:
        with pytest.raises(QueryError) as caught:
            await engine.search("", {facet: [value]})
        assert caught.value.parameter == facet
    with pytest.raises(QueryError) as caught:
        await engine.search('"unclosed', {})
    assert caught.value.parameter == "q"


async def test_sort_by_date_and_relevance(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    newest = await engine.search("", {}, sort="date")
    assert [h.action_id for h in newest.items] == [
        "a-other",
        "a-helsinki",
        "a-national",
        "a-county",
        "a-oulu",
    ]
    relevant = await engine.search("yksinäisyys", {}, sort="relevance")
    scores = [h.score for h in relevant.items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0


async def test_highlights_mark_inflected_forms(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    result = await engine.search("yksinäisyys", {"municipality": ["564"]})
    by_id = {h.action_id: h for h in result.items}
    assert by_id["a-oulu"].highlights["title"] == "<mark>Yksinäisyyden</mark> torjunta Oulussa"


async def test_a_hit_in_the_description_shows_its_fragment(backend: SearchBackend) -> None:
    """The snippet comes from whichever text field matched most, the description included; an
    action indexed before the payload held its description still answers, without it."""
    engine = engine_for(backend, ORGS)
    description = (
        "Toiminta alkoi kokeiluna kahdessa koulussa. " * 6
        + "Mukana ovat myös näkövammaiset oppilaat, joille materiaalit tehdään pistekirjoituksella."
        + " Ohjaajat koulutetaan keväällä." * 4
    )
    action = public_action(
        "a-described",
        title="Kerhot kaikille",
        summary="Kerhoja koulun jälkeen.",
        description=description,
    )
    await backend.upsert(engine.document(action))
    hit = (await engine.search("näkövammaiset", {})).items[0]
    assert hit.action_id == "a-described"
    snippet = hit.highlights["snippet"]
    assert "<mark>näkövammaiset</mark>" in snippet and len(snippet) < 260
    assert hit.highlights["description"] == snippet and "summary" not in hit.highlights
    # A document from an older index: the payload without the description.
    old = engine.document(public_action("a-old", title="Näkövammaiset kerhoissa"))
    old.payload.pop("description")
    await backend.upsert(old)
    found = {h.action_id: h for h in (await engine.search("näkövammaiset", {})).items}
    assert found["a-old"].highlights.get("title") and "snippet" not in found["a-old"].highlights


async def test_phrases_and_typos(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    assert ids(await engine.search('"yksinäisyyden torjunta"', {})) == {"a-oulu"}
    assert ids(await engine.search('"torjunta yksinäisyyden"', {})) == set()
    assert "a-other" in ids(await engine.search("liikuntapaikta", {}))  # one letter wrong
    assert "a-other" in ids(await engine.search("ulkokuntosali", {}))  # compound, base form


async def test_every_word_of_the_query_ranks_above_some_of_them(backend: SearchBackend) -> None:
    """One word repeated in a title must not outrank an action with both words asked for."""
    engine = engine_for(backend, ORGS)
    for action in [
        public_action(
            "a-one-word",
            title="Liikuntaa, liikuntaa ja liikuntaa",
            summary="Liikuntaryhmiä kaiken ikäisille liikunnan ystäville.",
        ),
        public_action(
            "a-both",
            title="Kerhotoimintaa lähiössä",
            summary="Maksuton liikuntakerho maahanmuuttajanaisille.",
        ),
    ]:
        await backend.upsert(engine.document(action))
    result = await engine.search("liikunta maahanmuuttajanaiset", {})
    assert [hit.action_id for hit in result.items] == ["a-both", "a-one-word"]


async def test_words_near_each_other_rank_first(backend: SearchBackend) -> None:
    """Both actions have both words; the one where they stand together comes first, in Finnish
    and in Swedish, whichever is indexed first."""
    engine = engine_for(backend, ORGS)
    for action in [
        public_action(
            "a-apart",
            title="Nuorten kesäleirit",
            summary="Leirillä liikutaan ja syödään hyvin. Mukana on myös maksuton hammashoito "
            "tarkastuksineen, ja lopuksi pidetään retki.",
        ),
        public_action(
            "a-near",
            title="Hammashoito ja suun terveys",
            summary="Nuorten hammashoito järjestetään kouluilla.",
        ),
        public_action(
            "a-sv-apart",
            lang="sv",
            title="Äldre i byarna",
            summary="Byarna ordnar träffar, och tandvård finns i centrum.",
        ),
        public_action(
            "a-sv-near",
            lang="sv",
            title="Tandvård för äldre",
            summary="Tandvården besöker hemmen.",
        ),
    ]:
        await backend.upsert(engine.document(action))
    finnish = await engine.search("nuorten hammashoito", {})
    assert [hit.action_id for hit in finnish.items] == ["a-near", "a-apart"]
    swedish = await engine.search("äldre tandvård", {})
    assert [hit.action_id for hit in swedish.items] == ["a-sv-near", "a-sv-apart"]


async def test_misspellings_are_corrected_closest_first(backend: SearchBackend) -> None:
    """A letter missing in a long word and "a" typed for "ä" find the word; an exact match
    still ranks above a corrected one."""
    engine = engine_for(backend, ORGS)
    for action in [
        public_action("a-services", title="Mielenterveyspalvelut nuorille"),
        public_action("a-drugs", title="Päihteet ja nuoret"),
    ]:
        await backend.upsert(engine.document(action))
    assert ids(await engine.search("mielenterveyspalvlut", {})) == {"a-services"}
    assert ids(await engine.search("paihteet", {})) == {"a-drugs"}
    exact = await engine.search("päihteet", {})
    corrected = await engine.search("paihteet", {})
    assert exact.items[0].score > corrected.items[0].score


async def test_cursor_pages_stay_stable_while_the_index_changes(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    first = await engine.search("", {}, sort="date", limit=2)
    assert first.total == 5 and first.next_cursor
    # A new action and a withdrawal arrive between pages.
    await backend.upsert(
        engine.document(public_action("a-new", title="Uusi", when=datetime(2030, 1, 1, tzinfo=UTC)))
    )
    await backend.delete("a-county")
    seen = [h.action_id for h in first.items]
    cursor = first.next_cursor
    while cursor:
        page = await engine.search("", {}, sort="date", limit=2, cursor=cursor)
        seen += [h.action_id for h in page.items]
        cursor = page.next_cursor
    assert seen == ["a-other", "a-helsinki", "a-national", "a-county", "a-oulu"]
    with pytest.raises(QueryError) as caught:
        await engine.search("yksinäisyys", {}, sort="date", limit=2, cursor=first.next_cursor)
    assert caught.value.parameter == "cursor"
    with pytest.raises(QueryError):
        await engine.search("", {}, sort="date", cursor="not-a-cursor")


async def test_similar_actions_and_suggestions(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    source = public_action(
        "a-source", title="Yksinäisyyden torjunta ikäihmisille", municipalities=["564"]
    )
    similar = await engine.similar(source, 3)
    assert similar.hits and similar.hits[0].action_id == "a-oulu"
    assert "a-source" not in {hit.action_id for hit in similar.hits}
    suggestions = await engine.suggest("yksinäisyyden to", 5)
    assert ("Yksinäisyyden torjunta Oulussa", "title") in [(s.text, s.kind) for s in suggestions]
    orgs = await engine.suggest("mannerh", 5)
    assert [(s.value, s.kind) for s in orgs] == [("org-mll", "organisation")]
    measures = await engine.suggest("ikäihmisten kohtaa", 5)
    assert ("1.1.1", "measure") in [(s.value, s.kind) for s in measures]


async def test_rebuild_equals_the_live_index(backend: SearchBackend) -> None:
    engine = await indexed(backend)
    live = await backend.versions()
    live_facets = (await engine.search("", {})).facets
    live_hits = [h.action_id for h in (await engine.search("yksinäisyys", {})).items]
    done: list[int] = []
    count = await backend.rebuild(documents_of(engine, sample_actions()), done.append)
    assert count == len(live) == 5 and done[-1] == 5
    assert await backend.versions() == live
    assert (await engine.search("", {})).facets == live_facets
    assert [h.action_id for h in (await engine.search("yksinäisyys", {})).items] == live_hits
    # The switched index takes writes.
    await backend.delete("a-oulu")
    assert "a-oulu" not in await backend.versions()


async def test_a_tantivy_index_of_an_older_schema_is_set_aside(tmp_path: Path) -> None:
    """An index made before a facet was added (good_practice) cannot be opened with the new
    schema: a new, empty generation serves and the backend says it is stale (the service then
    queues a reindex from its read copies)."""
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("action_id", stored=True)
    (tmp_path / "gen-old").mkdir()
    tantivy.Index(builder.build(), path=str(tmp_path / "gen-old"))
    (tmp_path / "CURRENT").write_text("gen-old")
    backend = TantivyBackend(tmp_path)
    assert backend.stale and (tmp_path / "CURRENT").read_text() != "gen-old"
    engine = engine_for(backend)
    await backend.upsert(engine.document(public_action("s1", title="Uusi indeksi")))
    assert [h.action_id for h in (await engine.search("indeksi", {})).items] == ["s1"]
    await backend.close()
    assert not TantivyBackend(tmp_path).stale


def test_a_stored_document_reads_back_equal(tmp_path: Path) -> None:
    from htk_search.documents import decode_document, encode_document

    engine = engine_for(TantivyBackend(tmp_path), {})
    for action in sample_actions():
        doc = engine.document(action)
        assert decode_document(encode_document(doc)) == doc
