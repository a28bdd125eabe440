"""The message log (inbound and outbound, with status) and the transactional outbox."""
