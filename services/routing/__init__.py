"""Routing grievances to officers by rules that are data, and escalating breached SLAs."""
