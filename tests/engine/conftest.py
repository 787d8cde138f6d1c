"""A small test world written to a temporary folder, shared by the engine tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from flowspec.engine.world import World

PROJECT = """
projectId: P2test
roles:
  admin: {permissions: [Impersonate]}
  tenant-admin: {permissions: [Impersonate]}
  member: {permissions: []}
tenants:
  t1: {name: Tenant One}
  t2: {name: Tenant Two}
stepLimit: 50
"""

USERS = """
users:
  - userId: U-admin
    loginIds: [admin@t1.test]
    name: Admin
    roles: [admin]
    tenants: {t1: [member]}
    totpSecret: JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP
  - userId: U-tadmin
    loginIds: [tadmin@t1.test]
    tenants: {t1: [tenant-admin]}
  - userId: U-m1
    loginIds: [m1@t1.test]
    name: Member One
    tenants: {t1: [member]}
  - userId: U-m2
    loginIds: [m2@t2.test]
    tenants: {t2: [member]}
"""


def write_world(root: Path, flows: dict[str, str]) -> Path:
    """Write project.yaml, users.yaml and the given YAML flows under ``root``."""
    (root / "flows").mkdir(parents=True)
    (root / "project.yaml").write_text(PROJECT)
    (root / "users.yaml").write_text(USERS)
    for name, text in flows.items():
        (root / "flows" / f"{name}.yaml").write_text(textwrap.dedent(text))
    return root


def load(root: Path, flows: dict[str, str]) -> World:
    return World.load(write_world(root, flows))


@pytest.fixture(scope="session")
def world_folder(tmp_path_factory: pytest.TempPathFactory):
    """Write a test world (project, users, YAML flows) to a fresh folder; return the folder."""

    def build(flows: dict[str, str]) -> Path:
        return write_world(tmp_path_factory.mktemp("world"), flows)

    return build


@pytest.fixture(scope="session")
def world_factory(tmp_path_factory: pytest.TempPathFactory):
    """Build a world from YAML flows in a fresh temporary folder."""

    def build(flows: dict[str, str]) -> World:
        return load(tmp_path_factory.mktemp("world"), flows)

    return build
