"""The grievance tests' seeded database (demo city, a second city), for audience queries."""

from tests.services.grievances.conftest import crypto, db, registry, settings, template

__all__ = ["crypto", "db", "registry", "settings", "template"]
