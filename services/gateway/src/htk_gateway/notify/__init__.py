"""Notifications: mail for every workflow event that needs someone's attention.

The gateway consumes the events (``submissions.actions.v1``, ``catalogue.members.v1``), keeps
each one as a job keyed by the event id (``store.py``), finds the recipients and what to say
(``kinds.py``) and mails each recipient in their language now, or keeps it for their daily
digest, or nothing, as they chose on /my/account (``delivery.py``). A record per event and
recipient goes in before the mail, so a redelivered event never mails twice. A job that fails
(a service away) is retried by the gateway's notify worker.

Adding a kind of notification is one entry in ``kinds.KINDS``::

    "fi.htk.partner.requested.v1": Kind("partner_requested", details_fn, recipients_fn),

plus its three messages ``notify.partner_requested.subject``, ``.body`` and ``.line`` and its
label ``notify.kind.partner_requested`` in ``messages/notify/{fi,sv,en}.json``. If the event
comes on ``submissions.actions.v1`` or ``catalogue.members.v1``, nothing else is needed: both
consumers in ``main.py`` hand every event to ``Notifier.event``, which notifies those whose type
is in ``KINDS``. On another topic, add a consumer that does the same.
"""
