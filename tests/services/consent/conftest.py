"""The grievance tests' seeded database (migrated through 0022), for consent rows."""

from tests.services.grievances.conftest import crypto, db, registry, settings, template

__all__ = ["crypto", "db", "registry", "settings", "template"]
