# Copyright 2026 kam_management authors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from . import test_kam_install
from . import test_access
from . import test_key_account
from . import test_kam_info
from . import test_translation
from . import test_visit
from . import test_visit_compliance
from . import test_visit_proof
from . import test_complaint
from . import test_requirement
from . import test_info
from . import test_report
from . import test_scorecard
from . import test_support_team
from . import test_rfm
from . import test_pareto
from . import test_multi_company
from . import test_bad_input
from . import test_buttons
from . import test_workflow
from . import test_pdf_report
from . import test_language
from . import test_figures
from . import test_satisfaction
from . import test_month_handin
from . import test_visit_check_in
