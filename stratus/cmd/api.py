"""`stratus api`: the Nova compute API served by gunicorn."""
from gunicorn.app.base import BaseApplication

from stratus.cmd import heap


class _Gunicorn(BaseApplication):
    def __init__(self, wsgi, options, post_worker_init=None, factory=None):
        self.application, self.options, self.hook = wsgi, options, post_worker_init
        self.factory = factory
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)
        self.cfg.set("post_worker_init", self._worker_ready)

    def _worker_ready(self, worker):
        if self.hook:
            self.hook()
        if self.factory is not None:
            heap.freeze_startup_heap()  # the app (and the all-in-one's roles) built
        # Else the master froze the app before forking: the workers inherit
        # it frozen, and a collection here would write to every page they
        # share with the master (copy-on-write).

    def load(self):
        # gunicorn calls this in each worker unless the app is preloaded.
        return self.application if self.factory is None else self.factory()


def serve(host, port, workers, threads, post_worker_init=None, app_factory=None):
    """Serve create_app() with gthread workers (each request waits on a
    conductor call, so threads carry the concurrency).

    By default the app is built here, in gunicorn's master, whose
    workers share its pages. With `app_factory`, each worker builds its
    own with it and the master stays small: for a master that would
    otherwise hold what only its worker needs (the all-in-one's roles)."""
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
    if app_factory is None:
        from stratus.api import create_app

        app = create_app()
        heap.freeze_startup_heap()
        _Gunicorn(app, options, post_worker_init).run()
    else:
        _Gunicorn(None, options, post_worker_init, app_factory).run()
