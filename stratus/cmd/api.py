"""`stratus api`: the Nova compute API served by gunicorn."""
from gunicorn.app.base import BaseApplication


class _Gunicorn(BaseApplication):
    def __init__(self, wsgi, options, post_worker_init=None):
        self.application, self.options, self.hook = wsgi, options, post_worker_init
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.hook:
            self.cfg.set("post_worker_init", lambda worker: self.hook())

    def load(self):
        return self.application


def serve(host, port, workers, threads, post_worker_init=None):
    """Serve create_app() with gthread workers (each request waits on a
    conductor call, so threads carry the concurrency)."""
    from stratus.api import create_app

    options = {"bind": f"{host}:{port}", "workers": workers, "threads": threads,
               "worker_class": "gthread", "accesslog": "-", "timeout": 120,
               # Clients poll with a kept-alive connection (the openstack
               # client's --wait every 5 s): a server closing it at the same
               # moment races the next request, which then fails with
               # "Remote end closed connection". Idle connections wait in
               # the worker's poller, not in a thread, so keep them longer
               # than any poll interval.
               "graceful_timeout": 5, "keepalive": 75,
               # One shared control socket path would collide between APIs on one machine.
               "control_socket_disable": True}
    _Gunicorn(create_app(), options, post_worker_init).run()
