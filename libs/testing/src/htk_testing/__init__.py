"""Test and benchmark support, kept out of the shipped packages: a dev-only workspace member
(the root's dev dependency group), so no service image carries it.

- ``runtime``: the pytest plugin (one broker and one database per session), the helpers every
  service's tests use (``eventually``, ``running``, ``service_env``, the broker tiers).
- ``reporting_events``: action, plan and organisation events built for tests, benchmarks and the
  replay property (never real data); ``reporting``: a scratch projection on its own database.
- ``search``: the example plan, actions from the relevance set, relevance scoring.
"""
