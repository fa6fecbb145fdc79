"""The fixtures of the sources' tests."""

from tests.support.sources import ledgersg_repo  # noqa: F401 (a fixture)
