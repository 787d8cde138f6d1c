"""A run's directory: the world's users as the run sees them, each a working copy made
when first looked up, with what the run changes kept for the rest of the run only."""

from __future__ import annotations

import pytest

from flowspec.engine.users import Directory, User
from flowspec.errors import UnknownNameError

ANN = User("U1", ("ann@t.test", "+15550001"), name="Ann", custom_attributes={"plan": "free"})
BOB = User("U2", ("bob@t.test",), name="Bob")
USERS = (ANN, BOB)


def directory() -> Directory:
    return Directory(USERS, {}, {})


def test_a_user_is_found_by_user_id_or_any_login_id_as_one_record() -> None:
    users = directory()
    record = users.get("U1")
    assert users.find("ann@t.test") is record
    assert users.find("+15550001") is record
    assert users.find("bob@t.test") is not record
    assert users.find("nobody@t.test") is None


def test_what_a_run_changes_stays_in_its_directory() -> None:
    first, second = directory(), directory()
    record = first.get("ann@t.test")
    record.custom_attributes["plan"] = "pro"
    record.login_ids.append("ann@work.test")
    assert first.find("ann@work.test") is record
    assert first.get("U1").custom_attributes == {"plan": "pro"}
    assert second.get("U1").custom_attributes == {"plan": "free"}
    assert second.find("ann@work.test") is None
    assert ANN.custom_attributes == {"plan": "free"}


def test_a_signed_up_user_is_found_and_named_among_the_known() -> None:
    users = directory()
    created = users.create("new@t.test", email="new@t.test")
    assert users.find("new@t.test") is created
    assert users.find(created.user_id) is created
    with pytest.raises(UnknownNameError) as caught:
        users.get("new@t.tset")
    assert "new@t.test" in caught.value.suggestions


def test_a_login_id_two_users_hold_finds_the_first_in_the_worlds_order() -> None:
    """Bob's run adds Ann's phone to his login ids: the phone still finds Ann, who
    comes first in users.yaml, whether or not the run looked Ann up before."""
    for look_up_ann_first in (False, True):
        users = directory()
        if look_up_ann_first:
            users.get("U1")
        users.get("U2").login_ids.append("+15550001")
        assert users.get("+15550001").user_id == "U1"
