"""The annual report (RULES §8): tables 三 and 四, their drill-down and the year lock."""
