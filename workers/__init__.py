"""The roles behind the queues: conductor, scheduler, compute (and later
cert, consoleauth, novncproxy), plus the RPC spine they share."""
