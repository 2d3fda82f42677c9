"""The configuration schema: every key's type, range, default and meaning, in one place.

``gcnmon.config`` validates the user's file and ``--set`` overrides against these models, fills in
the defaults, and turns pydantic's errors into one line naming the file, the key, the value and what
is allowed. To add a key: add a field here with its default and description; consumers read
``cfg.section(...)[key]`` without a default of their own.

Two defaults are data rather than code: the Kafka topic list (the topic catalogue's ``read`` entries,
``gcnmon/data/topics.toml``) and the ``[[groups]]`` rules (read from ``config/gcnmon.toml`` once);
every other key of that file must equal its default here (a test checks).
"""

from __future__ import annotations

import functools
import tomllib
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from .limits import MAX_FRAME

__all__ = ["Settings", "SITE_PRESET_NAMES", "shipped_defaults", "key_error"]

#: ``[site] preset`` names (``gcnmon.sky.SITE_PRESETS`` holds their coordinates; a test checks both
#: agree). "Zeiss" is the SAO monitor's ``Tel=Zeiss``.
SITE_PRESET_NAMES = ("BTA", "Zeiss-1000")
_PRESET_ALIASES = {"zeiss": "Zeiss-1000"}


def key_error(key: str, value: Any, allowed: str) -> PydanticCustomError:
    """An error about ``key`` (dotted) raised from a validator that sees more than one field."""
    return PydanticCustomError("gcnmon_key", "{allowed}", {"key": key, "value": value, "allowed": allowed})


@functools.cache
def shipped_defaults() -> dict:
    """``config/gcnmon.toml`` as shipped (the source of the topic list and the default groups)."""
    from .resources import resource

    return tomllib.loads(resource("config", "gcnmon.toml").read_text(encoding="utf-8"))


def _default_topics() -> list[str]:
    from .stream.topics import default_topics  # the catalogue, gcnmon/data/topics.toml

    return default_topics()


# ---- reusable value types ------------------------------------------------------------------------

#: Seconds, finite and positive (a zero or negative delay is a busy loop or never fires).
Seconds = Annotated[float, Field(gt=0, allow_inf_nan=False)]
#: Seconds where 0 means "never".
SecondsOrOff = Annotated[float, Field(ge=0, allow_inf_nan=False)]
#: A VTP frame limit: big enough for a transport message, at most 1 GiB.
FrameSize = Annotated[int, Field(ge=1024, le=1 << 30)]
Ivorn = Annotated[str, Field(pattern=r"^ivo://\S+$")]
NonEmpty = Annotated[str, Field(min_length=1)]


def _address(text: str, default_port: int | None) -> str:
    from .relay.access import split_address

    try:
        split_address(text, default_port)
    except ValueError as exc:
        raise ValueError(str(exc)) from None
    return text


def _networks(value: Any) -> Any:
    """A comma-separated string (``--allow 10.0.0.0/8,127.0.0.1``) is a list too."""
    from .relay.access import split_list

    return split_list(value) if isinstance(value, str) else value


class _Section(BaseModel):
    # strict: a TOML string is never silently a number, nor a float an integer; unknown keys are
    # reported (a warning with a did-you-mean, an error in `gcnmon config --check`).
    model_config = ConfigDict(strict=True, extra="forbid", validate_assignment=False)


# ---- sections ------------------------------------------------------------------------------------


class Station(_Section):
    name: str = Field(
        "BTA", min_length=1, pattern=r"^[^/\\\x00]+$",
        description="names the log book (`gcn_client_<name>.log`), the Kafka consumer group and the TCS in "
        "the dialog's \"Send to ...\" button",
    )  # fmt: skip


class Sources(_Section):
    vtp: list[str] = Field(
        default_factory=list, json_schema_extra={"allowed": "list of HOST:PORT"},
        description='VTP brokers (Comet, a gcnmon relay) as `"host:port"`, tried in order with failover; '
        "`Proxy=HOST:PORT` on the command line replaces it",
    )
    kafka: bool = Field(False, description="read GCN Kafka directly (needs the `[kafka]` credentials)")

    @field_validator("vtp")
    @classmethod
    def _servers(cls, servers: list[str]) -> list[str]:
        from .stream.runners import split_server

        for server in servers:
            try:
                split_server(server)
            except ValueError as exc:
                raise ValueError(str(exc)) from None
        return servers


