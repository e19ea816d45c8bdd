"""The conductor role: the only owner of the database, and the long
orchestrations (build, reschedule)."""
