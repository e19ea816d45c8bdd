"""The conductor role: the only owner of the database (its endpoints, one
module per aggregate, composed in manager.ConductorManager) and the long
orchestrations (orchestration/, composed in manager.ComputeTaskManager)."""
