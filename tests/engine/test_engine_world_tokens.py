"""The world's refresh JWTs: minted once per second for equal claims, as a fresh mint reads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from flowspec.engine.world import World
from flowspec.identity import TokenIssuer, decode_claims

NOW = 1_900_000_000.25


class CountingIssuer(TokenIssuer):
    """The world's own key and project, on a clock the test moves, counting mints."""

    def __init__(self, world: World, clock: Callable[[], float]) -> None:
        super().__init__(world.project_id, world.issuer.keyring, clock=clock)
        self.minted = 0

    def mint(self, subject: str, **options: Any) -> str:
        self.minted += 1
        return super().mint(subject, **options)


@pytest.fixture
def world(world_factory: Callable[[dict[str, str]], World]) -> World:
    return world_factory({})


def test_equal_claims_in_one_second_are_minted_once_and_read_as_a_fresh_mint(
    world: World,
) -> None:
    """Two JWTs for one user within a second are one signature, the very token a fresh
    mint of that second gives, and it verifies."""
    now = [NOW]
    issuer = CountingIssuer(world, lambda: now[0])
    user = world.user("m1@t1.test")
    first = world.refresh_token(user, issuer=issuer)
    now[0] += 0.7
    again = world.refresh_token(user, issuer=issuer)
    assert again == first
    assert issuer.minted == 1
    fresh = World.load(world.root).refresh_token(user, issuer=issuer)
    assert fresh == first
    assert issuer.verify(first).accepted


def test_a_new_second_other_claims_or_another_user_mint_anew(world: World) -> None:
    """The next second, extra claims, an expired token or another user each get a token
    of their own, with the claims asked for."""
    now = [NOW]
    issuer = CountingIssuer(world, lambda: now[0])
    member = world.user("m1@t1.test")
    first = world.refresh_token(member, issuer=issuer)
    tokens = {
        first,
        world.refresh_token(member, issuer=issuer, claims={"dct": "t1"}),
        world.refresh_token(member, issuer=issuer, expired=True),
        world.refresh_token(world.user("m2@t2.test"), issuer=issuer),
    }
    now[0] += 1
    later = world.refresh_token(member, issuer=issuer)
    tokens.add(later)
    assert len(tokens) == 5
    assert issuer.minted == 5
    assert decode_claims(later)["iat"] == decode_claims(first)["iat"] + 1
