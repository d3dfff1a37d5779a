"""Cycle and scheme operations (audited with old and new values, never committing).

Versioning: a scheme is frozen when its cycle is published. Changing a frozen version never
touches it: the change goes to a new version (a copy numbered one higher), which becomes the
current one. A version that is not frozen is changed in place. Every change is validated as
a whole, before anything is written, so a refused change leaves nothing behind.
"""

from __future__ import annotations

from datetime import date

from appraisal.core import audit
from appraisal.core.db import utcnow
from appraisal.core.i18n import lazy_gettext as _l
from appraisal.cycles import queries
from appraisal.cycles.models import Cycle, CyclePeriod, CycleState, Scheme, SchemeIndicator
from appraisal.cycles.states import transition_refusal
from appraisal.cycles.validation import (
    HeaderValues,
    ItemValues,
    Problem,
    header_problems,
    item_problems,
    label,
    scheme_problems,
)
from appraisal.extensions import db
from appraisal.indicators.models import Indicator
from appraisal.org.models import Department, StaffGroup

OPEN_FOR_SCHEMES = (CycleState.draft, CycleState.open, CycleState.reviewing,
                    CycleState.calibrating)


class CycleError(ValueError):
    """A refused change; ``problems`` are (form field or None, message) pairs."""

    def __init__(self, problems: list[Problem] | object):
        if not isinstance(problems, list):
            problems = [(None, problems)]
        super().__init__(" ".join(str(message) for _, message in problems))
        self.problems = problems


# -- cycles ----------------------------------------------------------------------------------
def _check_cycle(name: str, start_date: date, end_date: date, cycle: Cycle | None) -> None:
    problems = []
    other = queries.cycle_name_taken(name, cycle.id if cycle else None)
    if other is not None:
        problems.append(("name", _l("A cycle named “%(name)s” already exists.",
                                    name=other.name)))
    if end_date <= start_date:
        problems.append(("end_date", _l("The end date must be after the start date.")))
    if problems:
        raise CycleError(problems)


def create_cycle(actor, *, name: str, period: CyclePeriod, start_date: date,
                 end_date: date) -> Cycle:
    """A new cycle, in draft."""
    _check_cycle(name, start_date, end_date, None)
    cycle = Cycle(name=name.strip(), period=period, start_date=start_date, end_date=end_date,
                  state=CycleState.draft)
    db.session.add(cycle)
    db.session.flush()
    audit.record(actor, "cycle.created", cycle, new={
        "name": cycle.name, "period": period, "start_date": start_date, "end_date": end_date,
        "state": cycle.state})
    return cycle


def update_cycle(actor, cycle: Cycle, *, name: str, period: CyclePeriod, start_date: date,
                 end_date: date) -> bool:
    """Rename a cycle or change its dates (not once it is published); False if unchanged."""
    if cycle.is_frozen:
        raise CycleError(_l("The cycle is %(state)s: its name and dates are frozen.",
                            state=cycle.state.label.lower()))
    _check_cycle(name, start_date, end_date, cycle)
    old, new = audit.changes(cycle, {"name": name.strip(), "period": period,
                                     "start_date": start_date, "end_date": end_date})
    if new:
        audit.record(actor, "cycle.updated", cycle, old=old, new=new)
    return bool(new)


def change_state(actor, cycle: Cycle, target: CycleState) -> None:
    """Move ``cycle`` to ``target`` if the state machine allows it; publishing freezes schemes."""
    reason = transition_refusal(cycle, target, queries.cycle_facts(cycle))
    if reason is not None:
        raise CycleError(reason)
    old_state, cycle.state = cycle.state, target
    new = {"state": target}
    if target is CycleState.published:
        cycle.published_at = utcnow()
        new.update(published_at=cycle.published_at, frozen_scheme_ids=_freeze(actor, cycle))
    audit.record(actor, "cycle.state_changed", cycle, old={"state": old_state}, new=new)


def _freeze(actor, cycle: Cycle) -> list[int]:
    frozen = []
    for scheme in queries.all_schemes(cycle):
        if not scheme.frozen:
            scheme.frozen = True
            frozen.append(scheme.id)
            audit.record(actor, "scheme.frozen", scheme, old={"frozen": False},
                         new={"frozen": True, "version": scheme.version})
    return sorted(frozen)


