"""Exceptions that cross role boundaries. Each has an HTTP code the API
maps it to; over RPC they travel as {"type", "message"} and are rebuilt
from this module by name."""


class StratusException(Exception):
    """Base of every Stratus error; `msg_fmt` is filled from kwargs."""

    msg_fmt = "An unknown exception occurred."
    code = 500

    def __init__(self, message=None, **kwargs):
        self.kwargs = kwargs
        if message is None:
            try:
                message = self.msg_fmt % kwargs
            except (KeyError, TypeError):
                message = self.msg_fmt
        self.message = str(message)
        super().__init__(self.message)

    def to_primitive(self):
        return {"type": type(self).__name__, "message": self.message}

    @staticmethod
    def from_primitive(data):
        cls = globals().get(data.get("type"))
        if not (isinstance(cls, type) and issubclass(cls, StratusException)):
            cls = RemoteError
        return cls(data.get("message", ""))


class RemoteError(StratusException):
    msg_fmt = "Remote error."


class Invalid(StratusException):
    msg_fmt = "Invalid request."
    code = 400


class NotFound(StratusException):
    msg_fmt = "Resource could not be found."
    code = 404


class Conflict(StratusException):
    msg_fmt = "Conflict."
    code = 409


class InstanceNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s could not be found."


class FlavorNotFound(NotFound):
    msg_fmt = "Flavor %(flavor_id)s could not be found."


class ImageNotFound(NotFound):
    msg_fmt = "Image %(image_id)s could not be found."


class ComputeHostNotFound(NotFound):
    msg_fmt = "Compute host %(host)s could not be found."


class FlavorExists(Conflict):
    msg_fmt = "Flavor with %(key)s %(value)s already exists."


class ImageExists(Conflict):
    msg_fmt = "Image %(image_id)s already exists."


class UnexpectedTaskStateError(Conflict):
    msg_fmt = ("Conflict updating instance %(instance_uuid)s. "
               "Expected: %(expected)s. Actual: %(actual)s")


class UnexpectedDeletingTaskStateError(UnexpectedTaskStateError):
    pass


class NoValidHost(StratusException):
    msg_fmt = "No valid host was found. %(reason)s"


class UnsupportedVersion(StratusException):
    msg_fmt = "Endpoint %(role)s does not support RPC version %(version)s (speaks %(supported)s)."


class RoleNotLoaded(StratusException):
    msg_fmt = ("%(method)s is not served in this process: local mode runs only the "
               "roles loaded with load_roles().")


class VersionCapExceeded(StratusException):
    """An operation the cloud's upgrade level does not allow yet (some
    service is older): it conflicts with the cloud's state, as Nova's 409
    for a service too old."""
    msg_fmt = "RPC version %(version)s is above the cap %(cap)s for %(role)s."
    code = 409


class ServiceUnavailable(StratusException):
    """Something every request needs cannot be reached for now: nothing
    was done, and the same request may be sent again later (the API
    answers 503 with Retry-After)."""

    msg_fmt = "The service is unavailable."
    code = 503


class DatabaseUnavailable(ServiceUnavailable):
    """The conductor lost, or could not open, its database connection;
    the transaction was rolled back or never began (one lost during its
    very commit may have been committed: tasks are idempotent)."""

    msg_fmt = "The database cannot be reached: %(reason)s"


class MessagingUnavailable(ServiceUnavailable):
    """The message could not be handed to the broker: it was not sent."""

    msg_fmt = "The message broker cannot be reached; %(method)s was not sent: %(reason)s"


class MessagingTimeout(StratusException):
    """A call was sent but its reply did not come: whether it was carried
    out is unknown (as oslo.messaging's "Timed out waiting for a reply")."""

    msg_fmt = ("Timed out after %(timeout)ss waiting for a reply to %(method)s; "
               "whether it was carried out is unknown.")
    code = 504


class UnknownHost(StratusException):
    msg_fmt = "This process serves no compute host named %(host)s."


class HypervisorError(StratusException):
    msg_fmt = "Hypervisor error: %(reason)s"


