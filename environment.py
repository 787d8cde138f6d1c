"""behave's hooks for this project: flowspec checks the test world before any feature runs,
fills Examples tables that come from files, and skips @local scenarios on other backends."""

from flowspec.bdd.hooks import after_all, before_all, before_feature, before_scenario

__all__ = ["after_all", "before_all", "before_feature", "before_scenario"]
