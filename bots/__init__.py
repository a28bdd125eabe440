"""The channel-neutral conversation core: declarative flows stepped by an engine without I/O."""
