"""Exact values per mission, each read by eye from the packet's XML/JSON (not from the parser)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from gcnmon.notice import Citation, Notice, parse

DATA = Path(__file__).parent.parent / "data"


def notice(name: str) -> Notice:
    return parse((DATA / name).read_bytes())


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def check(n: Notice, **expected) -> None:
    for field, value in expected.items():
        got = getattr(n, field)
        if isinstance(value, float):
            assert got == pytest.approx(value, abs=1e-9), field
        else:
            assert got == value, field


class TestSwift:
    def test_bat_grb_pos(self):
        n = notice("gwcelery/swift_grb_gcn.xml")
        check(n, ivorn="ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1123129-022", role="observation",
              mission="Swift",
              instrument="BAT", notice_type="BAT_GRB_Pos", packet_type=61, trigger_id="1123129", serial=1,
              time=utc("2022-09-07T14:05:25.76"), ra=268.87, dec=-20.3153, error_radius=0.05,
              significance=8.52,
              is_test=False, is_retraction=False, cites=(), flags=frozenset(),
              author="ivo://nasa.gsfc.tan/gcn")  # fmt: skip
        assert n.params["Rate_Signif"] == "13.96" and n.params["Temporal_Prox_Match"] == "true"
        assert n.event_key == ("Swift", "1123129")

    def test_xrt_followup_cites_bat(self):
        n = notice("aware/xrt_alert_1165948_acc.xml")
        check(n, instrument="XRT", packet_type=67, trigger_id="1165948", serial=2,
              time=utc("2023-04-27T10:33:34"),
              ra=153.3121, dec=48.2038, error_radius=0.0005)  # fmt: skip
        assert n.cites == (Citation("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1165948-203", "followup"),)

    def test_test_packet_type_82(self):
        n = notice("gcn-notice-parser/swift_bat_grb_pos_test_9264.xml")
        check(n, role="test", is_test=True, packet_type=82, trigger_id="99999", ra=36.0, dec=-35.0,
              notice_type="BAT_GRB_Test_Pos")  # fmt: skip

    def test_sub_sub_threshold_known_source_negative_trigger(self):
        n = notice("mwa_trigger/Swift_CFTUC_sub_sub_threshold.xml")
        check(n, packet_type=141, trigger_id="-2032248730", serial=494, ra=12.9049, dec=-74.6039,
              error_radius=0.0666, time=utc("2019-03-17T19:27:08"),
              flags=frozenset({"catalogued", "subthreshold"}))  # fmt: skip
        assert "negative trigger number -2032248730" in n.warnings

    def test_flare_star_in_catalogues(self):
        assert notice("mwa_trigger/HD_8537_FLARE_STAR_TEST.xml").flags == {"catalogued"}

    def test_star_tracker_lost_lock(self):
        n = notice("mwa_trigger/SWIFT_Lost_starlock.xml")
        check(n, flags=frozenset({"starlock_lost"}), ra=243.7946, dec=-15.0314, trigger_id="948244")

    def test_def_not_a_grb(self):
        raw = (DATA / "gwcelery/swift_grb_gcn.xml").read_bytes()
        edited = raw.replace(b'"Def_NOT_a_GRB"            value="false"',
                             b'"Def_NOT_a_GRB"            value="true"')
        assert edited != raw
        assert parse(edited).flags == {"not_grb"}

    def test_point_dir_is_a_slew_utility(self):
        n = notice("mwa_trigger/SWIFT_Point_Dir_Change.xml")
        check(n, role="utility", packet_type=83, notice_type="Point_Dir", ra=11.5836, dec=-72.6159,
              error_radius=None, flags=frozenset({"slew", "utility"}))  # fmt: skip

    def test_bat_lightcurve(self):
        check(notice("fink-mm/voevent_number=405.xml"), packet_type=63, flags=frozenset({"lightcurve"}))

    def test_unprefixed_edited_uvot(self):
        n = notice("mwa_trigger/group_02_SWIFT_03_UVOT_Pos.xml")
        check(n, instrument="UVOT", ra=191.4720, dec=89.1851, error_radius=0.0001, trigger_id="1101053")
        assert "no VOEvent namespace on the root element" in n.warnings

    def test_voevent_11(self):
        n = notice("voevent-parse/SWIFT_xrt_position_v1.1_example.xml")
        check(n, format="voevent-1.1", ra=314.7162, dec=-53.3930, error_radius=0.0009, trigger_id="644259")


class TestFermi:
    def test_gbm_flight_position(self):
        n = notice("fink-mm/voevent_number=699.xml")
        check(n, mission="Fermi", instrument="GBM", notice_type="GBM_Flt_Pos", packet_type=111,
              trigger_id="680977982", serial=116, time=utc("2022-07-31T16:32:57.36"), ra=220.8667,
              dec=68.5833,
              error_radius=16.85)  # fmt: skip
        assert n.cites[0].type == "followup" and n.cites[0].ivorn.endswith("_680977982_1-171")

    def test_gbm_alert_has_no_position(self):
        # GCN writes RA 0, Dec 0, error 0 in a GBM_Alert: there is no position yet.
        check(notice("gcn-notice-parser/fermi_gbm_alert_3785.xml"), packet_type=110, trigger_id="792135758",
              ra=None, dec=None, error_radius=None, time=utc("2026-02-07T05:42:33.65"))  # fmt: skip

    def test_fin_pos_ivorn_without_underscore(self):
        n = notice("mwa_trigger/Fermi_538809001_03.xml")
        check(n, notice_type="GBM_Fin_Pos", ra=92.26, dec=-26.10, error_radius=5.72, trigger_id="538809001")

    def test_subthreshold(self):
        n = notice("gwcelery/fermi_subthresh_grb_gcn.xml")
        check(n, packet_type=131, trigger_id="578679123", flags=frozenset({"subthreshold"}), ra=143.53,
              dec=38.0799, error_radius=10.49)  # fmt: skip

    def test_lat_impossible_ivorn_date(self):
        n = notice("gcn-notice-parser/fermi_lat_pos_ini_0.xml")
        check(n, instrument="LAT", packet_type=120, trigger_id="793795104", time=utc("2026-02-26T10:38:00"),
              ra=42.2333, dec=8.0, error_radius=0.5)  # fmt: skip
        assert "impossible date '2026-01--9130' in IVORN" in n.warnings


class TestIntegral:
    def test_wakeup(self):
        check(notice("fink-mm/voevent_number=18790.xml"), mission="INTEGRAL", instrument="IBAS",
              notice_type="Wakeup_Pos", packet_type=53, trigger_id="10042",
              time=utc("2022-09-26T10:38:19.75"),
              ra=273.965, dec=-37.2473, error_radius=0.0489, is_test=False)  # fmt: skip

    def test_test_notice_param(self):
        check(notice("gwcelery/integral_grb_gcn.xml"), is_test=True, role="observation", trigger_id="0")


class TestSvom:
    def test_eclairs_slewing(self):
        # 204 "slewing" is the refined position of a burst SVOM follows: no "slew" flag (issue 11)
        n = notice("gcn-notice-parser/eclairs_300.xml")
        check(n, ivorn="ivo://org.svom/fsc#sb26022501_slewing", mission="SVOM", instrument="ECLAIRs",
              notice_type="slewing", packet_type=204, trigger_id="sb26022501", serial=1,
              time=utc("2026-02-25T08:50:57.169"), ra=204.6748, dec=44.6546, error_radius=0.0854,
              significance=16.32, flags=frozenset(), author="ivo://org.svom/fsc")  # fmt: skip
        assert [c.type for c in n.cites] == ["followup", "followup"]
        assert n.cites[1].ivorn == "ivo://org.svom/fsc#sb26022501_eclairs-wakeup"

    def test_wakeup_and_not_slewing(self):
        check(notice("gcn-notice-parser/eclairs_296.xml"), packet_type=202, notice_type="eclairs-wakeup",
              ra=86.9755, dec=-0.4379, error_radius=0.1057, flags=frozenset())  # fmt: skip
        check(notice("gcn-notice-parser/eclairs_297.xml"), packet_type=205, flags=frozenset())

    def test_retraction(self):
        n = notice("gcn-notice-parser/eclairs_304.xml")
        check(n, packet_type=219, is_retraction=True, trigger_id="sb26030408", notice_type="retraction")
        assert n.cites == (Citation("ivo://org.svom/fsc#sb26030408_eclairs-wakeup", "retraction"),)

    def test_grm_trigger_without_position(self):
        check(notice("gcn-notice-parser/grm_284.xml"), instrument="GRM", packet_type=201, significance=91.4,
              ra=None, dec=None, time=utc("2026-02-04T10:11:30"), trigger_id="sb26020401")  # fmt: skip

    def test_catalogued_flaring_source(self):
        check(notice("gcn-notice-parser/svom_voevent_sb25082402_eclairs-catalog.xml"), packet_type=203,
              flags=frozenset({"catalogued"}), ra=256.5632, dec=-43.0365, significance=18.26)  # fmt: skip

    def test_mxt_update(self):
        check(notice("gcn-notice-parser/mxt_42.xml"), instrument="MXT", packet_type=210,
              notice_type="mxt-update_qf2", ra=237.4077, dec=26.0255, error_radius=0.0340,
              significance=101.0)  # fmt: skip


class TestLvk:
    def test_retraction(self):
        n = notice("gcn-notice-parser/lvc_retraction_16007.xml")
        check(n, ivorn="ivo://gwnet/LVC#MS260203s-3-Retraction", role="test", mission="LVK",
              notice_type="Retraction", packet_type=164, trigger_id="MS260203s", serial=3, is_test=True,
              is_retraction=True, time=utc("2026-02-03T18:45:18.811408"), ra=None,
              error_radius=None)  # fmt: skip
        assert [c.type for c in n.cites] == ["retraction", "retraction"]

    def test_retraction_encoded_as_preliminary(self):
        check(notice("lvk-userguide/MS181101abc-4-Retraction.xml"), packet_type=150, is_retraction=True,
              notice_type="Preliminary-Retraction", trigger_id="MS181101abc")  # fmt: skip

    def test_no_packet_type(self):
        n = notice("lvk-userguide/MS181101w-1-Preliminary.xml")
        check(n, packet_type=None, mission="LVK", notice_type="Preliminary", trigger_id="MS181101w")
        assert "no Packet_Type param" in n.warnings

    def test_update_supersedes(self):
        n = notice("mwa_trigger/LVC_real_update.xml")
        check(n, role="observation", is_test=False, packet_type=152, trigger_id="S230518h",
              time=utc("2023-05-18T12:59:08"))  # fmt: skip
        assert n.cites == (Citation("ivo://gwnet/LVC#S230518h-2-Initial", "supersedes"),
                           Citation("ivo://gwnet/LVC#S230518h-1-Preliminary", "supersedes"))  # fmt: skip

    def test_gw170817_initial(self):
        check(notice("gwcelery/G298048-1-Initial.xml"), trigger_id="G298048", notice_type="Initial",
              time=utc("2017-08-17T12:41:04.445710"), is_retraction=False)  # fmt: skip

    def test_file_name_lies_packet_wins(self):
        check(notice("skyportal/S200105ae.xml"), trigger_id="S191220af", ivorn="ivo://gwnet/LVC#S191220af-2-Preliminary")


class TestNeutrinos:
    def test_icecube_bronze(self):
        n = notice("rta-transient-receiver/icecube_bronze.xml")
        check(n, mission="IceCube", packet_type=174, notice_type="ICECUBE_BRONZE_Event",
              trigger_id="137840_57034692", time=utc("2023-04-16T05:22:26.15"), ra=345.8253, dec=9.0067,
              error_radius=0.5134, is_test=False, is_retraction=False)  # fmt: skip

    def test_amon_nu_em(self):
        check(notice("aware/icecube_nu_em_coinc.xml"), mission="AMON", packet_type=172, ra=23.01, dec=-10.13,
              error_radius=0.33)  # fmt: skip

    def test_antares_without_packet_type(self):
        n = notice("mwa_trigger/Antares_observation.xml")
        check(n, mission="ANTARES", packet_type=None, trigger_id="1364519891", notice_type="Antares_Alert",
              ra=12.3456, dec=-83.4567, error_radius=0.45, time=utc("2016-02-18T11:34:02"),
              cites=())  # fmt: skip
        assert "empty EventIVORN citation skipped" in n.warnings

    def test_antares_https_namespace(self):
        n = notice("mwa_trigger/Antares_1438351269.xml")
        check(n, format="voevent-2.0", trigger_id="1438351269")
        assert any("https" in w for w in n.warnings)


class TestOthers:
    def test_maxi_known_source(self):
        check(notice("aware/maxi_known.xml"), mission="MAXI", packet_type=135, notice_type="Known_source_Pos",
              flags=frozenset({"catalogued"}), ra=284.18, dec=5.3099, error_radius=0.5,
              trigger_id="1035849999")  # fmt: skip

    def test_konus_lightcurve(self):
        check(notice("voeventdb/Konus_Lightcurve_2015-07-10T00:28:01.68.xml"), mission="Konus-Wind",
              packet_type=59, flags=frozenset({"lightcurve"}), ra=None,
              time=utc("2015-07-10T00:28:01.68"))  # fmt: skip

    def test_snews_all_sky_test(self):
        check(notice("gwcelery/snews_gcn_test.xml"), mission="SNEWS", packet_type=149, is_test=True,
              role="test", ra=None, error_radius=None, trigger_id="1000194")  # fmt: skip

    def test_hess_odd(self):
        n = notice("mwa_trigger/HESS_test_event.xml")
        check(n, mission="HESS", role="observe", ra=320.7943, dec=-0.2232, error_radius=0.05,
              time=utc("2022-04-12T17:06:48.8"), significance=0.9674438609490041)  # fmt: skip
        assert "invalid role 'observe'" in n.warnings
        assert "no VOEvent namespace on the root element" in n.warnings
        assert n.cites == (Citation("ivo://nasa.gsfc.gcn/SWIFT#BAT_GRB_Pos_1102329-658", "followup"),)

    def test_gaia(self):
        check(notice("voevent-parse/Gaia16aac.xml"), mission="Gaia", ra=73.29423, dec=7.35212,
              error_radius=0.00002, time=utc("2016-01-16T07:52:27"))  # fmt: skip

    def test_asassn_offset_time(self):
        check(notice("voevent-parse/ASASSN#2016-09-25.47_2016fvf_PTSS-16nqb_PS16ejf.xml"), mission="ASAS-SN",
              time=utc("2016-09-25T11:16:48"), ra=345.0172083333333, dec=17.84811111111111)  # fmt: skip

    def test_kill_socket(self):
        check(notice("pygcn/kill_socket.xml"), format="voevent-1.1", mission="GCN", packet_type=4,
              notice_type="KILL_SOCKET", flags=frozenset({"utility"}), time=None, ra=None,
              author=None)  # fmt: skip

    def test_counterpart(self):
        check(notice("mwa_trigger/group_04_04_COUNTERPART.xml"), packet_type=45, trigger_id="1118357",
              ra=225.0142, dec=-69.4959, error_radius=0.0018)  # fmt: skip


class TestJson:
    def test_einstein_probe_wxt(self):
        n = notice("json/ep_wxt_alert.json")
        check(n, format="json", mission="EP", instrument="WXT", trigger_id="01708973486",
              time=utc("2024-03-01T21:46:05.13"), ra=120.0, dec=40.0, error_radius=0.02, significance=1.0,
              is_test=False, notice_type="einstein_probe.wxt.alert")  # fmt: skip

    def test_igwn_preliminary(self):
        n = notice("json/igwn_preliminary.json")
        check(n, mission="LVK", notice_type="Preliminary", trigger_id="MS181101ab", is_test=True,
              time=utc("2018-11-01T22:22:46.654"), instrument="H1,L1,V1", ra=None)  # fmt: skip
        assert n.params["event.far"] == "9.11069936486e-14" and "event.skymap" not in n.params

    def test_igwn_retraction(self):
        check(notice("json/igwn_retraction.json"), is_retraction=True, notice_type="Retraction", time=None)

    def test_icecube_track_same_event_as_voevent(self):
        n = notice("json/icecube_gold_bronze_track.json")
        check(n, mission="IceCube", ra=345.82, dec=9.01, error_radius=0.5,
              time=utc("2023-04-16T05:22:26.150574"))
        assert n.event_key == notice("rta-transient-receiver/icecube_bronze.xml").event_key

    def test_icecube_lvk_search_cites_superevent(self):
        n = notice("json/icecube_lvk_nu_track_search.json")
        check(n, trigger_id="S230914ak", ra=17.49, dec=16.18, error_radius=None)
        assert n.cites == (Citation("ivo://gwnet/LVC#S230914ak-2-Preliminary", "followup"),)

    def test_svom_slewing_test_tense(self):
        check(notice("json/svom_eclairs_slewing.json"), mission="SVOM", instrument="ECLAIRs", is_test=True,
              trigger_id="sb24022203", significance=25.67, flags=frozenset(), ra=143.2478)  # fmt: skip


def test_ivorn_date_check_reads_a_whole_year_not_the_tail_of_a_number():
    """An EP-style IVORN ``#01708973486-2024-03-01T...``: the date is 2024-03-01, nothing impossible."""
    from lxml import etree

    from gcnmon.notice.voevent import _identity

    warnings: list[str] = []
    root = etree.fromstring(b'<VOEvent ivorn="ivo://gcn.nasa.gov/ep#01708973486-2024-03-01T12:00:00" '
                            b'role="observation"/>')
    assert _identity(root, warnings) == (
        "ivo://gcn.nasa.gov/ep#01708973486-2024-03-01T12:00:00", "observation"
    )
    assert warnings == []
