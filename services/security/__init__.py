"""Encryption at rest and keyed lookup hashes for personal data."""
