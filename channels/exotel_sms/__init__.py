"""Exotel SMS (India, TRAI DLT): DLT-tagged sends, status callbacks, incoming SMS on an ExoPhone."""
