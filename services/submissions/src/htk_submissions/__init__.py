"""Submissions: actions that organisations describe, their workflow and their history."""
