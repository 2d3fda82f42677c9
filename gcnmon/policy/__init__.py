"""Policy: priority groups, the one-dialog arbiter and visibility at the site (pure logic, no Qt)."""

from .alert import (
    DIALOG_FIELDS,
    Acted,
    Alert,
    Close,
    Event,
    Fact,
    Ignored,
    Listed,
    Retract,
    Show,
    Update,
    key_text,
)
from .arbiter import Arbiter, better_position
from .classify import Classification, classify, describe
from .groups import Group, Policy, Rule, policy_from_config
from .visibility import Verdict, Visibility, site_from_config, visibility_from_config

__all__ = [
    "DIALOG_FIELDS",
    "Acted",
    "Alert",
    "Arbiter",
    "Classification",
    "Close",
    "Event",
    "Fact",
    "Group",
    "Ignored",
    "Listed",
    "Policy",
    "Retract",
    "Rule",
    "Show",
    "Update",
    "Verdict",
    "better_position",
    "Visibility",
    "classify",
    "describe",
    "key_text",
    "policy_from_config",
    "site_from_config",
    "visibility_from_config",
]
