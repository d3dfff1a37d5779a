"""The JSON API (/api/v1): hospital systems send measurements with a bearer token."""
