"""The cert role (Nova's nova-cert): the cloud's certificate authority,
and the x509 certificates it signs for users, revokes and lists in a CRL."""
