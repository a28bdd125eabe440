"""Twilio Programmable Messaging (SMS): inbound and status webhooks, outbound through the SDK."""
