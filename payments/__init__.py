"""Payments: bills, the gateway contract and Razorpay, attempts, webhooks, the ledger, the
safety net and the simulator (docs/payments.md)."""
