"""Stratus: a compute control plane in the shape of OpenStack Nova, on Celery.

One package per role (api, conductor, scheduler, compute, cert,
consoleauth, novncproxy), what they share in `common`, the commands in
`cmd`, and the settings in `config` (the repository's top-level config/)."""
