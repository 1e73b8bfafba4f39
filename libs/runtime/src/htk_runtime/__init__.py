"""Shared mechanics of every HTK service: settings, broker, database, logging, health, outbox.

No business rules live here; those stay in their service.
"""
