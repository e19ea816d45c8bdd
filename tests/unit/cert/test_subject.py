"""Subjects in OpenSSL's one-line form, as Nova's [crypto] options."""
import pytest
from cryptography.x509.oid import NameOID

from stratus.common import exception
from stratus.cert import subject

NOVA_USER_SUBJECT = "/C=US/ST=California/O=OpenStack/OU=NovaDev/CN=%.16s-%.16s-%s"


def _get(name, oid):
    return name.get_attributes_for_oid(oid)[0].value


def test_a_user_subject_holds_project_user_and_time_as_nova_fills_it():
    name = subject.name(NOVA_USER_SUBJECT, "project-with-a-long-id", "user/with=signs",
                        "2026-01-02T03:04:05Z")
    assert _get(name, NameOID.COMMON_NAME) == "project-with-a-l-user/with=signs-2026-01-02T03:04:05Z"
    assert _get(name, NameOID.COUNTRY_NAME) == "US"
    assert _get(name, NameOID.ORGANIZATIONAL_UNIT_NAME) == "NovaDev"


@pytest.mark.parametrize("template, values, why", [
    ("/C=US/XX=1", (), "'XX=1' is not one of"),
    ("/C=USA/CN=ca", (), "C=.USA.: .*length"),
    ("/CN=%s-%s", ("only one",), "does not take 1 values"),
])
def test_a_subject_that_cannot_be_used_is_a_clear_error(template, values, why):
    with pytest.raises(exception.CertificateAuthorityError, match=why):
        subject.name(template, *values)
