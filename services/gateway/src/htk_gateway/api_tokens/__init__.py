"""API tokens: an organisation's own systems call ``/api/v1`` as the organisation.

``store`` keeps the tokens (hashes only), ``caller`` turns an ``Authorization: Bearer`` header
into the user the services see, and ``pages`` is where the organisation's admins manage them.
"""
