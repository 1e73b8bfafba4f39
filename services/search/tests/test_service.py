"""The search service over HTTP: projection of events, catalogue read copies, reindex, errors.

Runs against the session's SecantusDB (read copies) and each backend.
"""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from htk_cli.search import reindex as cli_reindex
from htk_contracts.actions import Language
from htk_contracts.catalogue import Organisation
from htk_contracts.community_news import (
    EVENT_ANNOUNCED,
    EVENT_CANCELLED,
    NEWS_PUBLISHED,
    NEWS_UPDATED,
    NEWS_WITHDRAWN,
    PRACTICE_HIGHLIGHTED,
    CommunityEvent,
    EventKind,
    EventState,
    NewsItem,
    NewsState,
    NewsText,
    PracticeHighlighted,
)
from htk_contracts.envelope import Envelope
from htk_contracts.topics import Topic
from htk_runtime.service import Service
from htk_runtime.versions import VersionLedger
from htk_search.backends.tantivy_backend import TantivyBackend
from htk_search.community import CommunitySearch
from htk_search.main import create_service, index_name
from htk_search.projection import ActionProjection, PracticeProjection
from htk_search.reindex import job_status, queue_job
from htk_search.settings import SearchSettings
from htk_search.store import ReadCopies
from htk_testing.runtime import BrokerTier, eventually, received, running
from htk_testing.search import DATA_DIR, engine_for, envelope, public_action


