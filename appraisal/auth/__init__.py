"""Accounts, roles, login, sessions and the per-object permission rules."""
