"""Event contracts shared by every HTK service: the envelope, topic names and event schemas."""

from htk_contracts.envelope import Envelope, new_envelope
from htk_contracts.topics import Topic, dead_letter_topic

__all__ = ["Envelope", "Topic", "dead_letter_topic", "new_envelope"]
