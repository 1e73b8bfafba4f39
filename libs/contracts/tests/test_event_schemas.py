import json
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from htk_contracts.actions import ActionPublished, PublicAction
from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.schemas import EVENT_SCHEMAS, SCHEMA_DIR, json_schema


@pytest.mark.parametrize("event_type", sorted(EVENT_SCHEMAS))
def test_committed_schema_matches_the_model(event_type: str) -> None:
    committed = json.loads((SCHEMA_DIR / f"{event_type}.json").read_text())
    assert committed == json_schema(event_type), "run `make schemas` and commit the result"


def _fields(schema: dict, name: str) -> tuple[set[str], set[str]]:
    definition = schema if name == "root" else schema["$defs"][name]
    return set(definition.get("properties", {})), set(definition.get("required", []))


@pytest.mark.parametrize("event_type", sorted(EVENT_SCHEMAS))
def test_schema_stays_backward_compatible(event_type: str) -> None:
    """A consumer built against the committed schema still reads what the model produces:
    no field it knows disappears, and no field it does not know becomes required."""
    committed = json.loads((SCHEMA_DIR / f"{event_type}.json").read_text())
    current = json_schema(event_type)
    for name in ["root", *committed.get("$defs", {})]:
        old_props, old_required = _fields(committed, name)
        new_props, new_required = _fields(current, name)
        assert old_props <= new_props, f"{name}: removed {old_props - new_props}"
        assert new_required <= old_required | (new_props - old_props) and not (
            (new_required - old_required) & (new_props - old_props)
        ), f"{name}: new required fields {new_required - old_required}"


def _action() -> PublicAction:
    return PublicAction(
        action_id="a1",
        version=1,
        title="Kohtaamispaikka",
        summary="Ikäihmisten kohtaamispaikka",
        inequality_reduction="Tavoittaa yksin asuvat",
        language="fi",
        state="ongoing",
        organisation_id="o1",
        plan_version=1,
        measures=["1.1.1"],
        sub_goals=["1.1"],
        priorities=["1"],
        municipalities=["091"],
        published_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
        confirmed_at=datetime.now(UTC),
    )


def test_an_envelope_round_trips_through_json() -> None:
    envelope = new_envelope(
        source="/submissions",
        type="fi.htk.action.published.v1",
        subject="a1",
        aggregateversion=1,
        data=ActionPublished(action=_action()).model_dump(mode="json"),
    )
    parsed = Envelope[ActionPublished].model_validate_json(envelope.model_dump_json())
    assert parsed.data.action.title == "Kohtaamispaikka"
    assert parsed.specversion == "1.0"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("type", "action.published"),
        ("aggregateversion", 0),
        ("specversion", "0.3"),
        ("subject", ""),
    ],
)
def test_an_invalid_envelope_is_refused(field: str, value: object) -> None:
    good = new_envelope(
        source="/x", type="fi.htk.action.published.v1", subject="a", aggregateversion=1, data={}
    ).model_dump()
    with pytest.raises(ValidationError) as info:
        Envelope[dict].model_validate({**good, field: value})
    assert field in str(info.value)
