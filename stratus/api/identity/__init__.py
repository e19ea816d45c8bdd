"""The identity service (a Keystone v3 subset) served by the api role:
version discovery at /identity, password authentication issuing Fernet
tokens with a service catalog, token validation and revocation, and the
authentication of every other API request (app.identity.auth).

Users, projects and role assignments live in the conductor's database;
the Fernet keys live in the api's state dir (app.identity.tokens)."""
