"""Options of <select> fields, shared by every feature's forms (WTForms ``SelectChoice``)."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms.fields.choices import SelectChoice

from appraisal.core.i18n import lazy_gettext as _l


def with_blank(blank_label, choices: Iterable[SelectChoice]) -> list[SelectChoice]:
    """``choices`` after an empty option labelled ``blank_label`` (none when it is None)."""
    blank = [SelectChoice("", str(blank_label))] if blank_label is not None else []
    return blank + list(choices)


def enum_choices(enum_type, blank_label=None) -> list[SelectChoice]:
    """One option per member of an enum whose members have a ``label``."""
    return with_blank(blank_label, (SelectChoice(m.value, m.label) for m in enum_type))


def status_choices() -> list[SelectChoice]:
    """The active / inactive / all filter of the list pages."""
    return [SelectChoice("1", _l("Active")), SelectChoice("0", _l("Inactive")),
            SelectChoice("all", _l("All"))]


def department_choices(options, blank_label=None) -> list[SelectChoice]:
    """Indented options from ``org.tree.flatten()`` output: (department, depth) pairs."""
    choices = []
    for department, depth in options:
        label = f"{'— ' * depth}{department.name} ({department.code})"
        if not department.active:
            label += f" [{_l('inactive')}]"
        choices.append(SelectChoice(str(department.id), label))
    return with_blank(blank_label, choices)
