"""The ``htk`` command: starts the embedded platform and runs operator tasks."""