class Vtp(_Section):
    watchdog: float = Field(
        150.0, ge=1, allow_inf_nan=False,
        description="seconds without a packet (not even `iamalive`, which brokers send every 60 s) after "
            "which "
        "the link is stale and we reconnect",
    )  # fmt: skip
    max_frame: FrameSize = Field(
        MAX_FRAME, description="largest frame accepted, bytes; a larger length prefix drops the connection. "
        "The default (6 MiB) holds the envelope of a 4 MiB JSON notice, the largest GCN sends"
    )
    local_ivorn: Ivorn = Field(
        "ivo://gcnmon/workstation",
        description="our IVORN in transport messages (ack, nak, authenticate replies)",
    )
    backoff_initial: Seconds = Field(1.0, description="reconnection backoff: the first delay, seconds")
    backoff_max: Seconds = Field(60.0, description="reconnection backoff: the longest delay, seconds")

    @model_validator(mode="after")
    def _backoff(self) -> Vtp:
        if self.backoff_max < self.backoff_initial:
            raise key_error(
                "vtp.backoff_max", self.backoff_max, f"must be >= backoff_initial ({self.backoff_initial:g})"
            )
        return self


class Kafka(_Section):
    client_id: str = Field(
        "", description="the GCN client id (see [GCN Kafka credentials](#gcn-kafka-credentials))"
    )
    client_secret: str = Field(
        "", description="the GCN client secret; the environment and the keyring are better places for it"
    )
    domain: NonEmpty = Field(
        "gcn.nasa.gov", description="the GCN Kafka domain (`test.gcn.nasa.gov` for GCN's test cluster)"
    )
    bootstrap: str = Field(
        "",
        json_schema_extra={"allowed": "`\"\"` or HOST:PORT[,HOST:PORT...]"},
        description="a broker other than GCN's (a mirror, tests): `HOST:PORT`, plaintext, no credentials"
    )
    group_id: str = Field(
        "", description="the consumer group; empty: `<client_id>-gcnmon-<station name>-<host name>` (two "
        "workstations of one telescope never share a group). Fixed, so a restart resumes where the archive "
        "stopped",
    )  # fmt: skip
    offset_reset: Literal["latest", "earliest"] = Field(
        "earliest", description="where a group that never committed on a topic starts: `\"earliest\"` "
        "(everything the cluster retains: nothing published while gcnmon was down is lost; old notices are "
        "archived and listed, never rung) or `\"latest\"` (only new notices)",
    )  # fmt: skip
    session_timeout_ms: int = Field(
        10000, ge=1, le=3_600_000,
        description="how soon (ms) the broker gives a crashed consumer's partitions to its restarted "
            "successor",
    )  # fmt: skip
    poll_interval: Seconds = Field(0.2, description="seconds between polls (also how fast a stop is noticed)")
    retry_delay: Seconds = Field(
        2.0, description="seconds before re-reading a notice the archive could not take (it is not committed "
        "until archived)",
    )  # fmt: skip
    rebuild_after: Seconds = Field(
        300.0, description="seconds without a connection after which the consumer is made anew (a fatal or "
        "authentication error rebuilds it at once; the wait between rebuilds doubles up to 5 min)",
    )  # fmt: skip
    probe_interval: Seconds = Field(
        2.0, description="seconds between checks that the cluster is still reachable while no message comes"
    )
    fetch_wait_max_ms: int = Field(
        0, ge=0, le=3_600_000,
        description="librdkafka's `fetch.wait.max.ms` for brokers that do not answer a fetch early; 0: "
        "librdkafka's default",
    )  # fmt: skip
    topics: list[NonEmpty] = Field(
        default_factory=lambda: _default_topics(), min_length=1,
        description="the topics read (default: every stream of the topic catalogue marked `read`, "
        "`gcnmon topics` lists them); `gcn.heartbeat` only proves the link alive",
    )  # fmt: skip

    @field_validator("bootstrap")
    @classmethod
    def _bootstrap(cls, text: str) -> str:
        for item in filter(None, (part.strip() for part in text.split(","))):
            _address(item, None)
        return text


