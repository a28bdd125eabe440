"""WhatsApp Business Cloud API (Meta): signed webhooks in, Graph API messages and media out."""
