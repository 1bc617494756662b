from . import kam_region
from . import kam_relationship_level
from . import kam_relationship_history
from . import res_partner
