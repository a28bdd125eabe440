"""A fake channel type for the delivery tests, registered by the fixtures under `fake-delivery`."""
