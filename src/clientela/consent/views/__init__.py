"""Pages of consent, by noun: the public pages reached by links the customer receives (the
preference centre, one-click unsubscribe, sign-up), and the staff pages (the consent panel,
the privacy-request queue)."""
