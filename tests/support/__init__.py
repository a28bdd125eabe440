"""Shared test helpers: settings, a live gateway on a free port, a signed SMS phone."""
