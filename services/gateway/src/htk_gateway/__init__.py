"""Gateway: the only door to the platform, for people and for programs."""
