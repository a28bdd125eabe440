"""Open311 GeoReport v2: grievances filed and tracked in any server a state runs."""
