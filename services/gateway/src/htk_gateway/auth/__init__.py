"""Who is calling and what they may do: login links and their mails, sessions, the caller's
identity, CSRF tokens, the read copy of members (roles for the signed user token) and rate
limits."""
