"""Entry points, one module per role (as nova/cmd). Each imports only
what its role needs, so that `stratus compute` never loads the ORM."""
