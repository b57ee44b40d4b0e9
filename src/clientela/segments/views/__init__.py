"""Segment pages (audiences: segments and static lists) and the party list people work with
(lists: sorting, columns, saved views, bulk actions)."""
