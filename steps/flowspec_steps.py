"""The steps features use: flowspec's step library, registered with behave by importing it.

Its steps are listed in docs/steps.md (or by `flowspec steps`). A project adds steps of
its own in more modules beside this one (behave runs every .py file in steps/).
"""

import flowspec.bdd.steps  # noqa: F401
