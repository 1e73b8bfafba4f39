"""Following an action, an organisation, a measure or a region, and the digest of what changed.

Changes come from ``submissions.actions.v1`` (public events only: published, updated,
withdrawn). A digest worker (``digest``) mails each follower at most once per period what
changed in what they follow; the unsubscribe link in every digest, signed with the gateway
secret, works with one click. ``store`` holds the queries, ``pages`` the routes.
"""
