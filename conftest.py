# One tansu broker and one SecantusDB per test session, shared by every service's tests.
pytest_plugins = ["htk_runtime.testing"]
