"""``gcnmon plan FILE... [--site PRESET] [--at ISO] [--fov DEG] [--json]``: what the telescope can do.

For each notice (VOEvent or GCN JSON) or bare multi-order FITS map: the 90 % area, the probability
above the zenith limit at ``--at`` (default now), observable tonight, the best time, and the best
fields of diameter ``--fov`` (default ``[tcs] fov``), ranked by the probability they add.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import UTC, datetime

__all__ = ["NAME", "HELP", "configure", "run"]

log = logging.getLogger(__name__)

NAME = "plan"
HELP = "probability up now / tonight and the best fields for a sky map, notice or FITS file"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", help="notices (VOEvent, GCN JSON) or FITS maps")
    parser.add_argument("--site", help="site preset (BTA, Zeiss-1000); default [site]")
    parser.add_argument("--at", help="ISO 8601 time (UTC unless it says), default now")
    parser.add_argument("--fov", type=float, help="field of view diameter, degrees (default [tcs] fov)")
    parser.add_argument("--fields", type=int, default=5, help="how many fields to list (5)")
    parser.add_argument("--json", action="store_true", help="one JSON object per file")
    parser.add_argument("--config", help="config file (default GCNMON_CONFIG or the user's)")


def _when(text: str | None) -> datetime:
    from gcnmon.config import ConfigError

    if not text:
        return datetime.now(UTC)
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(f"--at {text!r} is not an ISO 8601 time") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _region(path: str):
    """The region of a file, or an error string (one line)."""
    from gcnmon.notice import MAX_SIZE, NoticeError, parse
    from gcnmon.notice.region import RegionError, healpix_from_bytes

    limit = 4 * MAX_SIZE
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        return None, f"cannot read file: {exc.strerror or exc}"
    try:
        if data.startswith(b"SIMPLE  ="):
            return healpix_from_bytes(data, path), None
        notice = parse(data, max_size=limit)
    except (NoticeError, RegionError) as exc:
        return None, str(exc)
    for warning in notice.warnings:
        log.warning("%s: %s", path, warning)
    if notice.region is None:
        return None, "no localisation in this notice"
    return notice.region, None


def _text(path: str, plan) -> str:
    area = f"{plan.area90:.1f} deg²" if plan.area90 is not None else "unknown"
    lines = [f"{path}: 90% area {area}; up now {plan.prob_up:.0%}; tonight {plan.prob_tonight:.0%}"]
    if plan.best_time:
        lines.append(f"  best time {plan.best_time:%Y-%m-%d %H:%M} UT ({plan.best_prob:.0%} up)")
    if plan.night is None:
        lines.append("  no night at this site in the next day")
    at = "now" if plan.fields_now else (f"at {plan.fields_at:%H:%M} UT" if plan.fields_at else "")
    for i, f in enumerate(plan.fields, 1):
        where = f"RA {f.ra:.4f} Dec {f.dec:+.4f}  {f.prob:.2%}  alt {f.alt:.0f}°"
        lines.append(f"  field {i} ({plan.fov:g}°, {at}): {where}")
    if not plan.fields:
        lines.append("  no field: none of it rises above the limit tonight")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    from gcnmon.config import ConfigError, load_config
    from gcnmon.coverage import coverage, fov_for
    from gcnmon.sky import site_from_config as site_of
    from gcnmon.sky import site_number

    try:
        cfg = load_config(args.config) if args.config else load_config()
        section = {"preset": args.site} if args.site else cfg.section("site")
        site = site_of(section)
        sun = site_number("night_sun_altitude", cfg.section("site")["night_sun_altitude"])
        fov = args.fov if args.fov is not None else fov_for(cfg, site)
        if not 0 < fov <= 60:
            raise ConfigError(f"--fov {fov} must be between 0 and 60 degrees")
        when = _when(args.at)
    except ConfigError as exc:
        sys.stderr.write(f"gcnmon plan: {exc}\n")
        return 2
    ok = True
    for path in args.files:
        region, error = _region(path)
        if region is None:
            ok = False
            line = json.dumps({"file": path, "error": error}) if args.json else f"{path}: error: {error}"
        else:
            plan = coverage(region, site, when, fov, night_sun_altitude=sun, n_fields=args.fields)
            line = json.dumps({"file": path, **plan.as_dict()}) if args.json else _text(path, plan)
        sys.stdout.write(line + "\n")
    sys.stdout.flush()
    return 0 if ok else 1
