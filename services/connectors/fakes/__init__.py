"""Fake DIGIT and Open311 servers built from the published contracts (tests and the demo)."""
