"""A fake SMS channel for campaign tests."""
