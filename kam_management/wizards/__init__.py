from . import kam_promote_wizard
from . import kam_requirement_reject_wizard
from . import kam_requirement_approve_wizard
from . import kam_pareto_wizard
from . import kam_pareto_wizard_line
