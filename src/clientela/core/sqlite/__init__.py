"""Django's SQLite backend with Clientela's turnstile for writers (core.database)."""