class Archive(_Section):
    path: str = Field(
        "", description="the SQLite archive of every notice, reject and observer action; empty: "
        "`archive.sqlite` in the user data directory (see [Where things live](#where-things-live)); "
        "`--archive PATH` overrides it",
    )  # fmt: skip
    hold_packets: int = Field(
        20000, ge=1, le=10_000_000,
        description="packets held in memory while the archive cannot be written (full disk); beyond "
        "that a new notice is still shown but not kept",
    )  # fmt: skip
    hold_mb: float = Field(
        256.0, gt=0, le=65536, allow_inf_nan=False,
        description="the same bound in megabytes of raw packets",
    )  # fmt: skip
    retry: Seconds = Field(5.0, description="seconds between two tries to write what is held")


class Logbook(_Section):
    dir: str = Field("", description="the folder of the log books; empty: the user log directory")


class Site(_Section):
    preset: str = Field(
        "BTA", json_schema_extra={"allowed": "`\"BTA\"`, `\"Zeiss-1000\"`, `\"Zeiss\"` or `\"\"` (any case)"},
        description="`\"BTA\"` (SAO 6-m, zenith distance limit 79°), `\"Zeiss-1000\"` (or "
        "`\"Zeiss\"`; "
        "SAO 1-m), or `\"\"` for the explicit site below",
    )  # fmt: skip
    name: str = Field("", description="site name shown in verdicts (explicit site only)")
    latitude: float | None = Field(
        None, ge=-90, le=90, allow_inf_nan=False, description="degrees north (explicit site only: required)"
    )
    longitude: float | None = Field(
        None, ge=-180, le=360, allow_inf_nan=False, description="degrees east (explicit site only: required)"
    )
    height: float = Field(
        0.0,
        ge=-500,
        le=10_000,
        allow_inf_nan=False,
        description="metres above sea level (explicit site only)",
    )
    zenith_limit: float | None = Field(
        None, gt=0, le=90, allow_inf_nan=False,
        description="largest zenith distance the telescope can reach, degrees (explicit site only: required, "
        "since the altitude check before a slew uses it)",
    )  # fmt: skip
    night_sun_altitude: float = Field(
        -12.0, ge=-90, le=0, allow_inf_nan=False,
        description="it is night when the Sun is below this: -12 is the end of nautical twilight, when a "
            "bright "
        "afterglow can already be imaged; use -18 for astronomical night",
    )  # fmt: skip

    @field_validator("preset")
    @classmethod
    def _preset(cls, preset: str) -> str:
        if not preset:
            return preset
        names = {n.lower(): n for n in SITE_PRESET_NAMES} | _PRESET_ALIASES
        if preset.lower() not in names:
            raise ValueError(
                f'must be one of {", ".join(SITE_PRESET_NAMES)}, Zeiss, or "" for the keys below'
            )
        return names[preset.lower()]

    @model_validator(mode="after")
    def _explicit(self) -> Site:
        if not self.preset:
            missing = [k for k in ("latitude", "longitude", "zenith_limit") if getattr(self, k) is None]
            if missing:
                raise key_error("site.preset", "", f"an explicit site needs {', '.join(missing)} too")
        return self


