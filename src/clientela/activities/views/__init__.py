"""Activity pages: the list, the forms (plan, change, complete, cancel), the party page's panel,
the reminders (notices, digest, calendar feed) and the feed itself."""
