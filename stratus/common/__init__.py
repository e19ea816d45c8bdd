"""What every role shares: the RPC spine, request context, exceptions,
wire objects and the one Celery application."""
