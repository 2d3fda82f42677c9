"""Policy: priority groups, the one-dialog arbiter and visibility at the site (pure logic, no Qt)."""

from .alert import Alert, Close, Event, Ignored, Listed, Retract, Show, Update
from .arbiter import Arbiter
from .classify import Classification, classify, describe
from .groups import Group, Policy, Rule, policy_from_config
from .visibility import Verdict, Visibility, site_from_config, visibility_from_config

__all__ = [
    "Alert",
    "Arbiter",
    "Classification",
    "Close",
    "Event",
    "Group",
    "Ignored",
    "Listed",
    "Policy",
    "Retract",
    "Rule",
    "Show",
    "Update",
    "Verdict",
    "Visibility",
    "classify",
    "describe",
    "policy_from_config",
    "site_from_config",
    "visibility_from_config",
]
