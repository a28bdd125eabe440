"""The transactional inbox: webhooks record events; workers run the conversation turns."""
