# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Writing for a person in that person's language.

Activities, chatter messages and report titles that the addon writes are
read by someone else than the user whose action wrote them (often the
scheduled action's user, in English). Their text is made in the reader's
language: the methods that hold the ``_()`` calls run on a record whose
context carries the reader's ``lang``, which is what Odoo 11's ``_()``
reads.
"""


def lang_of(user):
    """The language ``user`` reads, en_US when they have none set."""
    return user.lang or "en_US"


def in_lang(record, user):
    """``record`` in ``user``'s language."""
    return record.with_context(lang=lang_of(user))


def users_by_lang(users):
    """``users`` grouped by language: ``[(lang, users)]``, by language."""
    groups = {}
    for user in users:
        lang = lang_of(user)
        groups[lang] = groups.get(lang, users.browse()) | user
    return sorted(groups.items(), key=lambda item: item[0])
