"""The openstack client manages identity on the distributed cloud with
nothing but the admin's openrc: projects, users and role assignments made
with `openstack project/user/role ...`, then used by the new user's own
openstack client."""
from tests.functional.clients import osc, osc_json, unique_name


def test_project_user_and_role_from_the_openstack_client(cloud, env):
    project, user = unique_name("proj"), unique_name("user")
    made = osc_json(env, "project", "create", "--domain", "default",
                    "--description", "made by the CLI", project)
    assert (made["name"], made["domain_id"], made["enabled"]) == (project, "default", True)
    assert project in {row["Name"] for row in osc_json(env, "project", "list")}

    created = osc_json(env, "user", "create", "--project", project, "--password", "pw-cli",
                       "--email", "cli@example.org", user)
    assert created["default_project_id"] == made["id"] and created["email"] == "cli@example.org"
    osc(env, "role", "add", "--project", project, "--user", user, "member")
    assigned = osc_json(env, "role", "assignment", "list", "--user", user, "--names")
    assert [(row["Role"], row["User"], row["Project"]) for row in assigned] == \
        [("member", f"{user}@Default", f"{project}@Default")]

    # The new user's own client: its token works; refused the list of all
    # projects, the client falls back on the user's own, as with Keystone;
    # the user list is closed to it.
    theirs = {**env, "OS_USERNAME": user, "OS_PASSWORD": "pw-cli", "OS_PROJECT_NAME": project}
    assert osc_json(theirs, "server", "list") == []
    assert [row["Name"] for row in osc_json(theirs, "project", "list")] == [project]
    refused = osc(theirs, "user", "list", ok=False)
    assert refused.returncode != 0 and "403" in refused.stderr

    osc(env, "user", "set", "--disable", user)
    assert osc_json(env, "user", "show", user)["enabled"] is False
    osc(env, "role", "remove", "--project", project, "--user", user, "member")
    assert osc_json(env, "role", "assignment", "list", "--user", user) == []
    osc(env, "user", "delete", user)
    osc(env, "project", "delete", project)
    assert project not in {row["Name"] for row in osc_json(env, "project", "list")}