class Policy(_Section):
    test: bool = Field(
        False, description="`true` sorts test packets into the groups like real ones (the old monitor's "
        "`Test=yes`); `false` ignores them",
    )  # fmt: skip
    catalogued: bool = Field(
        False, description="show notices of catalogued/known sources (MAXI_KNOWN, BAT known source, SVOM "
        "eclairs-catalog)",
    )  # fmt: skip
    slew: bool = Field(False, description="show slew and pointing notices (Swift Point_Dir, Fermi SC_Slew); "
                       "SVOM's slewing notice is a refined position and always goes to its group")
    subthreshold: bool = Field(
        False, description="show sub-threshold triggers (Fermi GBM SubThresh, Swift sub-sub-threshold)"
    )
    min_significance: float = Field(
        6.0, ge=0, allow_inf_nan=False,
        description="sigma below which a notice is ignored, for the rules with `check_significance = true` "
        "(Swift BAT, INTEGRAL, SVOM ECLAIRs, whose significance is a detection sigma; GBM Final reports "
        "0 and "
        "XRT a different quantity, so they are not checked); `0` turns it off",
    )  # fmt: skip
    mode: Literal["log", "queue"] = Field(
        "log", description="another event of equal or lower rank while a dialog is open: `\"log\"` lists "
        "it (an `act` event is still offered when the dialog closes, if its own timeout has not run out); "
        "`\"queue\"` offers every listed event that way (highest rank first). A real notice always "
        "outranks a test notice, whatever their groups",
    )  # fmt: skip
    visibility: Literal["mark", "downgrade"] = Field(
        "mark", description="an `act` notice not observable tonight: `\"mark\"` shows it with the verdict; "
        "`\"downgrade\"` treats it as the highest-priority `inform` group",
    )  # fmt: skip
    default_group: NonEmpty = Field(
        "inform",
        json_schema_extra={"allowed": "a group's name"},
        description="the group of notices no rule matches (new missions, unknown streams): "
        "`inform`, so nothing is missed but nobody is woken by an alarm for a stream never configured",
    )  # fmt: skip
    refine_extends: bool = Field(
        True, description="a refinement restarts the dialog's timeout (it stays at least one full "
            "timeout after "
        "the latest position, as an observer following a position series expects); `false` keeps the first "
        "deadline",
    )  # fmt: skip
    max_message_age: float = Field(
        21600.0, ge=0, allow_inf_nan=False,
        description="seconds since a message was created (since it arrived when it does not say) after which "
        "it is listed, never rung: a Kafka backlog read after a restart; `0`: no limit",
    )  # fmt: skip
    max_trigger_age: float = Field(
        86400.0, ge=0, allow_inf_nan=False,
        description="seconds since the trigger after which a notice never rings and never opens as `act`: "
        "it is listed (\"old trigger, not offered\"); `0`: no limit",
    )  # fmt: skip


#: A string or a non-empty list of strings (a rule's "any of").
Globs = NonEmpty | Annotated[list[NonEmpty], Field(min_length=1)]


class Rule(_Section):
    """One match rule of a group: every field it names must match. Add new match keys here."""

    label: str | None = Field(None, description="names the rule in the log")
    mission: Globs | None = Field(None, description="case-insensitive glob(s): any of")
    instrument: Globs | None = Field(None, description="case-insensitive glob(s): any of")
    notice_type: Globs | None = Field(None, description="case-insensitive glob(s): any of")
    role: Globs | None = Field(None, description="case-insensitive glob(s): any of")
    packet_type: int | Annotated[list[int], Field(min_length=1)] | None = Field(
        None, description="an integer or a list: any of"
    )
    flags: Globs | None = Field(None, description="all must be set")
    check_significance: bool = Field(False, description="apply `[policy] min_significance`")
    max_area90: float | None = Field(
        None, ge=0,
        description="only a localisation whose 90 % area is at most this (deg²; unknown: no match)",
    )
    min_prob_up: float | None = Field(
        None, ge=0, le=1, description="only if at least this much of the localisation is above the zenith "
        "limit on arrival (at `[site]`)",
    )  # fmt: skip
    where: dict[str, Any] | None = Field(
        None, description="comparisons on params by name, all must hold: `true`/`false`, a number, "
        "`\"< 3.2e-8\"` (also `<=`, `>`, `>=`, `=`, `!=`), a text glob, or a list (any of); see "
        "[Rules on any field](#rules-on-any-field)",
    )  # fmt: skip

    @field_validator("where")
    @classmethod
    def _comparisons(cls, table: dict[str, Any] | None) -> dict[str, Any] | None:
        from .where import WhereError, parse_where

        if table is not None:
            try:
                parse_where(table)
            except WhereError as exc:
                raise ValueError(str(exc)) from None
        return table

    @model_validator(mode="after")
    def _something(self) -> Rule:
        if not (self.model_fields_set - {"label", "check_significance"}):
            raise ValueError(
                "a match rule needs at least one of mission, instrument, notice_type, role, "
                "packet_type, flags, where, max_area90, min_prob_up"
            )
        return self


