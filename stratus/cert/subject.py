"""Certificate subjects written in OpenSSL's one-line form, as Nova's
[crypto] options have them (`/C=US/ST=California/O=OpenStack/CN=...`),
turned into x509 Names."""
from cryptography import x509
from cryptography.x509.oid import NameOID

from stratus.common import exception

ATTRIBUTES = {"C": NameOID.COUNTRY_NAME, "ST": NameOID.STATE_OR_PROVINCE_NAME,
              "L": NameOID.LOCALITY_NAME, "O": NameOID.ORGANIZATION_NAME,
              "OU": NameOID.ORGANIZATIONAL_UNIT_NAME, "CN": NameOID.COMMON_NAME,
              "emailAddress": NameOID.EMAIL_ADDRESS}
# Joins the attribute values while the template's %-fields are filled, so
# that a "/" or "=" inside a project or user id stays inside its value.
_SEP = "\x00"


def name(template, *values):
    """The Name `template` describes, its %-fields (if `values`) filled in
    order, as Nova fills user_cert_subject with (project, user, time)."""
    pairs = [_attribute(template, part) for part in template.strip().strip("/").split("/")]
    texts = [value for _, value in pairs]
    if values:
        try:
            texts = (_SEP.join(texts) % values).split(_SEP)
        except (TypeError, ValueError) as exc:
            raise exception.CertificateAuthorityError(
                reason=f"subject {template!r} does not take {len(values)} values: {exc}") from None
    return x509.Name([_name_attribute(template, key, text)
                      for (key, _), text in zip(pairs, texts)])


def _attribute(template, part):
    key, sep, value = part.partition("=")
    if not sep or key.strip() not in ATTRIBUTES:
        raise exception.CertificateAuthorityError(
            reason=f"subject {template!r}: {part!r} is not one of "
                   f"{', '.join(ATTRIBUTES)}=value")
    return key.strip(), value


def _name_attribute(template, key, text):
    try:
        return x509.NameAttribute(ATTRIBUTES[key], text)
    except ValueError as exc:  # e.g. a country that is not two letters
        raise exception.CertificateAuthorityError(
            reason=f"subject {template!r}: {key}={text!r}: {exc}") from None