@pytest.fixture(params=["tantivy", "elasticsearch"])
async def search_service(
    request: pytest.FixtureRequest,
    service_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> AsyncIterator[tuple[Service, httpx.AsyncClient]]:
    monkeypatch.setenv("HTK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("HTK_SEARCH_DATA_DIR", str(DATA_DIR))
    monkeypatch.setenv("HTK_REINDEX_POLL_SECONDS", "0.1")
    monkeypatch.setenv("HTK_SEARCH_BACKEND", request.param)
    # Fed directly here; test_events_from_the_broker_are_searchable covers the consumer.
    monkeypatch.setenv("HTK_SEARCH_CONSUME_EVENTS", "false")
    if request.param == "elasticsearch":
        monkeypatch.setenv("HTK_ELASTICSEARCH_URL", request.getfixturevalue("elasticsearch_url"))
        monkeypatch.setenv("HTK_ELASTICSEARCH_INDEX", f"svc-{uuid.uuid4().hex[:8]}")
    service = create_service()
    async with running(service.app()) as client:
        yield service, client


def organisation_event(org: Organisation, version: int) -> Envelope[dict[str, Any]]:
    return received(
        "/catalogue", "fi.htk.organisation.changed.v1", org.organisation_id, version, org
    )


async def test_the_index_follows_action_versions(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = search_service
    projection = service.ctx().state["projection"]

    async def titles(q: str) -> list[str]:
        body = (await client.get("/search", params={"q": q})).json()
        return [h["title"] for h in body["items"]]

    await projection.apply(
        envelope("published", public_action("a1", version=1, title="Liikuntaa nuorille"))
    )
    await projection.apply(
        envelope("updated", public_action("a1", version=3, title="Liikuntaa kaikille nuorille"))
    )
    await projection.apply(
        envelope("updated", public_action("a1", version=2, title="Vanhentunut otsikko"))
    )
    await projection.apply(
        envelope("updated", public_action("a1", version=3, title="Liikuntaa kaikille nuorille"))
    )
    assert await titles("liikunta") == ["Liikuntaa kaikille nuorille"]
    assert await titles("vanhentunut") == []

    await projection.apply(envelope("withdrawn", action_id="a1", version=4))
    assert await titles("liikunta") == []
    await projection.apply(
        envelope("published", public_action("a1", version=3, title="Liikuntaa kaikille nuorille"))
    )
    assert await titles("liikunta") == []
    assert await service.ctx().state["store"].get_action("a1") is None


async def test_organisation_changes_reach_indexed_actions(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = search_service
    projection = service.ctx().state["projection"]
    catalogue = service.ctx().state["catalogue"]
    await projection.apply(
        envelope("published", public_action("a2", title="Perhekahvila", org="org-x"))
    )
    unknown_yet = (await client.get("/search", params={"organisation_type": "ngo"})).json()
    assert unknown_yet["total"] == 0
    org = Organisation(
        organisation_id="org-x", name_fi="Lähiön perheyhdistys", type="ngo", status="approved"
    )  # type: ignore[arg-type]
    await catalogue.apply_organisation(organisation_event(org, 1))
    body = (
        await client.get("/search", params={"organisation_type": "ngo", "organisation": "org-x"})
    ).json()
    assert [h["action_id"] for h in body["items"]] == ["a2"]
    assert body["items"][0]["organisation_name"] == "Lähiön perheyhdistys"
    by_name = (await client.get("/search", params={"q": "perheyhdistys"})).json()
    assert [h["action_id"] for h in by_name["items"]] == ["a2"]
    suggestions = (await client.get("/suggest", params={"q": "lähiön"})).json()["suggestions"]
    assert {"text": "Lähiön perheyhdistys", "kind": "organisation", "value": "org-x"} in suggestions


async def test_reindex_job_rebuilds_an_equal_index(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = search_service
    ctx = service.ctx()
    projection = ctx.state["projection"]
    for n in range(12):
        await projection.apply(
            envelope("published", public_action(f"r{n}", title=f"Yksinäisyyden torjunta {n}"))
        )
    await projection.apply(envelope("withdrawn", action_id="r3", version=2))
    backend = ctx.state["engine"].backend
    live = await backend.versions()
    before = (await client.get("/search", params={"q": "yksinäisyys", "limit": 100})).json()

    job_id = await queue_job(ctx.state["store"])
    job = await eventually(lambda: _finished(ctx.state["store"], job_id), timeout=30)
    assert (
        job["state"] == "done" and job["count"] == 11 and job["total"] == 11 and job["done"] == 11
    )
    assert await backend.versions() == live
    after = (await client.get("/search", params={"q": "yksinäisyys", "limit": 100})).json()
    assert after["total"] == before["total"] == 11
    assert {h["action_id"] for h in after["items"]} == {h["action_id"] for h in before["items"]}
    assert after["facets"] == before["facets"]


async def test_a_rebuild_replays_stored_documents_and_analyses_only_a_new_form(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    service, client = search_service
    ctx = service.ctx()
    projection, store, engine = ctx.state["projection"], ctx.state["store"], ctx.state["engine"]
    for n in range(6):
        await projection.apply(
            envelope("published", public_action(f"s{n}", title=f"Kotoutumisen tuki {n}"))
        )
    await projection.apply(envelope("withdrawn", action_id="s2", version=2))
    live = await engine.backend.versions()
    before = (await client.get("/search", params={"q": "kotoutuminen"})).json()
    # The service started on an empty store: every document it indexed is stored.
    assert await store.complete_form() == engine.form
    stored = await _stored_forms(store)
    assert stored == {f"s{n}": engine.form for n in (0, 1, 3, 4, 5)}

    def no_analysis(action: Any) -> Any:
        raise AssertionError(f"{action.action_id} was analysed again")

    analyse = engine.document
    engine.document = no_analysis
    try:
        assert await _rebuilt(store) == 5
    finally:
        engine.document = analyse
    assert await engine.backend.versions() == live
    after = (await client.get("/search", params={"q": "kotoutuminen"})).json()
    # The same hits, counts and highlights (scores move: the live index still counts s2).
    assert _unscored(after) == _unscored(before) and after["facets"] == before["facets"]

    # A document written by a service of another version is built again from its action.
    await store.put_document("s4", "older", b"not a document of this form")
    assert await _rebuilt(store) == 5
    assert set((await _stored_forms(store)).values()) == {engine.form}

    # Another form (an upgrade that analyses differently): every action is analysed again,
    # and its documents replace the stored ones.
    engine.__dict__["form"] = "next-form"
    analysed: list[str] = []

    def counting(action: Any) -> Any:
        analysed.append(action.action_id)
        return analyse(action)

    engine.document = counting
    assert await _rebuilt(store) == 5
    assert sorted(analysed) == ["s0", "s1", "s3", "s4", "s5"]
    assert await store.complete_form() == "next-form"
    assert await _stored_forms(store) == {f"s{n}": "next-form" for n in (0, 1, 3, 4, 5)}
    again = (await client.get("/search", params={"q": "kotoutuminen"})).json()
    assert _unscored(again) == _unscored(before)


def _unscored(body: dict[str, Any]) -> list[dict[str, Any]]:
    return sorted(
        ({k: v for k, v in h.items() if k != "score"} for h in body["items"]),
        key=lambda h: h["action_id"],
    )


async def _stored_forms(store: Any) -> dict[str, str]:
    """action id -> form of every stored document."""
    return {i: form async for batch in store.stored_document_batches() for i, form, _ in batch}


async def _rebuilt(store: Any) -> int:
    job_id = await queue_job(store)
    job = await eventually(lambda: _finished(store, job_id), timeout=30)
    assert job["state"] == "done", job
    return int(job["count"])


async def _finished(store: Any, job_id: str) -> dict[str, Any] | None:
    job = await job_status(store, job_id)
    return job if job and job["state"] in ("done", "failed") else None


async def test_user_input_errors_are_422_naming_the_parameter(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    _, client = search_service
    cases = [
        ({"q": '"unclosed'}, "q"),
        ({"limit": 1000}, "limit"),
        ({"limit": 0}, "limit"),
        ({"sort": "random"}, "sort"),
        ({"municipality": "000"}, "municipality"),
        ({"measure": "1.1"}, "measure"),
        ({"target_group": "aliens"}, "target_group"),
        ({"year": "next"}, "year"),
        ({"cursor": "!!!"}, "cursor"),
        ({"q": "x" * 501}, "q"),
        ({"q": " ".join(["sana"] * 40)}, "q"),
    ]
    for params, field in cases:
        response = await client.get("/search", params=params)
        assert response.status_code == 422, (params, response.text)
        assert response.json()["errors"][0]["field"] == field, params
    for weird in ["*", "AND OR", "title:", "((", "\\", "ä-ö-", "'", "-", "~2", "🙂"]:
        response = await client.get("/search", params={"q": weird})
        assert response.status_code == 200, (weird, response.text)
    too_long = await client.post("/similar", json={"text": "x", "limit": 500})
    assert too_long.json()["errors"][0]["field"] == "limit"
    missing = await client.get("/actions/nope/similar")
    assert missing.status_code == 404
    assert (await client.get("/suggest", params={"limit": 99})).json()["errors"][0][
        "field"
    ] == "limit"


async def test_events_from_the_broker_are_searchable(
    broker_tier: BrokerTier,
    tier_service_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTK_SEARCH_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("HTK_SEARCH_DATA_DIR", str(DATA_DIR))
    service = create_service()
    async with (
        broker_tier.around_service(service.broker) as producer,
        running(service.app()) as client,
    ):
        org = Organisation.model_validate(
            {
                "organisation_id": "org-k",
                "name_fi": "Kylätoimikunta",
                "type": "ngo",
                "status": "approved",
            }
        )
        events = [
            (Topic.CATALOGUE_ORGANISATIONS, organisation_event(org, 1)),
            (
                Topic.SUBMISSIONS_ACTIONS,
                envelope("published", public_action("k1", title="Kyläkahvila", org="org-k")),
            ),
        ]
        for topic, event in events:
            await producer.publish(
                event.model_dump_json().encode(), topic, key=event.subject.encode()
            )

        async def found() -> dict[str, Any] | None:
            body = (
                await client.get("/search", params={"q": "kyläkahvila", "organisation_type": "ngo"})
            ).json()
            return body if body["total"] == 1 else None

        body = await eventually(found, timeout=30)
        assert body["items"][0]["organisation_name"] == "Kylätoimikunta"


async def test_htk_search_reindex_shows_progress_and_count(
    search_service: tuple[Service, httpx.AsyncClient], capsys: pytest.CaptureFixture[str]
) -> None:
    service, client = search_service
    projection = service.ctx().state["projection"]
    for n in range(5):
        await projection.apply(envelope("published", public_action(f"c{n}", title=f"Kerho {n}")))
    live = await service.ctx().state["engine"].backend.versions()
    assert await cli_reindex(SearchSettings(), timeout=30) == 0
    out = capsys.readouterr().out
    assert "5/5 100%" in out and "Done: the new index holds 5 actions." in out
    assert await service.ctx().state["engine"].backend.versions() == live
    assert (await client.get("/search", params={"q": "kerho"})).json()["total"] == 5


async def test_similar_actions_over_http(search_service: tuple[Service, httpx.AsyncClient]) -> None:
    service, client = search_service
    projection = service.ctx().state["projection"]
    await projection.apply(
        envelope("published", public_action("s1", title="Yksinäisyyden torjunta ikäihmisille"))
    )
    await projection.apply(
        envelope("published", public_action("s2", title="Ikäihmisten yksinäisyys kotihoidossa"))
    )
    await projection.apply(
        envelope(
            "published", public_action("s3", title="Pyöräilyreitit kouluille", measures=["2.1.1"])
        )
    )
    body = (await client.get("/actions/s1/similar")).json()
    assert body["hits"][0]["action_id"] == "s2"
    assert "s1" not in [h["action_id"] for h in body["hits"]]
    draft = await client.post(
        "/similar", json={"text": "Yksinäisten ikäihmisten kerho", "exclude": ["s2"]}
    )
    assert draft.json()["hits"][0]["action_id"] == "s1"
    sv = await client.post(
        "/similar",
        json={"text": "Yksinäisten ikäihmisten kerho", "language": "sv", "measures": ["2.1.1"]},
    )
    assert sv.status_code == 200, "a draft in Swedish, sharing a measure, is understood"
    assert (
        await client.post("/similar", json={"text": "kerho", "language": "xx"})
    ).status_code == 422


def highlight(action_id: str, version: int, on: bool) -> Envelope[dict[str, Any]]:
    data = PracticeHighlighted(action_id=action_id, highlighted=on, at=datetime.now(UTC))
    return received("/community", PRACTICE_HIGHLIGHTED, action_id, version, data)


async def test_good_practices_are_a_filter_and_rebuild_from_their_events(
    search_service: tuple[Service, httpx.AsyncClient], tmp_path: Path
) -> None:
    service, client = search_service
    ctx = service.ctx()
    projection, practices = ctx.state["projection"], ctx.state["practices"]
    events = [
        # Highlighted before it is published: the mark waits for the action.
        highlight("g1", 1, True),
        envelope("published", public_action("g1", title="Kerhotoimintaa nuorille")),
        envelope("published", public_action("g2", title="Kerhotoimintaa ikäihmisille")),
        envelope("published", public_action("g3", title="Kerhotoimintaa perheille")),
        highlight("g2", 1, True),
        highlight("g3", 1, True),
        highlight("g3", 2, False),  # taken away
        highlight("g3", 1, True),  # a late replay of the older highlight changes nothing
    ]
    for event in events:
        apply = practices.apply if event.type == PRACTICE_HIGHLIGHTED else projection.apply
        await apply(event)

    async def found(store_client: httpx.AsyncClient) -> tuple[list[str], list[Any], list[bool]]:
        body = (
            await store_client.get("/search", params={"q": "kerho", "good_practice": "yes"})
        ).json()
        everything = (await store_client.get("/search", params={"q": "kerho"})).json()
        return (
            sorted(h["action_id"] for h in body["items"]),
            everything["facets"]["good_practice"],
            sorted(h["good_practice"] for h in everything["items"]),
        )

    ids, facet, marks = await found(client)
    assert ids == ["g1", "g2"]
    assert facet == [{"value": "yes", "count": 2, "label": None}]
    assert marks == [False, True, True]
    wrong = await client.get("/search", params={"good_practice": "maybe"})
    assert wrong.status_code == 422 and "good_practice" in wrong.text

    # The same events replayed into a fresh read copy and index give the same marks.
    fresh = ReadCopies(ctx.db.client[f"replay-{uuid.uuid4().hex[:8]}"])
    engine = engine_for(TantivyBackend(tmp_path / "replay"), {})
    engine.plan = ctx.state["engine"].plan
    replayed_actions = ActionProjection(engine, fresh, VersionLedger(fresh.actions.database["v"]))
    replayed = PracticeProjection(engine, fresh, replayed_actions)
    for event in events:
        await (replayed.apply if event.type == PRACTICE_HIGHLIGHTED else replayed_actions.apply)(
            event
        )
    assert engine.good_practices == ctx.state["engine"].good_practices == {"g1", "g2"}
    answer = await engine.search("kerho", {"good_practice": ["yes"]})
    assert sorted(h.action_id for h in answer.items) == ids
    await engine.backend.close()

    # A reindex from the live read copies keeps the marks.
    job_id = await queue_job(ctx.state["store"])
    await eventually(lambda: _finished(ctx.state["store"], job_id), timeout=30)
    assert await found(client) == (ids, facet, marks)


def news(news_id: str, version: int, state: str, title: str, body: str) -> Envelope[Any]:
    when = datetime(2026, 11, 2, 9, tzinfo=UTC)
    kind = "published" if version == 1 else ("withdrawn" if state == "withdrawn" else "updated")
    data = NewsItem(
        kind=kind, news_id=news_id, texts={Language.FI: NewsText(title=title, body=body)},
        state=NewsState(state), published_at=when, updated_at=when,
    )  # fmt: skip
    types = {"published": NEWS_PUBLISHED, "updated": NEWS_UPDATED, "withdrawn": NEWS_WITHDRAWN}
    return received("/community", types[kind], news_id, version, data)


def happening(event_id: str, version: int, state: str, title: str) -> Envelope[Any]:
    starts = datetime(2026, 12, 10, 10, tzinfo=UTC)
    data = CommunityEvent(
        kind="announced" if state == "announced" else "cancelled", event_id=event_id,
        event_kind=EventKind.WEBINAR, title=title, description="Verkkoseminaari järjestöille.",
        language=Language.SV if title.startswith("Webbinarium") else Language.FI,
        starts_at=starts, ends_at=starts, organiser="THL", state=EventState(state),
        updated_at=starts,
    )  # fmt: skip
    kind = EVENT_ANNOUNCED if state == "announced" else EVENT_CANCELLED
    return received("/community", kind, event_id, version, data)


async def test_news_and_events_are_their_own_result_type(
    search_service: tuple[Service, httpx.AsyncClient], tmp_path: Path
) -> None:
    service, client = search_service
    community = service.ctx().state["community"]
    events = [
        news("n1", 1, "published", "Yksinäisyyden vastainen viikko", "Kunnat kokoontuvat."),
        news("n2", 1, "published", "Väliarvio yksinäisyydestä", "Raportti valmistui."),
        news("n2", 2, "withdrawn", "Väliarvio yksinäisyydestä", "Raportti valmistui."),
        news("n2", 1, "published", "Väliarvio yksinäisyydestä", "Raportti valmistui."),  # late
        happening("e1", 1, "announced", "Yksinäisyys ja järjestöt"),
        happening("e2", 1, "announced", "Webbinarium om ensamhet"),
        happening("e2", 2, "cancelled", "Webbinarium om ensamhet"),
    ]
    for event in events:
        await community.apply(event)
    # An action about the same is not a community result, and news are not actions.
    await (
        service.ctx()
        .state["projection"]
        .apply(envelope("published", public_action("y1", title="Yksinäisyyden torjunta")))
    )

    found = (await client.get("/search/community", params={"q": "yksinäisyys"})).json()
    assert sorted((h["kind"], h["id"]) for h in found["hits"]) == [("event", "e1"), ("news", "n1")]
    assert found["types"] == [{"value": "news", "count": 1}, {"value": "event", "count": 1}]
    news_only = (
        await client.get("/search/community", params={"q": "yksinäinen", "type": "news"})
    ).json()
    assert [h["title"] for h in news_only["hits"]] == [{"fi": "Yksinäisyyden vastainen viikko"}]
    assert news_only["types"][1] == {"value": "event", "count": 1}  # the other type still counted
    actions = (await client.get("/search", params={"q": "yksinäisyys"})).json()
    assert [h["action_id"] for h in actions["items"]] == ["y1"]
    wrong = await client.get("/search/community", params={"type": "topic"})
    assert wrong.status_code == 422 and "type" in wrong.text

    # The same events replayed, newest first, into a fresh index and ledger: the same answer.
    db = service.ctx().db.client[f"replay-{uuid.uuid4().hex[:8]}"]
    fresh = CommunitySearch(
        TantivyBackend(tmp_path / "replay"),
        community.analyser,
        VersionLedger(db["versions"]),
        ReadCopies(db),
    )
    for event in reversed(events):
        await fresh.apply(event)
    replayed = await fresh.search("yksinäisyys", None, 10)
    assert sorted((h.kind, h.id) for h in replayed.hits) == [("event", "e1"), ("news", "n1")]
    assert [t.model_dump() for t in replayed.types] == found["types"]
    await fresh.backend.close()


async def test_an_index_lost_with_its_volume_is_built_again_at_start(
    search_service: tuple[Service, httpx.AsyncClient],
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The topics keep 30 days and the consumer's offsets are committed: an empty index (a new
    volume, a new Elasticsearch alias) must be filled from the read copies, news and events
    included, without anyone running a command."""
    service, client = search_service
    state = service.ctx().state
    await state["projection"].apply(
        envelope("published", public_action("v1", title="Ruoka-apu perheille"))
    )
    for event in (
        news("n7", 1, "published", "Ruoka-avun verkosto kokoontuu", "Järjestöt ja kunnat."),
        happening("e7", 1, "announced", "Ruoka-apu ja järjestöt"),
        happening("e8", 1, "announced", "Ruoka-apu peruttu"),
        happening("e8", 2, "cancelled", "Ruoka-apu peruttu"),
    ):
        await state["community"].apply(event)
    before = (await client.get("/search/community", params={"q": "ruoka-apu"})).json()
    assert sorted(h["id"] for h in before["hits"]) == ["e7", "n7"]

    if "elasticsearch" in request.node.callspec.params.values():
        monkeypatch.setenv("HTK_ELASTICSEARCH_INDEX", f"lost-{uuid.uuid4().hex[:8]}")
    else:
        monkeypatch.setenv("HTK_SEARCH_INDEX_DIR", str(tmp_path / "new-volume"))
    async with running(create_service().app()) as again:
        community = (await again.get("/search/community", params={"q": "ruoka-apu"})).json()
        assert community["hits"] == before["hits"] and community["types"] == before["types"]

        async def found_again() -> list[str] | None:
            body = (await again.get("/search", params={"q": "ruoka-apu"})).json()
            return [h["action_id"] for h in body["items"]] or None

        assert await eventually(found_again, timeout=30) == ["v1"]
    # The rebuild was asked for the new index only: the first service, on the same database,
    # must not take it and rebuild its own.
    jobs = await state["store"].jobs.find({}).to_list()
    assert [j["index"] for j in jobs] == [index_name(SearchSettings())]


async def test_a_job_queued_before_jobs_named_an_index_is_still_done(
    search_service: tuple[Service, httpx.AsyncClient],
) -> None:
    store = search_service[0].ctx().state["store"]
    await store.jobs.insert_one({"_id": "older", "state": "queued", "total": 0, "done": 0})
    job = await eventually(lambda: _finished(store, "older"), timeout=30)
    assert job["state"] == "done"
