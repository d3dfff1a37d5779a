"""Account administration: users, their roles, passwords, lockouts and sessions."""
