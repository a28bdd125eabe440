"""A fake chat channel (WhatsApp-like) for campaign tests."""
