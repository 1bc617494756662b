# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Every button works (issue 11): each ``type="object"`` button of the
addon's form, kanban and list views is clicked, as a demo user the view
shows it to, on a record where it is visible.

The buttons are read from the views themselves (``fields_view_get`` as each
demo user, so groups, ``states`` and ``attrs`` are applied as the web client
applies them): a new button is covered without editing this test.

A click must either return an action the web client can open (a window
action on a model the user may read, with a domain that runs) or have a
visible effect (a row written: a state moved, a message posted, an activity
planned). A smart button (``oe_stat_button``) must return a window action:
``None`` there is a button that does nothing. A refusal with a clear
message (``UserError``) on one record is allowed if the button works on
another one; anything else raised is a failure.
"""
import json
import logging

from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools.safe_eval import safe_eval

from .common import DEMO_USERS, KamCase

_logger = logging.getLogger(__name__)
VIEW_TYPES = ("form", "kanban", "tree")
# records tried per button, user and pass before giving up on that pass
TRIES = 4
PASSES = 3


def eval_domain(domain, values):
    """Evaluate a client-side ``modifiers`` domain (prefix notation) on a
    record's values as the web client does."""
    if isinstance(domain, bool):
        return domain
    if not domain:
        return True
    stack = []
    for token in reversed(domain):
        if token == "!":
            stack.append(not stack.pop())
        elif token == "&":
            stack.append(stack.pop() & stack.pop())
        elif token == "|":
            left, right = stack.pop(), stack.pop()
            stack.append(left | right)
        else:
            stack.append(eval_leaf(token, values))
    return all(stack)


def eval_leaf(leaf, values):
    fname, op, value = leaf
    current = values.get(fname)
    if isinstance(current, tuple):          # many2one read as (id, name)
        current = current[0]
    if isinstance(current, list) and op in ("=", "!="):
        current = bool(current) if value in (False, True) else current
    ops = {
        "=": lambda a, b: a == b or (not a and not b and b is False),
        "==": lambda a, b: a == b,
        "!=": lambda a, b: not (a == b or (not a and not b and b is False)),
        "<>": lambda a, b: a != b,
        "in": lambda a, b: a in b,
        "not in": lambda a, b: a not in b,
        "<": lambda a, b: a is not False and a < b,
        ">": lambda a, b: a is not False and a > b,
        "<=": lambda a, b: a is not False and a <= b,
        ">=": lambda a, b: a is not False and a >= b,
    }
    return bool(ops[op](current, value))


def modifier_domains(node):
    """The ``invisible`` modifiers of a node and of every ancestor: a
    button inside an invisible page or div is invisible too."""
    domains = []
    while node is not None:
        modifiers = json.loads(node.get("modifiers") or "{}")
        if "invisible" in modifiers:
            domains.append(modifiers["invisible"])
        node = node.getparent()
    return domains


def domain_fields(domains):
    names = set()
    for domain in domains:
        if isinstance(domain, list):
            names.update(leaf[0] for leaf in domain
                         if isinstance(leaf, (list, tuple)))
    return names


def inline_field_ancestor(node):
    """A button inside an x2many field's own sub-view belongs to the
    comodel: such buttons are not the view's own."""
    parent = node.getparent()
    while parent is not None:
        if parent.tag == "field":
            return parent
        parent = parent.getparent()
    return None


class Button(object):
    """One button of one view, as one user sees it."""

    def __init__(self, model, view, node):
        self.model = model
        self.view = view
        self.name = node.get("name")
        self.label = node.get("string") or node.get("name")
        self.smart = "oe_stat_button" in (node.get("class") or "")
        self.context = node.get("context")
        self.domains = modifier_domains(node)

    @property
    def key(self):
        return (self.model, self.name, self.label, self.view.xml_id)

    def visible_on(self, values):
        return not any(eval_domain(d, values) for d in self.domains)

    def __repr__(self):
        return "%s.%s (%r in %s)" % (self.model, self.name, self.label,
                                     self.view.xml_id)


