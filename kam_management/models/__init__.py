from . import kam_region
from . import kam_relationship_level
from . import kam_relationship_history
from . import kam_rfm_snapshot
from . import res_partner
from . import res_config_settings
