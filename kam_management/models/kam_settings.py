# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Reading the addon's numeric system parameters."""
import logging

_logger = logging.getLogger(__name__)


def number_param(env, key, default, minimum, cast=int):
    """The system parameter ``key`` as a number of type ``cast``, at least
    ``minimum``; ``default`` when it is missing or not a number (logged, so
    a typo in a setting never stops a scheduled action)."""
    params = env["ir.config_parameter"].sudo()  # sudo: a setting
    value = params.get_param(key, str(default))
    try:
        return max(cast(value), minimum)
    except ValueError:
        _logger.warning("%s is not a number (%r): using %s",
                        key, value, default)
        return default


TRUE_TEXTS = ("true", "1")
FALSE_TEXTS = ("false", "0")


def bool_param(env, key, default):
    """The system parameter ``key`` as a boolean (``True``/``False``, also
    ``1``/``0``, any case); ``default`` when it is missing or unreadable
    (logged: ``ir.config_parameter`` refuses such a value when it is
    set)."""
    params = env["ir.config_parameter"].sudo()  # sudo: a setting
    value = params.get_param(key)
    if value is None or value is False:
        return default
    text = str(value).strip().lower()
    if text in TRUE_TEXTS:
        return True
    if text in FALSE_TEXTS:
        return False
    _logger.warning("%s is not True or False (%r): using %s",
                    key, value, default)
    return default
