"""The role-aware home page."""
