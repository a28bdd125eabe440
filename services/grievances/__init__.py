"""Grievances: the built-in reference registry, its staff API and citizen notifications."""
