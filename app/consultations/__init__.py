"""Consultations of a case: third parties, other organs, the legal office (征求意见, 会商)."""
