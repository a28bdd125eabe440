"""The application: settings, web app, tasks, persistence and the municipal domain services."""
