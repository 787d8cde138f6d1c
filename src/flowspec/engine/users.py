"""Test-world users: who exists, what they hold, and how a flow sees them.

A ``User`` is the definition read from ``scenarios/users.yaml``; a run works on a
``UserRecord``, a mutable copy, so what one scenario's flow changes (a new TOTP factor, a
custom attribute) never leaks into the next scenario.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowspec.errors import UnknownNameError


@dataclass(frozen=True)
class RoleDefinition:
    """A role as the project's Authorization tab defines it."""

    name: str
    permissions: tuple[str, ...] = ()


@dataclass(frozen=True)
class User:
    """A test-world user as ``scenarios/users.yaml`` defines it."""

    user_id: str
    login_ids: tuple[str, ...]
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    verified_email: bool = False
    verified_phone: bool = False
    status: str = "enabled"
    roles: tuple[str, ...] = ()
    tenants: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    custom_attributes: Mapping[str, Any] = field(default_factory=dict)
    totp_secret: str | None = None
    passkey: bool = False
    password: str | None = None
    password_expired: bool = False
    test: bool = False

    def holds_role(self, role: str) -> bool:
        """True when the role is held at project level or in any tenant."""
        return role in self.roles or any(role in roles for roles in self.tenants.values())


@dataclass
class UserRecord:
    """The working copy of a user that a run reads and the flow's actions change."""

    user_id: str
    login_ids: list[str]
    name: str
    given_name: str
    family_name: str
    email: str
    phone: str
    verified_email: bool
    verified_phone: bool
    status: str
    roles: list[str]
    tenants: dict[str, list[str]]
    custom_attributes: dict[str, Any]
    totp_secret: str | None
    passkeys: list[dict[str, Any]]
    has_passkey: bool
    password: str | None
    password_expired: bool
    test: bool

    @classmethod
    def of(cls, user: User) -> UserRecord:
        return cls(
            user_id=user.user_id,
            login_ids=list(user.login_ids),
            name=user.name,
            given_name=user.given_name,
            family_name=user.family_name,
            email=user.email,
            phone=user.phone,
            verified_email=user.verified_email,
            verified_phone=user.verified_phone,
            status=user.status,
            roles=list(user.roles),
            tenants={tenant: list(roles) for tenant, roles in user.tenants.items()},
            custom_attributes=copy.deepcopy(dict(user.custom_attributes)),
            totp_secret=user.totp_secret,
            passkeys=[],
            has_passkey=user.passkey,
            password=user.password,
            password_expired=user.password_expired,
            test=user.test,
        )


class Directory:
    """The users of one run (or one server), looked up by user id or login id.

    A run gets a directory of its own, so each scenario starts from the world's users;
    a user is copied into the run's working record only when the run first looks them
    up, as most runs touch one or two users of a world that may hold hundreds.
    """

    def __init__(
        self,
        users: Iterable[User],
        roles: Mapping[str, RoleDefinition],
        tenant_names: Mapping[str, str],
    ) -> None:
        self._originals = {user.user_id: user for user in users}
        # The records looked up or created so far, by user id.
        self._records: dict[str, UserRecord] = {}
        self._roles = roles
        self._tenant_names = tenant_names

    def find(self, ident: str) -> UserRecord | None:
        """The user whose user id or one of whose login ids is ``ident``."""
        if ident in self._records:
            return self._records[ident]
        if ident in self._originals:
            return self._record(ident)
        for user_id, login_ids in self._login_ids():
            if ident in login_ids:
                return self._record(user_id)
        return None

    def create(self, login_id: str, *, email: str = "", phone: str = "") -> UserRecord:
        """A new user, as a sign-up makes one; the user id is derived from the login id."""
        user_id = "U" + hashlib.sha256(login_id.encode()).hexdigest()[:27]
        record = UserRecord.of(
            User(user_id=user_id, login_ids=(login_id,), email=email, phone=phone)
        )
        self._records[user_id] = record
        return record

    def get(self, ident: str, where: str = "") -> UserRecord:
        record = self.find(ident)
        if record is None:
            known = [login for _, login_ids in self._login_ids() for login in login_ids]
            raise UnknownNameError("user", ident, known, where)
        return record

    def _record(self, user_id: str) -> UserRecord:
        record = self._records.get(user_id)
        if record is None:
            record = self._records[user_id] = UserRecord.of(self._originals[user_id])
        return record

    def _login_ids(self) -> Iterator[tuple[str, Sequence[str]]]:
        """Each user's login ids as the run sees them now (a run may add one), the
        world's users first, in their order, then those the run signed up."""
        for user_id, user in self._originals.items():
            record = self._records.get(user_id)
            yield user_id, user.login_ids if record is None else record.login_ids
        for user_id, record in self._records.items():
            if user_id not in self._originals:
                yield user_id, record.login_ids

    def permissions(self, roles: Iterable[str]) -> list[str]:
        """The permissions the given roles grant, in definition order, without repeats."""
        granted: dict[str, None] = {}
        for role in roles:
            definition = self._roles.get(role)
            if definition is not None:
                granted.update(dict.fromkeys(definition.permissions))
        return list(granted)

    def claims(self, record: UserRecord) -> dict[str, Any]:
        """The authorization claims Descope puts in this user's tokens."""
        return {
            "roles": list(record.roles),
            "permissions": self.permissions(record.roles),
            "tenants": {
                tenant: {"roles": list(roles), "permissions": self.permissions(roles)}
                for tenant, roles in record.tenants.items()
            },
        }

    def dynamic_values(self, record: UserRecord) -> dict[str, Any]:
        """The ``user.*`` values a flow reads, in Descope's field names."""
        return {
            "userId": record.user_id,
            "loginIds": list(record.login_ids),
            "name": record.name,
            "givenName": record.given_name,
            "familyName": record.family_name,
            "email": record.email,
            "phone": record.phone,
            "verifiedEmail": record.verified_email,
            "verifiedPhone": record.verified_phone,
            "status": record.status,
            "roleNames": list(record.roles),
            "tenantIds": list(record.tenants),
            "tenantNames": [self._tenant_names.get(t, t) for t in record.tenants],
            "userTenants": [
                {
                    "tenantId": tenant,
                    "tenantName": self._tenant_names.get(tenant, tenant),
                    "roleNames": list(roles),
                }
                for tenant, roles in record.tenants.items()
            ],
            "customAttributes": record.custom_attributes,
            "totp": record.totp_secret is not None,
            "webauthn": record.has_passkey or bool(record.passkeys),
            "password": record.password is not None,
            "test": record.test,
        }
