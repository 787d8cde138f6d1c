"""Reports of a run: a neutral model of what ran and writers that know nothing of behave."""
