"""behave's hooks for this project: flowspec checks the test world before any feature runs
and fills Examples tables that come from files."""

from flowspec.bdd.hooks import before_all, before_feature

__all__ = ["before_all", "before_feature"]
