"""Fan-out of aggregate changes to the Server-Sent Events clients of this process."""

import json
from typing import Any

from htk_runtime.fanout import Fanout

# A client too slow to keep up gets a ``resync`` instead of stalling the rest (see Fanout).
Broadcaster = Fanout


def sse(event: str, data: dict[str, Any]) -> str:
    return f"event: {event}\ndata: {json.dumps(data, default=str, separators=(',', ':'))}\n\n"
