# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""One workflow pattern for the addon's documents (visits, requirements,
complaints, information, month-end reports).

A model lists its transitions once, in ``_kam_transitions``: the button
(method) name -> ``transition(from states, to state, label, who)``. Its
buttons call ``_kam_check_move(name)`` first and write the new state with
``_kam_state_write``. Everything else is here, the same for every model:

- the state check, with one error (``_kam_state_error``, a UserError):
  ``Submit: "Report" is Draft; allowed only from Submitted.``;
- who may move the record: ``who`` names a method of the model, called with
  the action's label, that raises an AccessError when the user may not;
- the superuser (sudo(), scheduled actions, data files and, in Odoo 11, the
  admin user) passes every ``who`` check but never the state check;
- a write of the state field: on a model shown as a kanban grouped by its
  state (the field has ``group_expand``), dragging a card runs the
  transition from the current state to the new one with the button's
  checks and side effects; any other write of the state is refused with the
  same error, except the superuser's, which is stored as is;
- the fields the buttons and scheduled actions set (dates, stamps, who
  decided): a model lists them in ``_kam_workflow_fields``, or, where users
  write only a few fields, lists those in ``_kam_user_fields`` instead. A
  user's write of any other is refused with one error
  (``_kam_protected_error``), before anything is stored; the superuser
  (data files, scheduled actions, migrations) writes them, and the buttons
  write past the check with ``_kam_state_write``.
"""
from collections import namedtuple

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import UserError

Transition = namedtuple("Transition", "sources target label who")


def transition(sources, target, label, who=None):
    """A transition of ``_kam_transitions``: from one of ``sources`` to
    ``target``; ``label`` is the button's (marked with ``_`` so that it is
    exported, translated when the error is raised); ``who`` is the name of
    the model's method that checks who may do it (None: whoever may write
    the record). An action allowed in some states that keeps the state is a
    transition to the same state."""
    return Transition(tuple(sources), target, label, who)


class KamWorkflowMixin(models.AbstractModel):
    """The state machine of a document (see the module docstring). List it
    first in ``_inherit``, so that a write of the state is handled before
    the chatter tracks it."""

    _name = "kam.workflow.mixin"
    _description = "Key-Account Workflow"
    # like every model of the addon, it checks the values it is given
    _inherit = ["kam.input.check"]

    _kam_state_field = "state"
    # button name -> transition(...)
    _kam_transitions = {}
    # the fields only the buttons and scheduled actions set...
    _kam_workflow_fields = frozenset()
    # ...or, when set, the only fields a user writes (the chatter's too)
    _kam_user_fields = None

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------
    def _kam_state_label(self, state):
        field = self._fields[self._kam_state_field]
        return dict(field._description_selection(self.env)).get(state, state)

    def _kam_state_error(self, action, allowed):
        """The one error of a move refused in the current state."""
        self.ensure_one()
        return UserError(_(
            "%(action)s: \"%(record)s\" is %(state)s; allowed only from "
            "%(allowed)s.") % {
                "action": action,
                "record": self.display_name,
                "state": self._kam_state_label(self[self._kam_state_field]),
                "allowed": ", ".join(
                    self._kam_state_label(s) for s in allowed)
                or _("no state"),
            })

    def _kam_is_superuser(self):
        return self.env.uid == SUPERUSER_ID

    def _kam_check_may_move(self, name):
        """Who may run transition ``name``: the model's ``who`` method,
        which raises when the user may not; the superuser always may."""
        who = self._kam_transitions[name].who
        if who and not self._kam_is_superuser():
            getattr(self, who)(_(self._kam_transitions[name].label))

    def _kam_check_move(self, name):
        """Before transition ``name``: every record is in one of its
        states, and the user may move them."""
        move = self._kam_transitions[name]
        fname = self._kam_state_field
        for record in self:
            if record[fname] not in move.sources:
                raise record._kam_state_error(_(move.label), move.sources)
        self._kam_check_may_move(name)

    def _kam_protected_fields(self, fnames):
        """The fields of ``fnames`` a user may not write, sorted; the state
        is not among them (its write is a move, see write())."""
        fnames = set(fnames) - {self._kam_state_field}
        if self._kam_user_fields is None:
            return sorted(fnames & self._kam_workflow_fields)
        return sorted(
            name for name in fnames - self._kam_user_fields
            if not name.startswith(("message_", "activity_")))

    def _kam_protected_error(self, names):
        """The error of a write of fields the workflow sets; a model words
        it for its users."""
        return UserError(_(
            "These fields are set by the buttons and the scheduled actions "
            "and cannot be written: %s.") % ", ".join(names))

    def _kam_check_protected(self, fnames):
        """Refuse a user's write of the fields the workflow sets (the
        superuser's passes)."""
        if self._kam_is_superuser():
            return
        names = self._kam_protected_fields(fnames)
        if names:
            # the state given with them is refused as well: say so
            if self._kam_state_field in fnames:
                names = sorted(names + [self._kam_state_field])
            raise self._kam_protected_error(names)

    # ------------------------------------------------------------------
    # Kanban
    # ------------------------------------------------------------------
    @api.model
    def _read_group_state(self, states, domain, order):
        """Every state is a kanban column, even an empty one (the state
        field's ``group_expand``)."""
        return self._fields[self._kam_state_field].get_values(self.env)

    def _kam_takes_kanban_moves(self):
        return bool(self._fields[self._kam_state_field].group_expand)

    def _kam_transition_to(self, target):
        """The transition from this record's state to ``target`` a kanban
        drag runs, or None."""
        self.ensure_one()
        if not self._kam_takes_kanban_moves():
            return None
        state = self[self._kam_state_field]
        for name, move in sorted(self._kam_transitions.items()):
            if move.target == target and state in move.sources:
                return name
        return None

    # ------------------------------------------------------------------
    # ORM
    # ------------------------------------------------------------------
    def _kam_state_write(self, vals):
        """Write the state and the fields a transition sets (the buttons):
        past the model's guards on its workflow fields."""
        return super(KamWorkflowMixin, self).write(vals)

    @api.multi
    def write(self, vals):
        self._kam_check_protected(vals)
        fname = self._kam_state_field
        if fname not in vals:
            return super(KamWorkflowMixin, self).write(vals)
        vals = dict(vals)
        target = vals.pop(fname)
        field = self._fields[fname]
        if target not in field.get_values(self.env):
            # an unknown state: refused by the value check of the write
            return super(KamWorkflowMixin, self).write(
                dict(vals, **{fname: target}))
        moves, stored = [], self.browse()
        for record in self:
            if record[fname] == target:
                continue
            name = record._kam_transition_to(target)
            if name:
                moves.append((record, name))
            elif self._kam_is_superuser():
                stored |= record
            else:
                # where a drag to ``target`` starts from (none: no drag)
                sources = set()
                if self._kam_takes_kanban_moves():
                    for move in self._kam_transitions.values():
                        if move.target == target:
                            sources.update(move.sources)
                sources.discard(target)
                raise record._kam_state_error(
                    _("Move to %s") % self._kam_state_label(target),
                    sorted(sources, key=self._kam_state_order))
        if stored:
            super(KamWorkflowMixin, stored).write(
                dict(vals, **{fname: target}))
        rest = self - stored
        res = super(KamWorkflowMixin, rest).write(vals) \
            if vals and rest else True
        for record, name in moves:
            getattr(record, name)()
        return res

    def _kam_state_order(self, state):
        keys = self._fields[self._kam_state_field].get_values(self.env)
        return keys.index(state) if state in keys else len(keys)
