"""The messaging app's use cases, split by noun."""
