"""Open311 GeoReport v2 server over the gateway's grievances (docs/open311.md)."""
