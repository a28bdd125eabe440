"""Consent as the DPDP Act asks: who agreed to what, for which purpose, on which channel, when,
and how we learnt it; a withdrawal is as easy as the grant (STOP) and takes effect at once."""
