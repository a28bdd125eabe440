"""WhatsApp through Twilio: inbound and status webhooks, session text, Content API templates."""