class Group(_Section):
    name: NonEmpty = Field(description="shown in the dialog and the log")
    priority: int = Field(
        description="a notice of a higher-priority group replaces the dialog on screen (the replaced one "
            "stays "
        "in history); equal or lower is listed",
    )  # fmt: skip
    action: Literal["act", "inform", "ignore"] = Field(
        description="`\"act\"` (alarm, dialog with the TCS buttons), `\"inform\"` (dialog without TCS "
            "buttons), "
        "`\"ignore\"` (log only)",
    )  # fmt: skip
    timeout: float = Field(600.0, ge=1, allow_inf_nan=False, description="seconds the dialog stays open")
    sound: str = Field("", description='a file in `sounds/` played when the dialog opens; `""` for none')
    min_significance: float | None = Field(
        None,
        ge=0,
        allow_inf_nan=False,
        description="optional: ignore a matched notice below this significance",
    )
    max_error: float | None = Field(
        None, gt=0, allow_inf_nan=False,
        description="optional: ignore a matched notice with an error radius (degrees) above this",
    )  # fmt: skip
    match: list[Rule] = Field(
        default_factory=list, description="the rules; the first that matches names the reason"
    )


class Sound(_Section):
    muted: bool = Field(
        False, description="start with the alarm muted (the toolbar's and tray's \"Mute alarm\", Ctrl+M, "
            "toggles "
        "it; `Audio=No` sets it). Each group's `sound` names the file its dialogs play, from `sounds/`",
    )  # fmt: skip


class Ui(_Section):
    history_rows: int = Field(
        1000, ge=1, le=1_000_000,
        description="notices kept in the main window's history table, newest first; older ones stay in the "
        "archive (`gcnmon history`)",
    )  # fmt: skip
    scale: float = Field(
        1.0, ge=0.75, le=2.5, allow_inf_nan=False,
        description="every font of the window and the alert dialog times this; Ctrl+plus, Ctrl+minus and "
        "Ctrl+0 change it while running (1.5 reads from a couple of metres at 3 a.m.)",
    )  # fmt: skip


