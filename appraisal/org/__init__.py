"""Organisation: the department tree and the staff."""