class TestEveryButtonWorks(KamCase):

    @classmethod
    def setUpClass(cls):
        super(TestEveryButtonWorks, cls).setUpClass()
        cls.users = [cls.env.ref(xmlid) for login, xmlid in
                     sorted(DEMO_USERS.items()) if login != "admin"]
        cls.views = cls._addon_root_views()
        cls.own_buttons = cls._addon_button_names()

    @classmethod
    def _addon_root_views(cls):
        """The primary views the addon defines or extends."""
        data = cls.env["ir.model.data"].search([
            ("module", "=", "kam_management"), ("model", "=", "ir.ui.view")])
        roots = cls.env["ir.ui.view"]
        for view in cls.env["ir.ui.view"].browse(data.mapped("res_id")):
            while view.mode == "extension" and view.inherit_id:
                view = view.inherit_id
            if view.type in VIEW_TYPES:
                roots |= view
        return roots

    @classmethod
    def _addon_button_names(cls):
        """(model, method) of the object buttons written in the addon's own
        views: the buttons of the views it extends are not its own."""
        data = cls.env["ir.model.data"].search([
            ("module", "=", "kam_management"), ("model", "=", "ir.ui.view")])
        names = set()
        for view in cls.env["ir.ui.view"].browse(data.mapped("res_id")):
            for node in etree.fromstring(view.arch_db.encode()).iter(
                    "button"):
                if node.get("type") == "object":
                    names.add((view.model, node.get("name")))
        return names

    # ------------------------------------------------------------------
    def _buttons_seen_by(self, user):
        """Every object button of the addon's views that ``user`` may see
        on some record (groups applied by ``fields_view_get``)."""
        buttons = []
        for view in self.views:
            Model = self.env[view.model].sudo(user)
            if not Model.check_access_rights("read", raise_exception=False):
                continue
            arch = Model.fields_view_get(view_id=view.id,
                                         view_type=view.type)["arch"]
            for node in etree.fromstring(arch).iter("button"):
                if node.get("type") != "object":
                    continue
                if inline_field_ancestor(node) is not None or \
                        (view.model, node.get("name")) not in \
                        self.own_buttons:
                    continue
                button = Button(view.model, view, node)
                if True in button.domains:      # hidden for this user
                    continue
                buttons.append(button)
        return buttons

    def _candidates(self, button, user, pool):
        """Records of the button's model that ``user`` reads and on which
        the button is visible."""
        Model = self.env[button.model].sudo(user)
        if Model._transient:
            records = pool.get(button.model, Model)
            records = records.sudo(user).exists()
        else:
            records = Model.search([], limit=200, order="id desc")
        fnames = [f for f in domain_fields(button.domains)
                  if f in Model._fields]
        visible = Model.browse()
        for values in records.read(fnames or ["display_name"]):
            if button.visible_on(values):
                visible |= Model.browse(values["id"])
        return visible

    def _written(self):
        """Rows inserted, updated or deleted so far in this transaction."""
        self.env.cr.execute("""
            SELECT coalesce(sum(n_tup_ins + n_tup_upd + n_tup_del), 0)
              FROM pg_stat_xact_user_tables""")
        return self.env.cr.fetchone()[0]

    def _click(self, button, record, user):
        """Call the button as the web client does; return its result and
        whether something was written."""
        context = {"active_model": record._name, "active_id": record.id,
                   "active_ids": record.ids}
        if button.context:
            values = record.read()[0]
            values.update(context, context_today=lambda: None, uid=user.id)
            context.update(safe_eval(button.context, values))
        before = self._written()
        with self.env.cr.savepoint():
            result = getattr(record.sudo(user).with_context(**context),
                             button.name)()
        self.env.clear()
        return result, self._written() != before

    def _check_action(self, button, result, user, record, pool):
        """A returned action must open for the user; wizards it opens join
        the pool of records whose own buttons are clicked next."""
        self.assertIsInstance(result, dict, button)
        self.assertTrue(str(result.get("type", "")).startswith("ir.actions."),
                        "%r returned %r" % (button, result))
        if result["type"] != "ir.actions.act_window":
            return
        Target = self.env[result["res_model"]].sudo(user)
        Target.check_access_rights("read")
        context = result.get("context") or {}
        if isinstance(context, str):
            context = safe_eval(context, {
                "uid": user.id, "active_id": record.id,
                "active_ids": record.ids, "context_today": lambda: None})
        if result.get("res_id"):
            Target.browse(result["res_id"]).check_access_rule("read")
        domain = result.get("domain") or []
        if isinstance(domain, str):
            domain = safe_eval(domain, {"uid": user.id,
                                        "active_id": record.id})
        Target.search_count(domain)
        if Target._transient and result.get("target") == "new":
            wizard = self._open_wizard(Target, context)
            if wizard:
                pool[Target._name] = pool.get(
                    Target._name, Target.browse()) | wizard
                return wizard
        return None

    def _open_wizard(self, Target, context):
        """Open a wizard as the user would: its defaults, and a value in
        each required field the defaults leave empty. None when it cannot
        be opened that way (its buttons then go unclicked, which the test
        reports)."""
        Target = Target.with_context(**context)
        defaults = Target.default_get(list(Target._fields))
        vals = {}
        for name, field in Target._fields.items():
            if not field.required or defaults.get(name):
                continue
            if field.type in ("char", "text", "html"):
                vals[name] = "Button test"
            elif field.type == "many2one":
                domain = field.domain(Target) if callable(field.domain) \
                    else (field.domain or [])
                vals[name] = self.env[field.comodel_name].search(
                    domain, limit=1).id
        try:
            with self.env.cr.savepoint():
                return Target.create(vals)
        except (AccessError, UserError, ValidationError):
            return None

    def _open_menu_wizards(self, user, pool):
        """Wizards opened from the addon's menus (no button leads there)."""
        data = self.env["ir.model.data"].search([
            ("module", "=", "kam_management"),
            ("model", "=", "ir.actions.act_window")])
        for action in self.env["ir.actions.act_window"].browse(
                data.mapped("res_id")):
            Target = self.env[action.res_model].sudo(user)
            if not Target._transient or action.binding_model_id or \
                    not Target.check_access_rights("create",
                                                   raise_exception=False):
                continue    # wizards on selected records: from buttons
            context = safe_eval(action.context or "{}", {
                "uid": user.id, "context_today": lambda: None})
            try:
                wizard = self._open_wizard(Target, context)
            except (AccessError, UserError):
                continue        # e.g. the settings: administrators only
            if not wizard:
                continue
            pool[Target._name] = pool.get(Target._name,
                                          Target.browse()) | wizard

    # ------------------------------------------------------------------
    def test_every_object_button_works(self):
        worked, refused, broken = set(), {}, {}
        seen = {}
        pools = {user.id: {} for user in self.users}
        buttons = {user.id: self._buttons_seen_by(user)
                   for user in self.users}
        for _pass in range(PASSES):
            for user in self.users:
                pool = pools[user.id]     # wizards belong to their user
                if _pass == 0:
                    self._open_menu_wizards(user, pool)
                for button in buttons[user.id]:
                    seen.setdefault(button.key, button)
                    # each user does what they may, once: a KAM submits
                    # their report, then their manager can acknowledge it
                    if (button.key, user.id) in worked or \
                            button.key in broken:
                        continue
                    opened = self._try(button, user, pool, worked, refused,
                                       broken)
                    if opened:
                        # the user goes on in the wizard just opened
                        self._try_wizard(opened, buttons[user.id], user,
                                         pool, worked, refused, broken)
        worked = {key for key, _user in worked}
        self.assertFalse(broken, "buttons that crash or do nothing:\n%s"
                         % "\n".join(sorted(broken.values())))
        self.assertGreater(len(seen), 30, "the views' buttons were not "
                           "found: %s" % sorted(seen))
        missing = sorted(
            "%r: %s" % (button, "\n    ".join(refused.get(key, [
                "never visible to a demo user on a demo record"])))
            for key, button in seen.items() if key not in worked)
        self.assertFalse(missing, "buttons never clicked with success:\n%s"
                         % "\n".join(missing))
        _logger.info("%d buttons of %d views clicked with success",
                     len(worked), len(self.views))

    def _fill_form(self, button, record, user):
        """Type something into the empty, editable fields the form shows,
        as a user completes a form before clicking its button (the web
        client saves the form first)."""
        form = button.view if button.view.type == "form" else None
        Model = record.sudo(user)
        arch = Model.fields_view_get(view_id=form and form.id,
                                     view_type="form")["arch"]
        nodes = [node for node in etree.fromstring(arch).iter("field")
                 if inline_field_ancestor(node) is None]
        names = [n.get("name") for n in nodes if n.get("name") in
                 Model._fields]
        values = Model.read(names)[0]
        vals = {}
        for node in nodes:
            name = node.get("name")
            field = Model._fields.get(name)
            if not field or values.get(name) or field.readonly and not \
                    field.states or not field.store:
                continue
            modifiers = json.loads(node.get("modifiers") or "{}")
            if any(eval_domain(d, values) for d in modifier_domains(node)) \
                    or eval_domain(modifiers.get("readonly", False), values):
                continue
            if field.type in ("char", "text", "html"):
                vals[name] = "Button test"
            elif field.type == "many2one":
                domain = field.domain(Model) if callable(field.domain) \
                    else (field.domain if isinstance(field.domain, list)
                          else [])
                vals[name] = self.env[field.comodel_name].search(
                    domain, limit=1).id
        vals = {k: v for k, v in vals.items() if v}
        if vals:
            Model.write(vals)
        return vals

    def _try(self, button, user, pool, worked, refused, broken):
        for record in self._candidates(button, user, pool)[:TRIES]:
            try:
                try:
                    result, wrote = self._click(button, record, user)
                except (UserError, ValidationError):
                    # maybe the form asks for something first: fill it in
                    # and click again (both undone if it still fails)
                    with self.env.cr.savepoint():
                        if not self._fill_form(button, record, user):
                            raise
                        result, wrote = self._click(button, record, user)
            except (AccessError, UserError, ValidationError) as error:
                # a clear message in a dialog, not a traceback: try the
                # next record (or user)
                refused.setdefault(button.key, []).append(
                    "%s on %s: %s" % (user.login, record, error.name))
                continue
            except Exception as error:  # pylint: disable=broad-except
                broken[button.key] = "%r as %s on %s raised %r" % (
                    button, user.login, record, error)
                return
            opened = None
            if isinstance(result, dict):
                opened = self._check_action(button, result, user, record,
                                            pool)
            elif not wrote:
                broken[button.key] = (
                    "%r as %s on %s: returned %r and changed nothing%s" % (
                        button, user.login, record, result,
                        " (a smart button that opens nothing)"
                        if button.smart else ""))
                return
            worked.add((button.key, user.id))
            return opened
        return None

    def _try_wizard(self, wizard, buttons, user, pool, worked, refused,
                    broken):
        """Click the buttons of a wizard right after opening it."""
        own = {wizard._name: wizard}
        for button in buttons:
            if button.model == wizard._name and \
                    (button.key, user.id) not in worked and \
                    self._candidates(button, user, own):
                self._try(button, user, own, worked, refused, broken)
