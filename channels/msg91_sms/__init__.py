"""MSG91 SMS (India, TRAI DLT): DLT-tagged sends, delivery-report webhooks, long-code inbound."""
