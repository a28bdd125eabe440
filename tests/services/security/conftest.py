"""The grievance tests' seeded database, for rotating what it holds."""

from tests.services.grievances.conftest import crypto, db, registry, settings, template

__all__ = ["crypto", "db", "registry", "settings", "template"]
