"""Profile actions: change the signed-in user's properties and custom attributes."""

from __future__ import annotations

import copy
from typing import Any

from flowspec.engine.actions.registry import REGISTRY, Outcome
from flowspec.engine.context import dynamic_values
from flowspec.engine.dynamic import MISSING, render
from flowspec.engine.model import Task
from flowspec.engine.state import RunState
from flowspec.engine.users import UserRecord

# Descope's property keys, mapped to the user record's fields.
_FIELDS = {
    "name": "name",
    "givenName": "given_name",
    "familyName": "family_name",
    "email": "email",
    "phone": "phone",
    "verifiedEmail": "verified_email",
    "verifiedPhone": "verified_phone",
}
_CUSTOM = "customAttributes."


@REGISTRY.action(
    "update-user-properties",
    reads=("user", "form.*"),
    writes=("user.*",),
    errors=("UpdateUserPropertiesFailed",),
)
def update_user_properties(state: RunState, task: Task) -> Outcome:
    """Apply ``arguments.userPropertiesDefinitions``: ``[{key, type, value}]``, templates too."""
    if state.user is None:
        return Outcome("UpdateUserPropertiesFailed", "no signed-in user to update")
    definitions = task.arguments.get("userPropertiesDefinitions") or []
    values = dynamic_values(state)
    for definition in definitions:
        key = str(definition.get("key", ""))
        value = render(definition.get("value"), values)
        if value is MISSING:
            continue
        problem = _apply(state.user, key, value)
        if problem:
            return Outcome("UpdateUserPropertiesFailed", problem)
    return Outcome()


def _apply(user: UserRecord, key: str, value: Any) -> str:
    if key.startswith(_CUSTOM):
        # The value may be a live part of the run's state (a whole form section).
        user.custom_attributes[key[len(_CUSTOM) :]] = copy.deepcopy(value)
        return ""
    field = _FIELDS.get(key)
    if field is None:
        return (
            f"unknown user property {key!r}; known: {', '.join(_FIELDS)}, customAttributes.<name>"
        )
    setattr(user, field, value)
    return ""
