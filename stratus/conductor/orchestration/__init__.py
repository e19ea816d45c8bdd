"""The conductor's long orchestrations, one task class per operation (as
Nova's nova/conductor/tasks): build (build.py), resize and cold migration
(migrate.py), live migration (live_migrate.py), evacuation (evacuate.py),
unshelve and rebuild (rebuild.py). ComputeTaskManager holds one of each;
their endpoints are its endpoints. What a move asks of the scheduler and
the claims is in migration_spec.py."""
