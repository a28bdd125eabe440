"""Reconciliation: bills ↔ payments ↔ settlement lines ↔ bank credits, exceptions, reports."""
