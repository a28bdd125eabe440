"""Channel-neutral contract, provider adapters (one folder each) and their registry."""
