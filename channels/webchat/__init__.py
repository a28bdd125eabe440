"""Web chat: our own first-party channel, served by the gateway as plain HTML/JS."""