# -- schemes: creating, copying, deleting ----------------------------------------------------
def _check_accepts_schemes(cycle: Cycle) -> None:
    if cycle.state not in OPEN_FOR_SCHEMES:
        raise CycleError(_l("The cycle is %(state)s: its schemes are frozen and no scheme can "
                            "be added.", state=cycle.state.label.lower()))


def _check_key_free(cycle: Cycle, group: StaffGroup, department: Department | None) -> None:
    existing = queries.find_current(cycle, group, department)
    if existing is not None:
        where = department.name if department else _l("the whole hospital")
        raise CycleError([("staff_group", _l(
            "This cycle already has a scheme for %(group)s in %(where)s: “%(name)s”. Change "
            "that one instead.", group=group.label, where=where, name=existing.name))])


def create_scheme(actor, cycle: Cycle, *, staff_group: StaffGroup,
                  department: Department | None, header: HeaderValues) -> Scheme:
    """A new scheme (version 1, no indicator yet) for a group and optionally a department."""
    _check_accepts_schemes(cycle)
    _check_key_free(cycle, staff_group, department)
    _raise_if(header_problems(header) + scheme_problems(header, []))
    scheme = Scheme(cycle=cycle, staff_group=staff_group, department=department, version=1,
                    created_by_id=getattr(actor, "id", None), **header.as_fields())
    db.session.add(scheme)
    db.session.flush()
    audit.record(actor, "scheme.created", scheme, new=snapshot(scheme))
    return scheme


def copy_scheme(actor, source: Scheme, cycle: Cycle) -> tuple[Scheme, list[Indicator]]:
    """Copy ``source`` (from another cycle) into ``cycle`` as version 1.

    Indicators retired from the library since are left out and returned.
    """
    if source.cycle_id == cycle.id:
        raise CycleError(_l("Choose a scheme of another cycle: this one is already here."))
    _check_accepts_schemes(cycle)
    _check_key_free(cycle, source.staff_group, source.department)
    kept = [item for item in source.items if item.indicator.active]
    skipped = [item.indicator for item in source.items if not item.indicator.active]
    header = HeaderValues.of(source)
    _raise_if(scheme_problems(header, [ItemValues.of(item) for item in kept]))
    scheme = Scheme(cycle=cycle, staff_group=source.staff_group, department=source.department,
                    version=1, created_by_id=getattr(actor, "id", None), **header.as_fields())
    scheme.items = [_copy_item(item) for item in kept]
    db.session.add(scheme)
    db.session.flush()
    audit.record(actor, "scheme.copied", scheme, new=dict(
        snapshot(scheme), source_scheme_id=source.id, source_cycle=source.cycle.name,
        left_out=[indicator.code for indicator in skipped]))
    return scheme, skipped


def delete_scheme(actor, scheme: Scheme) -> None:
    """Remove a scheme created by mistake: only while its cycle is a draft."""
    if scheme.cycle.state is not CycleState.draft or scheme.frozen:
        raise CycleError(_l("Only a scheme of a draft cycle can be deleted; this cycle is "
                            "%(state)s.", state=scheme.cycle.state.label.lower()))
    audit.record(actor, "scheme.deleted", scheme, old=snapshot(scheme))
    db.session.delete(scheme)


# -- schemes: changing (in place, or as a new version when frozen) ---------------------------
def update_scheme(actor, scheme: Scheme, header: HeaderValues) -> Scheme | None:
    """Change a scheme's settings; the version changed, or None when nothing changed."""
    _check_editable(scheme)
    items = [ItemValues.of(item) for item in scheme.items]
    _raise_if(header_problems(header) + scheme_problems(header, items))
    fields = header.as_fields()
    if not _differs(scheme, fields):
        return None
    target = _editable_version(actor, scheme)
    old, new = audit.changes(target, fields)
    audit.record(actor, "scheme.updated", target, old=old, new=new)
    return target


