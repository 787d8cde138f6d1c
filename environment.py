"""behave's hooks for this project: flowspec checks the test world before any feature runs."""

from flowspec.bdd.hooks import before_all

__all__ = ["before_all"]
