"""Bills: the registry interface, the built-in registry, consumer-number formats, the demo."""
