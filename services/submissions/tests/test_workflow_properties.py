"""Property-based: any sequence of workflow steps, by anyone, keeps the action's rules.

- A refused step changes nothing; an accepted one raises the version (saving the same content
  again changes nothing, except that it makes a withdrawn action a draft again).
- The public version exists exactly when the action was published and not withdrawn since,
  whatever drafts are in progress on top of it.
- Every event in the outbox carries a version higher than the one before it.
"""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from htk_runtime.auth import User
from htk_runtime.errors import DomainError
from htk_submissions.domain import ActionContent
from htk_submissions.store import UNCHANGED_SAVE_KEEPS
from htk_submissions.workflow import Step

MEMBER = User(member_id="m1", organisations={"o1": "member"})
COORDINATOR = User(member_id="c1", coordinator=True)
OUTSIDER = User(member_id="m2", organisations={"o2": "member"})

steps = st.lists(
    st.tuples(
        st.sampled_from(["edit", "submit", "publish", "return", "withdraw", "confirm", "stale"]),
        st.sampled_from([MEMBER, COORDINATOR, OUTSIDER]),
    ),
    min_size=1,
    max_size=12,
)


def authorise_for(user: User, step: str) -> Any:
    def check(doc: dict[str, Any]) -> None:
        coordinator_only = step in ("publish", "return")
        allowed = user.coordinator or (
            not coordinator_only and user.is_member_of(doc["organisation_id"])
        )
        if not allowed:
            raise DomainError(403, "not allowed")

    return check


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None)
@given(sequence=steps)
async def test_any_sequence_keeps_the_rules(
    service: Any, new_action: Any, sequence: list[tuple[str, User]]
) -> None:
    svc, _ = service
    store = svc.ctx().state["store"]
    content = ActionContent.model_validate(new_action())
    doc = (await store.create(MEMBER, content)).document
    ever_published = False
    for name, user in sequence:
        before = await store.get(doc["_id"])
        version = before["version"] - (1 if name == "stale" else 0)
        try:
            if name in ("edit", "stale"):
                after = await store.edit(
                    user, doc["_id"], version, content, authorise_for(user, "edit")
                )
            else:
                after = await store.step(
                    user,
                    doc["_id"],
                    version,
                    Step(name),
                    plan_version=1,
                    comment="korjaa" if name == "return" else None,
                    authorise=authorise_for(user, name),
                )
        except DomainError as refused:
            assert refused.status_code in (403, 409, 412)
            if name == "stale":
                # Who may comes first: a stranger learns nothing of the version.
                may_edit = user.coordinator or user.is_member_of(doc["organisation_id"])
                expected = 412 if may_edit else 403
                assert refused.status_code == expected, "an edit of an old version never lands"
            assert await store.get(doc["_id"]) == before, "a refused step changes nothing"
            continue
        assert name != "stale"
        if name == "edit" and before["status"] in UNCHANGED_SAVE_KEEPS:
            # The same content saved again: nothing changes, not even the version.
            assert after == before
            continue
        assert after["version"] > before["version"]
        if name == "publish":
            ever_published = True
        if name == "withdraw":
            ever_published = False
        assert (after["public"] is not None) == ever_published, (name, after["status"])
    versions = [
        e["event"]["aggregateversion"]
        for e in await svc.ctx().db["outbox"].find({"key": doc["_id"]}).sort("_id", 1).to_list()
    ]
    assert versions == sorted(set(versions)), "events in order, one per version"
