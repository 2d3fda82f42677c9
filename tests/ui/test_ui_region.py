"""The dialog's region section and the sky map's contours, on the real app (pytest-qt, offscreen)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from gcnmon.notice import parse
from gcnmon.notice.region import Ellipse

LVK = Path(__file__).parents[1] / "data" / "lvk-userguide"


@pytest.fixture(scope="module")
def lvk():
    return parse((LVK / "MS181101ab-ext-update.json").read_bytes(), max_size=4 << 20)


def _with_region(notice, region):
    return dataclasses.replace(notice, ra=region.ra, dec=region.dec, error_radius=None, localisation=region)


def test_ui_lvk_map_in_the_dialog_says_its_area_and_reach(make_app, make_notice, feed, lvk):
    app = make_app(4)
    notice = _with_region(make_notice(), lvk.region)
    feed(app, notice)
    panel = app.dialog.region
    assert panel.isVisible()
    assert panel.labels["area"].text().startswith("27.7 deg²")  # the combined map (STACK.md: 27.7)
    assert "combined GW + external map" in panel.labels["area"].text()
    plan = panel.plan
    # 20:00 UT in November: the map (RA 13h) is below the limit now and rises before dawn
    assert plan.prob_up < 0.01 and plan.prob_tonight > 0.5
    assert f"{plan.prob_tonight:.0%} tonight" in panel.labels["up"].text()
    assert plan.fields and not plan.fields_now
    assert app.dialog.target() == (plan.fields[0].ra, plan.fields[0].dec)
    assert f"at {plan.best_time:%H:%M} UT" in panel.position.text()


def test_ui_next_field_is_logged_and_sent_to_the_tcs(make_app, make_notice, feed, zenith, wait_until):
    app = make_app(4)
    region = Ellipse(zenith[0], zenith[1] - 3.0, 4.0, 2.0, 30.0, 0.9)  # 25 deg2 just south of the zenith
    notice = _with_region(make_notice(), region)
    feed(app, notice)
    panel = app.dialog.region
    assert panel.isVisible() and panel.plan.fields_now and panel.plan.prob_up == pytest.approx(1.0)
    first = app.dialog.target()
    panel.next_button.click()
    second = app.dialog.target()
    assert second != first and second == (panel.plan.fields[1].ra, panel.plan.fields[1].dec)
    assert "FIELD   2/5 selected" in app.logbook.path.read_text()
    app.dialog.buttons["send"].click()
    wait_until(lambda: app.dialog.reply.isVisible(), 5)
    sent = app.tcs_sim.telescope.commands[0].target
    assert sent.ra == pytest.approx(second[0], abs=1e-3) and sent.dec == pytest.approx(second[1], abs=1e-3)
    # the field, not the centre
    assert (sent.ra, sent.dec) != pytest.approx((notice.ra, notice.dec), abs=1e-3)


def test_ui_small_circle_has_no_region_section(make_app, make_notice, feed):
    app = make_app(4)
    notice = make_notice()  # a BAT circle of 3 arcmin
    feed(app, notice)
    assert not app.dialog.region.isVisible() and app.dialog.target() is None


def test_ui_sky_map_draws_the_map_contours(make_app, make_notice, feed, lvk, clock):
    app = make_app(None)
    notice = _with_region(make_notice(), lvk.region)
    feed(app, notice)
    skymap = app.window.skymap
    skymap.refresh_sky(clock(), sync=True)
    app.window.update_markers(notice.ivorn)
    assert len(skymap._contours) == 1
    marker, image = skymap._contours[0]
    assert marker.region is lvk.region
    # Hammer-Aitoff is equal-area: the painted 90 % region's cells add up to the map's 90 % area
    ptr = image.constBits()
    rgba = np.frombuffer(ptr, dtype=np.uint8).reshape(image.height(), image.width(), 4)
    from gcnmon.ui import skydata

    cell = skydata.WIDTH / image.width() * skydata.HEIGHT / image.height() * (180 / np.pi) ** 2  # deg2
    painted = (rgba[..., 3] > 0).sum() * cell
    assert painted == pytest.approx(27.7, rel=0.15)
    edge = rgba[..., 3] >= 200  # the contour lines themselves: a thin ring, not a blob
    assert 0 < edge.sum() * cell < painted
    shot = skymap.grab().toImage()
    assert shot.width() > 300
