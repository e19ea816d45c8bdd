"""Tables of the identity service: projects, users, their role
assignments and the revoked tokens. Imported by models.py so that they
belong to its metadata."""
import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from stratus.conductor.db.models import Base


class Project(Base):
    __tablename__ = "projects"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uniq_projects0domain_id0name"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(64))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    description: Mapped[str | None] = mapped_column(Text)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("domain_id", "name", name="uniq_users0domain_id0name"),)
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    domain_id: Mapped[str] = mapped_column(String(64), default="default")
    # "scrypt$n$r$p$salt$hash"; None: the user cannot log in with a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    default_project_id: Mapped[str | None] = mapped_column(String(64))
    # Keystone keeps what a client sends beyond its own attributes; these
    # two are the ones clients send (Tempest's users carry an email).
    email: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)


class RoleAssignment(Base):
    """A role a user holds on a project (the role a name from
    stratus.common.context.ROLES)."""

    __tablename__ = "role_assignments"
    __table_args__ = (UniqueConstraint("user_id", "project_id", "role",
                                       name="uniq_role_assignments0user0project0role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    role: Mapped[str] = mapped_column(String(64))


class RevokedToken(Base):
    """A revoked token's id, kept until the token would have expired anyway."""

    __tablename__ = "revoked_tokens"
    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime.datetime] = mapped_column(DateTime, index=True)
