"""Search: national full-text search of published actions."""
