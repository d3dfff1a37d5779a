"""The department tree built in memory from one flat list (no database access)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from appraisal.org.models import Department


@dataclass
class TreeNode:
    """A department with its children and its active staff (own and whole subtree)."""

    department: Department
    children: list[TreeNode] = field(default_factory=list)
    own_staff: int = 0

    @property
    def total_staff(self) -> int:
        return self.own_staff + sum(child.total_staff for child in self.children)


def build_tree(departments: Iterable[Department], staff_counts: Mapping[int, int]
               ) -> list[TreeNode]:
    """Roots of the tree, children sorted by name; ``staff_counts`` keyed by department id.

    Reads only ``id`` and ``parent_id``, so it issues no lazy loads.
    """
    nodes = {d.id: TreeNode(d, own_staff=staff_counts.get(d.id, 0)) for d in departments}
    roots = []
    for node in nodes.values():
        parent = nodes.get(node.department.parent_id)
        (parent.children if parent else roots).append(node)
    for node in nodes.values():
        node.children.sort(key=_name_key)
    roots.sort(key=_name_key)
    return roots


def _name_key(node: TreeNode) -> tuple[str, str]:
    return (node.department.name.casefold(), node.department.code)


def flatten(roots: Iterable[TreeNode], depth: int = 0) -> list[tuple[Department, int]]:
    """Every department in tree order with its depth (for indented select options)."""
    out = []
    for node in roots:
        out.append((node.department, depth))
        out.extend(flatten(node.children, depth + 1))
    return out
