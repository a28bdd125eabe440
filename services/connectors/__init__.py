"""Platform connectors: a tenant's grievances and bills held by DIGIT/UPYOG or an Open311 server."""
