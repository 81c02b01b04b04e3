"""Repeat-application (条例第三十六条第（六）项) and proactive-disclosure (第四十四条) suggestions."""
