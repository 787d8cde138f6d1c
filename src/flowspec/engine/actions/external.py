"""Actions answered by the outside world: risk scores, connectors, scriptlets, audit events."""
