"""Channel accounts: a tenant's numbers and bots, with credentials encrypted at rest."""
