"""Standardized notice letters (规范文书): typed contexts, Jinja2 templates, WeasyPrint PDFs."""
