"""Tests of staff API keys and their command line."""
