"""Aggregate reporting per tenant and state, for staff and as open data (docs/reporting.md)."""
