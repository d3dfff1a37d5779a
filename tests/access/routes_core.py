"""Matrix rows for auth and home."""

from tests.access.cases import Case

CASES = [
    Case("auth.login", "GET", public=True),
    Case("auth.login", "POST", public=True, data=lambda w: {"username": "x", "password": "y"}),
    Case("auth.set_language", "POST", public=True, data=lambda w: {"language": "zh"}),
    Case("auth.logout", "POST", allowed=lambda w: w.nobody),
    Case("auth.change_password", "GET", allowed=lambda w: w.nobody),
    Case("auth.change_password", "POST", allowed=lambda w: w.clinician_a,
         data=lambda w: {"current_password": "wrong", "new_password": "x" * 12,
                         "confirm": "x" * 12}),
    Case("home.index", "GET", allowed=lambda w: w.nobody),
]
