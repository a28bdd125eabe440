"""E-mail notices to staff: a small queue in the database, sent over SMTP by the sweepers."""
