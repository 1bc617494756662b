from . import kam_promote_wizard
