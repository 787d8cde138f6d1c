"""flowspec's step library: importing this package registers every step with behave.

A project's ``steps/`` folder needs one module holding ``import flowspec.bdd.steps``
(``flowspec init`` writes it); the project's own step modules go beside that one. The
modules are imported in this order, which is the order behave tries the steps in.
"""

from flowspec.bdd.steps import context, flow, mailbox, match, outside, session, tokens

__all__ = ["context", "flow", "mailbox", "match", "outside", "session", "tokens"]
