"""The community service: discussion, news and events (issue 22).

One package per domain (``discussion/``, ``news/``, ``events/``), each with ``api.py`` (HTTP
routes), ``service.py`` (the rules), ``store.py`` (database queries only) and ``schemas.py``
(request and response models). Shared by the domains: ``readcopies.py`` (the catalogue's and the
actions' data this service keeps a copy of) and ``deps.py`` (FastAPI dependencies).
"""
