from . import kam_input_check
from . import kam_workflow_mixin
from . import kam_region
from . import kam_relationship_level
from . import kam_relationship_history
from . import kam_relationship_level_request
from . import kam_rfm_snapshot
from . import res_partner
# after res_partner, whose constants they import; in this order, the
# partner's fields keep their order (and create/write stay in
# res_partner alone)
from . import res_partner_visit
from . import res_partner_service
from . import res_partner_info
from . import res_partner_rfm
from . import res_partner_level_request
from . import res_users
from . import kam_visit_kind
from . import kam_visit_rule
from . import kam_visit
from . import kam_visit_compliance
from . import kam_visit_compliance_snapshot
from . import kam_support_team
from . import kam_support_team_member
from . import kam_requirement
from . import kam_requirement_stage_log
from . import kam_requirement_stage_target
from . import kam_service_station
from . import kam_complaint
from . import kam_info_category
from . import kam_info
from . import kam_target
from . import kam_satisfaction
from . import kam_scorecard
from . import kam_report
from . import res_config_settings
