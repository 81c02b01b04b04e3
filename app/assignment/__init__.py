"""Routing work inside an organ: departments (科室), who handles a case (承办人), claims and
assignments (签收、分办)."""