# operator resources: keypairs, quotas, services (Nova's texts)
class InvalidKeypair(Invalid):
    msg_fmt = "Keypair data is invalid: %(reason)s"


class KeypairNotFound(NotFound):
    msg_fmt = "Keypair %(name)s not found for user %(user_id)s"


class KeyPairExists(Conflict):
    msg_fmt = "Key pair '%(key_name)s' already exists."


class OverQuota(StratusException):
    """Nova raises 413 internally; its API answers every OverQuota with 403."""

    msg_fmt = "Quota exceeded for resources: %(overs)s"
    code = 403


class TooManyInstances(OverQuota):
    msg_fmt = ("Quota exceeded for %(overs)s: Requested %(req)s, but already used "
               "%(used)s of %(allowed)s %(overs)s")


class KeypairLimitExceeded(OverQuota):
    msg_fmt = "Quota exceeded, too many key pairs."


class ServiceNotFound(NotFound):
    msg_fmt = "Service %(service_id)s could not be found."


# server actions, metadata and instance actions (Nova's API texts)
class InstanceTagNotFound(NotFound):
    msg_fmt = "Instance %(instance_id)s has no tag '%(tag)s'"


class TooManyTags(Invalid):
    msg_fmt = "The number of tags exceeded the per-server limit %(limit)d"


class InstanceInvalidState(Conflict):
    msg_fmt = "Cannot '%(action)s' instance %(instance_uuid)s while it is in %(attr)s %(state)s"


class InstanceIsLocked(Conflict):
    msg_fmt = "Instance %(instance_uuid)s is locked"


class InstanceNotReady(Conflict):
    msg_fmt = "Instance %(instance_id)s is not ready"


class InstanceActionNotFound(NotFound):
    msg_fmt = "Action %(request_id)s not found"


# server groups (Nova's texts)
class InstanceGroupNotFound(NotFound):
    msg_fmt = "Instance group %(group_uuid)s could not be found."


class ServerGroupLimitExceeded(OverQuota):
    msg_fmt = "Quota exceeded, too many server groups."


class GroupMemberLimitExceeded(OverQuota):
    msg_fmt = "Quota exceeded, too many servers in group"


class GroupAffinityViolation(Conflict):
    """A claim that would break its server group's hard policy: the
    scheduler tries the next host."""

    msg_fmt = "%(policy)s instance group policy was violated"


class MetadataLimitExceeded(OverQuota):
    msg_fmt = "Maximum number of metadata items exceeds %(allowed)d"


# consoles (Nova's texts)
class ConsoleTypeInvalid(Invalid):
    msg_fmt = "Invalid console type %(console_type)s"


class ConsoleNotAvailable(NotFound):
    msg_fmt = "Guest does not have a console available."


class ConsoleTypeUnavailable(Invalid):
    msg_fmt = "Unavailable console type %(console_type)s."


# certificates (the cert role)
class CertificateAuthorityError(StratusException):
    """The CA's files or its configured subjects cannot be used."""

    msg_fmt = "The certificate authority cannot work: %(reason)s"


# identity (Keystone's texts)
class NotAuthenticated(StratusException):
    """Bad credentials, or a token that is not (or no longer) valid."""

    msg_fmt = "The request you have made requires authentication."
    code = 401


class UserNotFound(NotFound):
    msg_fmt = "Could not find user: %(user_id)s."


class ProjectNotFound(NotFound):
    msg_fmt = "Could not find project: %(project_id)s."


class RoleNotFound(NotFound):
    msg_fmt = "Could not find role: %(role_id)s."


class TokenNotFound(NotFound):
    msg_fmt = "Failed to validate token"


class IdentityConflict(Conflict):
    msg_fmt = "Conflict occurred attempting to store %(type)s - %(details)s."


# migrations (Nova's texts where Nova has one)
class MigrationNotFound(NotFound):
    msg_fmt = "Migration %(migration_id)s could not be found."


class MigrationInProgress(Conflict):
    msg_fmt = ("Instance %(instance_uuid)s is already being moved (migration "
               "%(migration_id)s is %(status)s)")


