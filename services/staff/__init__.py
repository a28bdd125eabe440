"""Staff API keys: a role and a tenant scope each."""
