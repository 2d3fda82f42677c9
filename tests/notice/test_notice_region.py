"""Localisation regions read from real notices, checked against the data themselves (read here with
astropy.io.fits and numpy, not through gcnmon.notice.region)."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gcnmon.notice import parse
from gcnmon.notice.region import Circle, Ellipse, HealpixMap, Polygon, RegionError, healpix_from_bytes

DATA = Path(__file__).parent.parent / "data"
LVK = DATA / "lvk-userguide"
BIG = 4 << 20  # the ext-update sample is 2.07 MB (two maps)


def independent_area90(fits_bytes: bytes) -> tuple[float, float, float]:
    """(90 % area deg2, max RA, max Dec) straight from the FITS table: sort, accumulate, count."""
    import io

    from astropy_healpix import healpix_to_lonlat

    table = fits.getdata(io.BytesIO(fits_bytes), 1)
    uniq = np.asarray(table["UNIQ"], dtype=np.int64)
    dens = np.asarray(table["PROBDENSITY"], dtype=float)
    order = np.floor(np.log2(uniq / 4) / 2).astype(int)
    area = 4 * np.pi / (12 * 4.0**order)
    prob = dens * area
    prob /= prob.sum()
    rank = np.argsort(-dens)
    inside = np.cumsum(prob[rank]) <= 0.9
    best = int(np.argmax(dens))
    lon, lat = healpix_to_lonlat(uniq[best] - 4 * 4 ** order[best], 2 ** order[best], order="nested")
    return float(area[rank][inside].sum() * (180 / np.pi) ** 2), lon.deg, lat.deg


def test_lvk_preliminary_map_area_and_most_probable_pixel():
    raw = (LVK / "MS181101ab-preliminary.json").read_bytes()
    notice = parse(raw)
    region = notice.region
    assert isinstance(region, HealpixMap) and region.source == "event.skymap"
    fits_bytes = base64.b64decode(json.loads(raw)["event"]["skymap"])
    assert fits_bytes == (LVK / "bayestar.multiorder.fits").read_bytes()  # the guide's BAYESTAR map
    area, ra, dec = independent_area90(fits_bytes)
    assert round(area, 1) == 31.0  # STACK.md / the user guide
    assert region.area90 == pytest.approx(area, rel=1e-9)
    assert (notice.ra, notice.dec) == pytest.approx((ra, dec))  # the position is the most probable pixel
    out = region.as_dict()
    assert out["kind"] == "healpix" and out["max_ra"] == pytest.approx(ra) and out["containment"] is None


def test_combined_map_used_and_gw_only_kept():
    notice = parse((LVK / "MS181101ab-ext-update.json").read_bytes(), max_size=BIG)
    region = notice.region
    assert region.source == "external_coinc.combined_skymap"
    combined, *_ = independent_area90((LVK / "combined-ext.multiorder.fits").read_bytes())
    gw, *_ = independent_area90((LVK / "bayestar.multiorder.fits").read_bytes())
    assert round(combined, 1) == 27.7 and round(gw, 1) == 31.0
    assert region.area90 == pytest.approx(combined)
    assert region.also.source == "event.skymap" and region.also.area90 == pytest.approx(gw)
    assert region.better_than(region.also)  # 27.7 vs 31.0 deg2: 11 % smaller, a better position
    assert notice.warnings == ()


def test_map_containment_matches_pixel_levels():
    region = healpix_from_bytes((LVK / "bayestar.multiorder.fits").read_bytes())
    assert region.contains(region.ra, region.dec, 0.01)
    assert not region.contains((region.ra + 180) % 360, -region.dec)
    # the 90 % region's share of random sky directions is its area over the sky's
    rng = np.random.default_rng(5)
    ra, dec = rng.uniform(0, 360, 400_000), np.degrees(np.arcsin(rng.uniform(-1, 1, 400_000)))
    share = region.contains(ra, dec).mean() * 41252.96
    assert share == pytest.approx(region.area90, rel=0.08)


def test_maxi_circle_and_ellipse_guano_circle():
    circle = parse((DATA / "gcn-schema" / "maxi_gsc.unknown.circle.example.json").read_bytes()).region
    assert isinstance(circle, Circle) and circle.radius == 1.5 and circle.containment == 0.9
    assert circle.area90 == pytest.approx(
        2 * math.pi * (1 - math.cos(math.radians(1.5))) * (180 / math.pi) ** 2
    )
    ellipse_notice = parse((DATA / "gcn-schema" / "maxi_gsc.unknown.ellipse.example.json").read_bytes())
    ellipse = ellipse_notice.region
    assert isinstance(ellipse, Ellipse) and not isinstance(ellipse, Circle)
    assert (ellipse.a, ellipse.b, ellipse.pa) == (0.22, 0.19, 153.0)
    assert ellipse.area90 == pytest.approx(math.pi * 0.22 * 0.19, rel=1e-6)
    assert ellipse_notice.error_radius == 0.22  # no longer "no error"
    # the semi-major axis runs at PA 153 (north through east): its end is on the 90 % contour
    t = math.radians(153.0)
    end_ra = 346.56 + 0.22 * math.sin(t) / math.cos(math.radians(18.61))
    end_dec = 18.61 + 0.22 * math.cos(t)
    assert ellipse.level(end_ra, end_dec) == pytest.approx(0.9, abs=0.005)
    assert ellipse.contains(
        346.56 + 0.18 * math.sin(t) / math.cos(math.radians(18.61)), 18.61 + 0.18 * math.cos(t)
    )
    side = math.radians(153.0 + 90)  # along the minor axis 0.2 deg is outside (b = 0.19)
    assert not ellipse.contains(346.56 + 0.2 * math.sin(side) / math.cos(math.radians(18.61)),
                                18.61 + 0.2 * math.cos(side))
    guano = parse((DATA / "gcn-schema" / "swift_bat_guano.loc_arc_min.example.json").read_bytes()).region
    assert isinstance(guano, Circle) and guano.radius == 0.5 and guano.containment == 0.9


def test_gbm_circle_is_68_percent_and_area90_larger():
    from gcnmon.notice.region import circle_for

    gbm = circle_for("Fermi", "GBM", 10.0, 20.0, 5.0)
    assert gbm.containment == 0.68
    k68, k90 = math.sqrt(-2 * math.log(0.32)), math.sqrt(-2 * math.log(0.1))
    r90 = 5.0 * k90 / k68
    assert gbm.area90 == pytest.approx(math.pi * r90**2, rel=0.01)
    assert circle_for("Nobody", None, 10.0, 20.0, 5.0).area90 is None  # unknown containment, said so


def test_polygon_rectangle_area_and_inside():
    rect = Polygon(((10.0, -1.0), (12.0, -1.0), (12.0, 1.0), (10.0, 1.0)))
    # an equatorial 2 x 2 deg box with great-circle edges: ~4 deg2
    assert rect.area90 == pytest.approx(4.0, rel=0.01)
    assert rect.contains(11.0, 0.0) and not rect.contains(13.0, 0.0)
    assert (rect.ra, rect.dec) == pytest.approx((11.0, 0.0))
    assert rect.sample.prob.sum() == pytest.approx(1.0)
    with pytest.raises(RegionError):
        Polygon(((1.0, 1.0), (2.0, 2.0)))


def test_url_only_map_is_recorded_and_the_circle_used():
    doc = json.loads((DATA / "json" / "icecube_gold_bronze_track.json").read_text())
    doc["healpix_url"] = "https://example.org/map.fits.gz"
    region = parse(json.dumps(doc).encode()).region
    assert isinstance(region, Circle) and region.as_dict()["healpix_url"] == "https://example.org/map.fits.gz"


def test_better_than_is_a_shrinking_area():
    big, small = Circle.of(0, 0, 10.0, 0.9), Circle.of(0, 0, 2.0, 0.9)
    assert small.better_than(big) and not big.better_than(small) and small.better_than(None)
    assert not Circle.of(0, 0, 2.0, None).better_than(big)


# --- corrupt maps: a notice without a region and one warning, never a crash ----------------------

PRELIM = json.loads((LVK / "MS181101ab-preliminary.json").read_text())
SKYMAP = PRELIM["event"]["skymap"]


def _with_map(text) -> bytes:
    doc = json.loads(json.dumps(PRELIM))
    doc["event"]["skymap"] = text
    return json.dumps(doc).encode()


def _zero_map() -> str:
    import io

    data = base64.b64decode(SKYMAP)
    with fits.open(io.BytesIO(data)) as hdus:
        hdus[1].data["PROBDENSITY"][:] = 0.0
        out = io.BytesIO()
        hdus.writeto(out)
    return base64.b64encode(out.getvalue()).decode()


def _assert_no_region(data: bytes):
    notice = parse(data)
    assert notice.region is None and notice.localisation is None and notice.ra is None
    assert len(notice.warnings) == 1 and notice.warnings[0].startswith("sky map not used: event.skymap")
    assert notice.trigger_id == "MS181101ab"  # the alert itself is intact


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(min_value=0, max_value=len(SKYMAP) - 1))
def test_truncated_map_gives_a_warning_not_an_error(cut):
    _assert_no_region(_with_map(SKYMAP[:cut]))


@settings(max_examples=25, deadline=None)
@given(st.binary(max_size=4000))
def test_not_fits_gives_a_warning_not_an_error(blob):
    _assert_no_region(_with_map(base64.b64encode(blob).decode()))


@settings(max_examples=15, deadline=None)
@given(st.text(max_size=200))
def test_not_base64_gives_a_warning_not_an_error(text):
    _assert_no_region(_with_map(text))


def test_zero_probability_map_gives_a_warning():
    _assert_no_region(_with_map(_zero_map()))
    assert "no probability" in parse(_with_map(_zero_map())).warnings[0]


def test_chime_ellipse_minor_axis_first_is_turned_around():
    # CHIME writes [0.504, 0.599, 0]: the second axis is the longer, so it runs east-west (PA 90)
    region = parse((DATA / "gcn-schema" / "chime_frb.detection.example.json").read_bytes()).region
    assert isinstance(region, Ellipse)
    assert (region.a, region.b, region.pa) == pytest.approx((0.598921231135782, 0.503806986334273, 90.0))
    assert region.contains(region.ra + 0.55 / math.cos(math.radians(region.dec)), region.dec)  # east: inside
    assert not region.contains(region.ra, region.dec + 0.55)  # north: outside (b = 0.504)
