"""DIGIT/UPYOG: PGR v2 grievances, billing-service bills, collection-services payments."""
