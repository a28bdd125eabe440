"""Tenants (state → city), wards, localities and grievance categories."""
