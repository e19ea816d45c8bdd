"""Server actions of issue 5: createImage, shelve, shelveOffload, unshelve and rebuild.
Parsing here; the checks and the conductor/compute calls as in
app.compute_actions."""

# action name -> handler(ctxt, instance, value); merged into
# app.server_actions.HANDLERS.
HANDLERS = {}
