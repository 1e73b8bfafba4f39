"""Notifications: mail for every workflow event that needs someone's attention.

The gateway consumes the events (``submissions.actions.v1``, ``catalogue.requests.v1``), keeps
each one as a job keyed by the event id (``store.py``) and wakes its notify worker, which finds
the recipients and what to say (``kinds.py``) and mails each recipient in their language now,
or keeps it for their daily digest, or nothing, as they chose on /my/account (``delivery.py``).
A record per event and recipient goes in before the mail, so a redelivered event never mails
twice. A job that fails (a service away) is retried every ``HTK_NOTIFY_INTERVAL_SECONDS``.

Adding a kind of notification is one entry in ``kinds.KINDS``::

    "fi.htk.partner.requested.v1": Kind("partner_requested", details_fn, recipients_fn),

``details_fn(sources, notice)`` returns the values its messages use (``path``: the page the mail
links to; a dict of fi/sv/en names is shown in the reader's language; ``message``: another
message name, e.g. one per decision) or None for nothing to say; ``recipients_fn(sources,
notice, details)`` returns member ids. ``notice.data`` is the event's data (empty for a
published or updated action, whose public snapshot the mail does not need;
``data["member_id"]`` names whom the event is about, for erasure). Then its messages
``notify.partner_requested.subject``, ``.body`` (ending with a colon: the link follows) and
``.line`` (in the digest), and its label ``notify.kind.partner_requested`` for the account
page, in ``messages/notify/{fi,sv,en}.json``.
An event on ``submissions.actions.v1`` or ``catalogue.requests.v1`` needs nothing else: both
consumers in ``main.py`` hand every event to ``Notifier.event``, which takes those whose type is
in ``KINDS``. On another topic, add it to the ``consume`` mapping there the same way.
"""
