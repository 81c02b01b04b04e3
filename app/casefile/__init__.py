"""The case file (归档案卷): what an archived case holds, as one PDF and a ZIP for the archive."""