class MigrationStatusConflict(Conflict):
    """A host's step found the migration elsewhere than it expected (a
    second delivery, or a revert that overtook it)."""

    msg_fmt = "Migration %(migration_id)s is %(actual)s, not %(expected)s"


class MarkerNotFound(Invalid):
    msg_fmt = "Marker %(marker)s could not be found."


class CannotResizeToSameFlavor(Invalid):
    msg_fmt = "When resizing, instances must change flavor!"


class MigrationPreCheckError(Invalid):
    msg_fmt = "Migration pre-check error: %(reason)s"


# flavor access
class FlavorAccessExists(Conflict):
    msg_fmt = ("Flavor access already exists for flavor %(flavor_id)s and project "
               "%(project_id)s combination.")


class FlavorAccessNotFound(NotFound):
    msg_fmt = "Flavor access not found for %(flavor_id)s / %(project_id)s combination."


# aggregates and hosts
class AggregateNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s could not be found."


class AggregateNameExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_name)s already exists."


class AggregateHostExists(Conflict):
    msg_fmt = "Aggregate %(aggregate_id)s already has host %(host)s."


class AggregateHostNotFound(NotFound):
    msg_fmt = "Aggregate %(aggregate_id)s has no host %(host)s."


class InvalidAggregateAction(Invalid):
    """Nova answers 400 for an update, metadata change or delete..."""

    msg_fmt = "Cannot %(action)s aggregate %(aggregate_id)s. Reason: %(reason)s."


class InvalidAggregateHostAction(Conflict):
    """...and 409 when adding or removing a host would break a zone rule."""

    msg_fmt = "Cannot %(action)s aggregate %(aggregate_id)s. Reason: %(reason)s."


class HostNotFound(NotFound):
    msg_fmt = "Host %(host)s could not be found."


# The network service's errors carry Neutron's names: its error body
# ({"NeutronError": {"type": ...}}) is built from the class name.
class NetworkNotFound(NotFound):
    msg_fmt = "Network %(net_id)s could not be found."


class SubnetNotFound(NotFound):
    msg_fmt = "Subnet %(subnet_id)s could not be found."


class PortNotFound(NotFound):
    msg_fmt = "Port %(port_id)s could not be found."


class SecurityGroupNotFound(NotFound):
    msg_fmt = "Security group %(id)s does not exist"


class SecurityGroupRuleNotFound(NotFound):
    msg_fmt = "Security group rule %(id)s does not exist"


class NetworkInUse(Conflict):
    msg_fmt = ("Unable to complete operation on network %(net_id)s. There are one or more "
               "ports still in use on the network.")


class SubnetInUse(Conflict):
    msg_fmt = ("Unable to complete operation on subnet %(subnet_id)s: One or more ports have "
               "an IP allocation from this subnet.")


class SecurityGroupInUse(Conflict):
    msg_fmt = "Security Group %(id)s in use."


class PortInUse(Conflict):
    msg_fmt = ("Unable to complete operation for network %(net_id)s. The port %(port_id)s "
               "is in use by %(device_id)s.")


class IpAddressAlreadyAllocated(Conflict):
    msg_fmt = "IP address %(ip)s already allocated in subnet %(subnet_id)s"


class IpAddressGenerationFailure(Conflict):
    msg_fmt = "No more IP addresses available on network %(net_id)s."


class InvalidIpForSubnet(Invalid):
    msg_fmt = "IP address %(ip)s is not a valid IP for the specified subnet."


class SecurityGroupDefaultAlreadyExists(Conflict):
    msg_fmt = "Default security group already exists."


class SecurityGroupCannotRemoveDefault(Conflict):
    msg_fmt = "Insufficient rights for removing default security group."


class PolicyNotAuthorized(StratusException):
    """Neutron's 403: its policy forbids this to the caller."""

    msg_fmt = "rule:%(action)s is disallowed by policy"
    code = 403


class NetworkAmbiguous(Conflict):
    msg_fmt = "Multiple possible networks found, use a Network ID to be more specific."
