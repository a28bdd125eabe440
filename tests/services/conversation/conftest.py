"""The grievance tests' seeded database, for operations that read and write grievances."""

from tests.services.grievances.conftest import crypto, db, registry, settings, template

__all__ = ["crypto", "db", "registry", "settings", "template"]
