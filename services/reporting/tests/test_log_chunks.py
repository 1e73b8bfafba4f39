"""The rebuild reads the log in chunks of raw BSON; an action's versions cut by a chunk's end are
counted together once the next chunk arrives."""

import bson
import pytest
from bson.codec_options import CodecOptions

from htk_reporting.store.log import ByAction

LOG = [
    ("a", 1, True),
    ("a", 2, False),  # a workflow event between public versions
    ("a", 3, True),
    ("a", 4, True),
    ("b", 1, False),  # an action with no public version yet
    ("c", 1, True),
    ("d", 1, True),
    ("d", 2, True),
]
EXPECTED = [["a:1", "a:3", "a:4"], ["c:1"], ["d:1", "d:2"]]


@pytest.mark.parametrize("per_chunk", [1, 2, 3, 5, len(LOG)])
def test_an_action_cut_by_a_chunk_is_counted_whole(per_chunk: int) -> None:
    raw = [
        bson.encode({"_id": f"{a}:{v}", "action_id": a, "version": v, "public_kind": public})
        for a, v, public in LOG
    ]
    actions = ByAction(CodecOptions())
    grouped = []
    for start in range(0, len(raw), per_chunk):
        grouped += actions.feed(b"".join(raw[start : start + per_chunk]))
    grouped += actions.rest()
    assert [[e["_id"] for e in versions] for versions in grouped] == EXPECTED
    assert actions.rest() == []
