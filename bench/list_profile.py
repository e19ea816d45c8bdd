"""cProfile of the two halves of `GET /servers/detail?limit=N`, each in
this process (list_scale.py --profile DIR, once its cloud is up and its
environment set by conductor_call):

- conductor: the instance_get_all endpoint and the JSON encoding of its
  reply, as the conductor's worker makes it (no broker);
- api: the request through the API app (flask test client, the admin's
  token), the conductor's list reply decoded from the JSON above instead
  of waited for (its other calls go to the cloud's conductor as usual).

Each writes DIR/<half>.prof and prints its top functions by own time."""
import cProfile
import pstats
from pathlib import Path

from kombu.utils import json as kombu_json


def _conductor_half(limit):
    from stratus.common.context import get_admin_context
    from stratus.common.objects.base import to_primitive
    from stratus.conductor.instances import Instances

    reply = Instances().instance_get_all(get_admin_context(), {}, limit)
    return kombu_json.dumps({"result": to_primitive(reply)})


def _api_half(token, limit, reply):
    from stratus.api import create_app
    from stratus.common.objects.base import from_primitive
    from stratus.conductor import rpcapi

    rpcapi.ConductorAPI.instance_get_all = (
        lambda self, ctxt, filters=None, limit=None, marker=None:
        from_primitive(kombu_json.loads(reply)["result"]))
    client = create_app({}).test_client()

    def get():
        got = client.get(f"/v2.1/servers/detail?limit={limit}",
                         headers={"X-Auth-Token": token,
                                  "OpenStack-API-Version": "compute latest"})
        assert got.status_code == 200, got.data[:300]
    return get


def _profile(name, run, reads, out):
    run()  # warm
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(reads):
        run()
    profile.disable()
    path = out / f"{name}.prof"
    profile.dump_stats(path)
    print(f"  {name} half: {path} (top functions by own time, {reads} reads)")
    pstats.Stats(profile).sort_stats("tottime").print_stats(15)


def profile_halves(token, limit, reads, out):
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    _profile("conductor", lambda: _conductor_half(limit), reads, out)
    _profile("api", _api_half(token, limit, _conductor_half(limit)), reads, out)