class Relay(_Section):
    upstream: str = Field(
        "kafka", json_schema_extra={"allowed": "`\"kafka\"`, `\"none\"` or `\"vtp://HOST:PORT[,HOST:PORT...]\"`"},
        description="`\"kafka\"` (with the `[kafka]` credentials), "
        "`\"vtp://HOST:PORT[,HOST:PORT...]\"` "
        "(brokers in failover order; `[vtp]` watchdog and backoff apply) or `\"none\"` (the receive port "
        "only)",
    )  # fmt: skip
    listen: str = Field(
        "0.0.0.0:8099",
        json_schema_extra={"allowed": "ADDR[:PORT]"},
        description="where the workstations subscribe (8099 is the conventional VTP port)"
    )
    allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32"], json_schema_extra={"allowed": "list of CIDR (or one "
            "string a,b)"},
        description="networks (CIDR) allowed to subscribe; add your LAN",
    )
    max_subscribers: int = Field(500, ge=0, description="refuse subscribers beyond this many (0: no limit)")
    queue_limit: int = Field(
        1000,
        ge=1,
        description="notices that may wait behind one subscriber's full socket before it is dropped",
    )
    max_frame: FrameSize = Field(
        MAX_FRAME, description="largest frame accepted from a subscriber or an author, bytes (the default, "
        "6 MiB, holds the envelope of a 4 MiB JSON notice; keep it equal to the workstations' "
        "`[vtp] max_frame`)"
    )
    local_ivorn: Ivorn = Field(
        "ivo://gcnmon/relay", description="our IVORN in transport messages, and as a subscriber upstream"
    )
    receive: str = Field(
        "",
        json_schema_extra={"allowed": "`\"\"` or ADDR[:PORT]"},
        description="`\"ADDR:PORT\"` to take events from local instruments (8098 is the conventional VTP "
        "receive port); `\"\"` for none",
    )  # fmt: skip
    receive_allow: list[str] = Field(
        default_factory=lambda: ["127.0.0.1/32"],
        json_schema_extra={"allowed": "list of CIDR (or one string a,b)"},
        description="hosts (CIDR) allowed to send to the receive port",
    )
    receive_timeout: Seconds = Field(
        20.0, description="seconds an author's connection may stay silent before it is closed"
    )
    stats_interval: SecondsOrOff = Field(
        600.0, description="seconds between one-line summaries in the log; 0: never"
    )

    @field_validator("allow", "receive_allow", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        return _networks(value)

    @field_validator("allow", "receive_allow")
    @classmethod
    def _cidrs(cls, value: list[str]) -> list[str]:
        from .relay.access import AllowList

        AllowList(value)  # ValueError names the bad entry
        return value

    @field_validator("upstream")
    @classmethod
    def _upstream(cls, text: str) -> str:
        from .commands.relay import upstream_servers

        upstream_servers(text)
        return text

    @field_validator("listen")
    @classmethod
    def _listen(cls, text: str) -> str:
        return _address(text, 8099)

    @field_validator("receive")
    @classmethod
    def _receive(cls, text: str) -> str:
        return _address(text, 8098) if text else text


class NotifyTarget(_Section):
    name: NonEmpty = Field(description="names the target in the log (and its URL's environment variable)")
    events: str | list[str] | None = Field(
        None,
        json_schema_extra={"allowed": "list of: unanswered, retraction, link, archive, relay"},
        description="what it is sent: any of unanswered, retraction, link, archive, relay (default: all)",
    )
    rate_limit: int = Field(12, ge=0, description="messages per hour at most; 0: no limit")
    url_env: str | None = Field(None, description="the environment variable with its apprise URL")
    url: str | None = Field(None, description="the apprise URL itself (discouraged: it holds a token)")

    @field_validator("events")
    @classmethod
    def _kinds(cls, value: str | list[str]) -> str | list[str]:
        from .notify.targets import KINDS

        unknown = sorted(set([value] if isinstance(value, str) else value) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown event(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
        return value


class Notify(_Section):
    unanswered_after: float = Field(
        5.0, ge=0, allow_inf_nan=False,
        description="minutes an act alert may stay unanswered (no button clicked) before the targets are "
        "told",
    )  # fmt: skip
    stale_after: float = Field(
        10.0, ge=0, allow_inf_nan=False,
        description="minutes a link may stay stale before the targets are told (its recovery is told too)",
    )  # fmt: skip
    retries: int = Field(4, ge=0, le=100, description="times a failed delivery is tried again")
    backoff: float = Field(
        30.0, ge=0, allow_inf_nan=False,
        description="seconds before the first retry of a failed delivery, doubling each time",
    )  # fmt: skip
    targets: list[NotifyTarget] = Field(
        default_factory=list, description="`[[notify.targets]]`: where escalations go (none by default)"
    )


class Tcs(_Section):
    """``[tcs]``; each ``[tcs.<driver>]`` table holds that driver's wire names, checked against its "
    "DEFAULTS."""

    # A [tcs.<driver>] table for any installed driver (plugins bring their own); gcnmon.config checks
    # each table's keys and types against the driver class's DEFAULTS.
    model_config = ConfigDict(extra="allow")

    driver: NonEmpty = Field(
        "dummy",
        json_schema_extra={"allowed": "an installed driver's name"},
        description="`zeiss`, `bta`, `alpaca`, or `dummy` (no TCS: the dialog's TCS buttons go nowhere); "
        "any installed driver (`gcnmon drivers`)",
    )  # fmt: skip
    url: str = Field(
        "", pattern=r"^$|^[A-Za-z][A-Za-z0-9+.-]*://\S+$",
        description="the TCS: `http://HOST:PORT`, optionally with the path (else the driver's `path` is "
            "added)",
    )  # fmt: skip
    user: str = Field("", description="the user name (the Zeiss-1000 needs one)")
    password_env: str = Field(
        "GCNMON_TCS_PASSWORD", description="the environment variable holding the password (looked at first)"
    )
    keyring_service: str = Field(
        "gcnmon-tcs",
        description="then the system keyring: this service, user = `user` (or the driver's name)",
    )
    password: str = Field("", description="last, the file itself (discouraged: plain text)")
    timeout: float = Field(
        10.0, gt=0, le=3600, allow_inf_nan=False,
        description="seconds allowed for each exchange before the TCS counts as unreachable",
    )  # fmt: skip
    fov: float = Field(
        0.0, ge=0, le=60, allow_inf_nan=False,
        description="field of view (diameter, degrees) of the fields offered for a sky map or a large "
            "circle; 0 = the site preset's (BTA 0.1, Zeiss-1000 0.2), else 1",
    )  # fmt: skip
    poll_interval: float = Field(
        1.0, gt=0, le=60, allow_inf_nan=False,
        description="seconds between two reads of the motion while a slew runs (the Stop buttons follow it)",
    )  # fmt: skip
    slew_timeout: float = Field(
        600.0, gt=0, le=86400, allow_inf_nan=False,
        description="seconds after which a slew still running is no longer watched",
    )  # fmt: skip
    name: str | None = Field(
        None,
        description="optional: the TCS's name on the dialog's \"Send to ...\" button (default: "
            "`[station] name`)",
    )

    @field_validator("driver")
    @classmethod
    def _installed(cls, name: str) -> str:
        from importlib.metadata import entry_points

        installed = sorted(ep.name for ep in entry_points(group="gcnmon.tcs_drivers"))
        if name not in installed:
            raise ValueError(f"no such TCS driver; installed: {', '.join(installed) or 'none'}")
        return name

    @model_validator(mode="after")
    def _tables(self) -> Tcs:
        for key, value in (self.model_extra or {}).items():
            if not isinstance(value, dict):
                raise key_error(
                    f"tcs.{key}",
                    value,
                    "unknown key (a [tcs.<driver>] table, or one of "
                    + ", ".join(type(self).model_fields)
                    + ")",
                )
        return self


class Settings(_Section):
    """The whole configuration; ``Settings()`` is the defaults."""

    station: Station = Field(default_factory=Station)
    sources: Sources = Field(default_factory=Sources)
    vtp: Vtp = Field(default_factory=Vtp)
    kafka: Kafka = Field(default_factory=Kafka)
    archive: Archive = Field(default_factory=Archive)
    logbook: Logbook = Field(default_factory=Logbook)
    site: Site = Field(default_factory=Site)
    policy: Policy = Field(default_factory=Policy)
    groups: list[Group] = Field(
        default_factory=lambda: list(shipped_defaults()["groups"]), min_length=1, validate_default=True,
        description="priority groups, tried in file order: the first group with a matching rule takes "
            "the notice",
    )  # fmt: skip
    sound: Sound = Field(default_factory=Sound)
    ui: Ui = Field(default_factory=Ui)
    relay: Relay = Field(default_factory=Relay)
    notify: Notify = Field(default_factory=Notify)
    tcs: Tcs = Field(default_factory=Tcs)

    @model_validator(mode="after")
    def _group_names(self) -> Settings:
        names = [g.name for g in self.groups]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise key_error("groups", None, f"duplicate group name(s) {', '.join(map(repr, twice))} "
                f"(each group "
                            "needs its own name)")
        if self.policy.default_group not in names:
            raise key_error(
                "policy.default_group", self.policy.default_group, f"must name a group ({', '.join(names)})"
            )
        return self
