"""A city's wards and localities: import and export (CSV, GeoJSON, DIGIT), and placing points."""
