"""Task dispatch: an in-process runner when embedded, Celery workers in production."""
