"""The FastAPI app: webhooks, web chat, staff API, simulators."""
