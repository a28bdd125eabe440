"""SQLAlchemy base, engine and session factory."""
