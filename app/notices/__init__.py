"""Notices to staff (issue 16): deadline warnings, the daily digest, the calendar reminder.

The worker's scheduler scans for what is due (scan.py, digest.py, reminder.py) and records
events in the outbox, each once by its dedupe key; the `notice` channel (channel.py) plans one
delivery per user who wants that kind of notice and delivers it as the user chose: e-mail,
SMS or an in-app notice on the dashboard (the default, so notices work with no SMTP).
"""
