"""Runs the bot engine for inbound events: sessions, rendering, service operations, outbox."""
