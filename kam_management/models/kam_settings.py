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
