"""The case ledger (台账) export: one row per application, XLSX and CSV."""
