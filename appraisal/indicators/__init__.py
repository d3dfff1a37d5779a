"""The indicator library."""
