"""The test world: project settings, users and flows, read from ``scenarios/``.

Layout::

    scenarios/project.yaml   projectId, issuer, roles with their permissions, tenants,
                             stepLimit, signingKey (a PEM path; a key is generated per
                             process when absent), audience (when set, tokens carry it as
                             aud and a token without it is refused)
    scenarios/users.yaml     users: the people scenarios sign in as
    scenarios/flows/         Descope exports (.json) and YAML shorthand flows (.yaml)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flowspec.engine.bounds import read_yaml_file
from flowspec.engine.loader import load_flows
from flowspec.engine.model import Flow
from flowspec.engine.users import Directory, RoleDefinition, User, UserRecord
from flowspec.errors import SettingsError, UnknownNameError, did_you_mean
from flowspec.identity import KeyRing, TokenIssuer

DEFAULT_STEP_LIMIT = 500

_PROJECT_KEYS = frozenset(
    {"projectId", "issuer", "roles", "tenants", "stepLimit", "signingKey", "audience"}
)
_USER_KEYS = frozenset(
    {
        "userId",
        "loginIds",
        "name",
        "givenName",
        "familyName",
        "email",
        "phone",
        "verifiedEmail",
        "verifiedPhone",
        "status",
        "roles",
        "tenants",
        "customAttributes",
        "totpSecret",
        "passkey",
        "password",
        "passwordExpired",
        "test",
    }
)


@dataclass(frozen=True)
class World:
    """Everything a local run needs besides the scenario itself."""

    root: Path
    project_id: str
    roles: Mapping[str, RoleDefinition]
    tenants: Mapping[str, str]
    users: tuple[User, ...]
    flows: Mapping[str, Flow]
    issuer: TokenIssuer
    step_limit: int
    # The PEM file project.yaml's signingKey names; None when this process made the key,
    # so that only it can verify what it signs.
    key_file: Path | None = None

    @classmethod
    def load(cls, root: Path) -> World:
        """Read ``root`` (a ``scenarios/`` folder); every problem names its file."""
        if not root.is_dir():
            raise SettingsError(
                f"no test world at {root}: create it with project.yaml, users.yaml and "
                "flows/ (see README, 'The test world')"
            )
        project_file = root / "project.yaml"
        project = _read_mapping(project_file)
        _reject_unknown_keys(project, _PROJECT_KEYS, f"{project_file}")
        project_id = str(project.get("projectId") or "")
        if not project_id:
            raise SettingsError(
                f"{project_file}: projectId is missing; add e.g. projectId: P2local"
            )
        roles = _roles(project.get("roles") or {}, project_file)
        tenants = {
            str(k): str((v or {}).get("name", k)) for k, v in (project.get("tenants") or {}).items()
        }
        users_file = root / "users.yaml"
        users = _users(_read_mapping(users_file).get("users") or [], users_file, roles, tenants)
        key_path = project.get("signingKey")
        key_file = root / str(key_path) if key_path else None
        keyring = KeyRing.from_pem(key_file) if key_file else KeyRing.generate()
        issuer = TokenIssuer(
            project_id,
            keyring,
            issuer=project.get("issuer") or None,
            audience=_audience(project.get("audience"), project_file),
        )
        return cls(
            root=root,
            project_id=project_id,
            roles=roles,
            tenants=tenants,
            users=users,
            flows=load_flows(root / "flows"),
            issuer=issuer,
            step_limit=int(project.get("stepLimit") or DEFAULT_STEP_LIMIT),
            key_file=key_file,
        )

    def refresh_token(
        self,
        user: User,
        *,
        claims: Mapping[str, Any] | None = None,
        expired: bool = False,
        issuer: TokenIssuer | None = None,
    ) -> str:
        """A refresh JWT for ``user`` in Descope's shape, as if they signed in by email
        (signed once per second for equal claims: see ``TokenIssuer.mint``)."""
        # Claims need the roles' permissions only, not a copy of every user.
        claims_of = Directory((), self.roles, self.tenants).claims
        base = {**claims_of(UserRecord.of(user)), "amr": ["email"]}
        if user.test:
            base["tu"] = True
        minted_by = issuer or self.issuer
        payload = {**base, **(claims or {})}
        return minted_by.mint(user.user_id, kind="refresh", claims=payload, expired=expired)

    def directory(self) -> Directory:
        """A fresh, private copy of the users for one run."""
        return Directory(self.users, self.roles, self.tenants)

    def flow(self, flow_id: str) -> Flow:
        try:
            return self.flows[flow_id]
        except KeyError:
            raise UnknownNameError(
                "flow", flow_id, self.flows, f"in {self.root / 'flows'}"
            ) from None

    def find_user(self, ident: str) -> User | None:
        """The user whose user id or login id is ``ident``, if there is one."""
        return next((u for u in self.users if ident == u.user_id or ident in u.login_ids), None)

    def user(self, ident: str) -> User:
        """The user whose user id or login id is ``ident``."""
        user = self.find_user(ident)
        if user is not None:
            return user
        known = [login for user in self.users for login in user.login_ids]
        raise UnknownNameError("user", ident, known, f"in {self.root / 'users.yaml'}")

    def user_with_role(self, role: str) -> User:
        """The first user, in file order, who holds ``role`` anywhere."""
        for user in self.users:
            if user.holds_role(role):
                return user
        held = {r for user in self.users for r in (*user.roles, *_tenant_roles(user))}
        raise UnknownNameError(
            "role", role, held, f"held by any user in {self.root / 'users.yaml'}"
        )


def _audience(value: Any, path: Path) -> str | None:
    """The project's ``audience``: the ``aud`` its tokens carry and verification requires."""
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise SettingsError(
            f"{path}: audience must be a non-empty string, such as audience: my-api; "
            "remove it to leave aud unchecked"
        )
    return value


