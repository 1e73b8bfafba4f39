"""A stream client too slow to keep up is told to resync (it was once dropped without a word)."""

from htk_reporting.counting.stream import Broadcaster


def test_a_listener_that_falls_behind_gets_a_resync_and_keeps_listening() -> None:
    broadcaster = Broadcaster(queue_size=4)
    slow, fast = broadcaster.listen(), broadcaster.listen()
    for i in range(10):
        broadcaster.publish({"type": "coverage", "n": i, "plan_version": 3})
        fast.get_nowait()
    first = slow.get_nowait()
    assert first == {"type": "resync", "plan_version": 3}, "stale changes make way for resync"
    broadcaster.publish({"type": "coverage", "n": 10})
    assert [slow.get_nowait()["type"] for _ in range(slow.qsize())][-1] == "coverage"
    assert slow in broadcaster.listeners, "it still listens"
