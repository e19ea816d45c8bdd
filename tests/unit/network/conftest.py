import pytest

from stratus.common.context import RequestContext
from stratus.conductor.rpcapi import ConductorAPI


@pytest.fixture
def api(db):
    from stratus.common.celeryapp import load_roles

    load_roles("conductor")
    return ConductorAPI()


@pytest.fixture
def demo():
    return RequestContext(user_id="u-demo", project_id="p-demo", roles=["member"])


@pytest.fixture
def other():
    return RequestContext(user_id="u-other", project_id="p-other", roles=["member"])