def add_indicator(actor, scheme: Scheme, values: ItemValues) -> Scheme:
    """Choose one more indicator for ``scheme``; returns the version changed."""
    _check_editable(scheme)
    indicator = values.indicator
    problems = []
    if not indicator.active:
        problems.append(("indicator", _l("%(indicator)s is inactive in the library and cannot "
                                         "be chosen.", indicator=label(indicator))))
    if any(item.indicator_id == indicator.id for item in scheme.items):
        problems.append(("indicator", _l("%(indicator)s is already in this scheme.",
                                         indicator=label(indicator))))
    _raise_if(problems)
    items = [ItemValues.of(item) for item in scheme.items] + [values]
    _raise_if(item_problems(values) or scheme_problems(HeaderValues.of(scheme), items))
    target = _editable_version(actor, scheme)
    target.items.append(SchemeIndicator(indicator=indicator, **values.as_fields()))
    audit.record(actor, "scheme.indicator_added", target,
                 new=dict(values.as_fields(), indicator=indicator.code))
    return target


def update_indicator(actor, scheme: Scheme, item: SchemeIndicator,
                     values: ItemValues) -> Scheme | None:
    """Change one chosen indicator's settings; the version changed, or None if unchanged."""
    _check_editable(scheme)
    items = [values if other is item else ItemValues.of(other) for other in scheme.items]
    _raise_if(item_problems(values) or scheme_problems(HeaderValues.of(scheme), items))
    fields = values.as_fields()
    if not _differs(item, fields):
        return None
    target = _editable_version(actor, scheme)
    row = _same_item(target, item)
    old, new = audit.changes(row, fields)
    audit.record(actor, "scheme.indicator_updated", target,
                 old=dict(old, indicator=item.indicator.code),
                 new=dict(new, indicator=item.indicator.code))
    return target


def remove_indicator(actor, scheme: Scheme, item: SchemeIndicator) -> Scheme:
    """Take an indicator out of ``scheme``; returns the version changed."""
    _check_editable(scheme)
    rest = [ItemValues.of(other) for other in scheme.items if other is not item]
    if not rest and scheme.cycle.state is not CycleState.draft:
        raise CycleError(_l("%(indicator)s is the last indicator of this scheme and the cycle "
                            "is under way: a scheme in use needs at least one indicator.",
                            indicator=label(item.indicator)))
    _raise_if(scheme_problems(HeaderValues.of(scheme), rest))
    target = _editable_version(actor, scheme)
    row = _same_item(target, item)
    target.items.remove(row)
    audit.record(actor, "scheme.indicator_removed", target,
                 old=dict(ItemValues.of(row).as_fields(), indicator=item.indicator.code))
    return target


def _check_editable(scheme: Scheme) -> None:
    if scheme.cycle.state is CycleState.closed:
        raise CycleError(_l("The cycle is closed: its schemes can no longer be changed."))
    current = queries.current_version_number(scheme)
    if scheme.version != current:
        raise CycleError(_l("This is version %(version)s, kept for the record: only the "
                            "current version (%(current)s) can be changed.",
                            version=scheme.version, current=current))


def _editable_version(actor, scheme: Scheme) -> Scheme:
    """The version a change goes to: ``scheme`` itself, or a new version if it is frozen."""
    if not scheme.frozen:
        return scheme
    version = Scheme(cycle=scheme.cycle, staff_group=scheme.staff_group,
                     department=scheme.department, version=scheme.version + 1,
                     created_by_id=getattr(actor, "id", None),
                     **HeaderValues.of(scheme).as_fields())
    version.items = [_copy_item(item) for item in scheme.items]
    db.session.add(version)
    db.session.flush()
    audit.record(actor, "scheme.version_created", version,
                 new=dict(snapshot(version), from_version=scheme.version,
                          from_scheme_id=scheme.id))
    return version


def _copy_item(item: SchemeIndicator) -> SchemeIndicator:
    return SchemeIndicator(indicator=item.indicator, **ItemValues.of(item).as_fields())


def _same_item(version: Scheme, item: SchemeIndicator) -> SchemeIndicator:
    return next(row for row in version.items if row.indicator is item.indicator)


def _differs(obj, fields: dict) -> bool:
    return any(getattr(obj, name) != value for name, value in fields.items())


def _raise_if(problems: list[Problem]) -> None:
    if problems:
        raise CycleError(problems)


def snapshot(scheme: Scheme) -> dict:
    """A scheme's whole content, for the audit log."""
    return dict(
        HeaderValues.of(scheme).as_fields(), cycle_id=scheme.cycle_id,
        staff_group=scheme.staff_group,
        department_id=scheme.department.id if scheme.department else None,
        version=scheme.version,
        indicators=[dict(ItemValues.of(item).as_fields(), indicator=item.indicator.code)
                    for item in scheme.items])
