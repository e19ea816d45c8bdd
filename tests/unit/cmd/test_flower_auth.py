"""`stratus flower` puts Flower's /metrics and /healthcheck behind the same
basic auth as its other pages (tests/functional/test_flower.py asks a real
Flower); here, the route table it hands Flower."""
from click.testing import CliRunner

from stratus import config
from stratus.cmd.main import cli


def _routes():
    from flower import urls

    return {route[0]: route[1] for route in urls.handlers if isinstance(route, tuple)}


def test_monitoring_pages_ask_for_credentials(db, roles, tmp_path, monkeypatch):
    from stratus.common.celeryapp import app

    monkeypatch.setenv("STRATUS_STATE_DIR", str(tmp_path))
    config.reset_settings()
    monkeypatch.setattr(app, "start", lambda argv: None)
    for _ in range(2):  # a second start wraps nothing twice
        assert CliRunner().invoke(cli, ["flower"]).exit_code == 0
        routes = _routes()
        for page in ("/metrics", "/healthcheck"):
            handler = routes[page]
            assert handler.stratus_authenticated
            assert not getattr(handler.__mro__[1], "stratus_authenticated", False)
    monkeypatch.undo()
    config.reset_settings()
