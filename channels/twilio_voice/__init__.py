"""Twilio Programmable Voice (IVR): call webhooks answered with TwiML, call status callbacks."""
