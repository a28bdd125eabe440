"""Campaigns: bulk notices to an audience, in the bulk lane, exactly one message per recipient."""
