"""The pages people use in a browser: the applicant portal (and, next, the staff workbench).

A page handler is a router like the JSON ones: parse the form, call one service function,
render. Every rule lives in the services the JSON API calls too.
"""
