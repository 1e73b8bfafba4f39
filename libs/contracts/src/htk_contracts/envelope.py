"""CloudEvents 1.0 envelope (structured mode, JSON) with two extension attributes.

- ``aggregateversion``: the version of the aggregate after the change. Consumers apply an event
  only when it is newer than what they hold, which makes replays and duplicates harmless.
- ``traceparent``: W3C trace context captured when the event was written to the outbox, so a trace
  continues across the outbox relay (CloudEvents distributed tracing extension).
"""

from datetime import UTC, datetime
from typing import Any, Generic, TypeVar
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

DataT = TypeVar("DataT")


class Envelope(BaseModel, Generic[DataT]):
    model_config = ConfigDict(extra="forbid")

    specversion: str = Field(default="1.0", pattern=r"^1\.0$")
    id: str = Field(min_length=1, description="Unique per event; a redelivery keeps the id.")
    source: str = Field(min_length=1, description="The service that emitted it, e.g. /submissions")
    type: str = Field(
        pattern=r"^fi\.htk\.[a-z_]+\.[a-z_]+\.v[0-9]+$",
        description="Event type with its schema version, e.g. fi.htk.action.published.v1",
    )
    time: datetime
    subject: str = Field(min_length=1, description="The aggregate id; also the Kafka key.")
    datacontenttype: str = "application/json"
    aggregateversion: int = Field(ge=1)
    traceparent: str | None = None
    data: DataT


def new_envelope(
    *,
    source: str,
    type: str,
    subject: str,
    aggregateversion: int,
    data: Any,
    traceparent: str | None = None,
) -> Envelope[Any]:
    return Envelope[Any](
        id=str(uuid4()),
        source=source,
        type=type,
        time=datetime.now(UTC),
        subject=subject,
        aggregateversion=aggregateversion,
        traceparent=traceparent,
        data=data,
    )


def event_envelope(
    source: str, event_type: str, subject: str, version: int, data: BaseModel
) -> Envelope[Any]:
    """A published integration event: ``data`` (its contract model) as JSON, in a new envelope.
    Every service builds the events it publishes with this (``partial(event_envelope, SOURCE)``)."""
    return new_envelope(
        source=source,
        type=event_type,
        subject=subject,
        aggregateversion=version,
        data=data.model_dump(mode="json"),
    )