def _tenant_roles(user: User) -> list[str]:
    return [role for roles in user.tenants.values() for role in roles]


def _read_mapping(path: Path) -> Mapping[str, Any]:
    try:
        data = read_yaml_file(path)
    except FileNotFoundError:
        raise SettingsError(f"{path} is missing; the test world needs it") from None
    except OSError as exc:
        raise SettingsError(f"{path} cannot be read: {exc.strerror}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: expected a mapping at the top, got {type(data).__name__}")
    return data


def _reject_unknown_keys(data: Mapping[str, Any], allowed: frozenset[str], where: str) -> None:
    for key in data:
        if key not in allowed:
            raise SettingsError(
                f"{where}: unknown key {key!r}. {did_you_mean(str(key), allowed)}"
                f"Allowed: {', '.join(sorted(allowed))}."
            )


def _roles(data: Any, path: Path) -> dict[str, RoleDefinition]:
    if not isinstance(data, dict):
        raise SettingsError(f"{path}: roles must map a role name to {{permissions: [...]}}")
    return {
        str(name): RoleDefinition(
            str(name), tuple(str(p) for p in (spec or {}).get("permissions", []))
        )
        for name, spec in data.items()
    }


def _users(
    data: Any, path: Path, roles: Mapping[str, RoleDefinition], tenants: Mapping[str, str]
) -> tuple[User, ...]:
    if not isinstance(data, list):
        raise SettingsError(f"{path}: users must be a list of users")
    users = []
    for index, raw in enumerate(data):
        where = f"{path}: users[{index}]"
        if not isinstance(raw, dict) or not raw.get("userId"):
            raise SettingsError(f"{where}: each user needs at least userId and loginIds")
        _reject_unknown_keys(raw, _USER_KEYS, where)
        user_roles = tuple(str(r) for r in raw.get("roles", []))
        user_tenants = {
            str(t): tuple(str(r) for r in rs or []) for t, rs in (raw.get("tenants") or {}).items()
        }
        for role in (*user_roles, *(r for rs in user_tenants.values() for r in rs)):
            if role not in roles:
                raise UnknownNameError(
                    "role", role, roles, f"at {where}; define it in project.yaml"
                )
        for tenant in user_tenants:
            if tenant not in tenants:
                raise UnknownNameError(
                    "tenant", tenant, tenants, f"at {where}; define it in project.yaml"
                )
        users.append(
            User(
                user_id=str(raw["userId"]),
                login_ids=tuple(str(x) for x in raw.get("loginIds") or [raw["userId"]]),
                name=str(raw.get("name", "")),
                given_name=str(raw.get("givenName", "")),
                family_name=str(raw.get("familyName", "")),
                email=str(raw.get("email", "")),
                phone=str(raw.get("phone", "")),
                verified_email=bool(raw.get("verifiedEmail", False)),
                verified_phone=bool(raw.get("verifiedPhone", False)),
                status=str(raw.get("status", "enabled")),
                roles=user_roles,
                tenants=user_tenants,
                custom_attributes=dict(raw.get("customAttributes") or {}),
                totp_secret=str(raw["totpSecret"]) if raw.get("totpSecret") else None,
                passkey=bool(raw.get("passkey", False)),
                password=str(raw["password"]) if raw.get("password") else None,
                password_expired=bool(raw.get("passwordExpired", False)),
                test=bool(raw.get("test", False)),
            )
        )
    return tuple(users)
