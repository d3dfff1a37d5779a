"""The shape of one row of the authorisation matrix."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tests.access.world import World


@dataclass
class Case:
    """How to call ``endpoint`` with ``method``, who may and who may not.

    ``args(world)`` gives the URL arguments (building the objects it needs); ``allowed`` and
    ``denied`` pick users from the world; ``data(world)`` gives the form for a POST. A route
    open to everyone (the login page) sets ``public=True`` and no ``denied``.
    """

    endpoint: str
    method: str = "GET"
    args: Callable[[World], dict] = lambda world: {}
    allowed: Callable[[World], object] | None = None
    denied: Callable[[World], object] | None = None
    data: Callable[[World], dict] = lambda world: {}
    public: bool = False
    # Extra denied users (another department's manager, another clinician...).
    also_denied: list[Callable[[World], object]] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return self.endpoint, self.method

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint}"
