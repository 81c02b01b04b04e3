"""Staff views of cases: list, detail, timeline, attachments."""
