"""Reconsideration and litigation records of a case (行政复议、行政诉讼情况)."""
