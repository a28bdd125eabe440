"""Exotel voice (IVR): Passthru and programmable Gather applet callbacks, a secret URL token."""
