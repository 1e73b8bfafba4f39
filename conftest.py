# One tansu broker and one SecantusDB per test session, shared by every service's tests.
import os

from hypothesis import settings

pytest_plugins = ["htk_testing.runtime"]

# Property tests and fuzzers draw the same cases on every run ("ci", the default): a submission
# fails only for what it changed, never for a case that a new draw happened to find. `make fuzz`
# selects "fuzz", which draws new cases (and more of them, HTK_FUZZ_SCALE); what it finds
# becomes an ordinary test (README.md, "Tests").
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.register_profile("fuzz", derandomize=False, database=None, print_blob=True)
settings.load_profile(os.environ.get("HTK_HYPOTHESIS_PROFILE", "ci"))
