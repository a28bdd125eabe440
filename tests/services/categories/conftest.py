"""Fixtures for category tests: the grievance tests' migrated, seeded database."""

from tests.services.grievances.conftest import (  # noqa: F401  (fixtures used by name)
    crypto,
    db,
    registry,
    settings,
    template,
)
