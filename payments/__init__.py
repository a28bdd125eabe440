"""Payments: gateway contract, ledger, receipts, reconciliation (comes with the bills issue)."""
