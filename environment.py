"""behave's hooks for this project: flowspec checks the test world before any feature runs,
fills Examples tables that come from files, skips @local scenarios on other backends, and
records outcomes for --compare."""

from flowspec.bdd.hooks import (
    after_all,
    after_scenario,
    before_all,
    before_feature,
    before_scenario,
)

__all__ = ["after_all", "after_scenario", "before_all", "before_feature", "before_scenario"]
