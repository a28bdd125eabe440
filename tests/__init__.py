"""NagarSetu's test suite (mirrors the packages)."""
