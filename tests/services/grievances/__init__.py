"""Tests of the built-in grievance registry, its staff API and notifications."""
