"""core.outage: one line a minute per kind of failure, saying how many were left out."""

import logging

from core import outage


def test_one_line_a_minute_per_kind_with_the_count_left_out(caplog):
    outage.reset()
    caplog.set_level(logging.WARNING, logger="portal.outage")
    assert outage.should_log("cache:get", now=1000.0) == (True, 0)
    for second in range(1, 40):
        assert outage.should_log("cache:get", now=1000.0 + second) == (False, 0)
    assert outage.should_log("storage", now=1001.0) == (True, 0)  # another kind has its own minute
    assert outage.should_log("cache:get", now=1060.0) == (True, 39)
    outage.reset()


def test_the_mail_filter_lets_one_record_of_a_kind_through_a_minute():
    outage.reset()
    filter_ = outage.OncePerMinuteFilter()

    def record(msg="Service Unavailable: %s", status=503):
        made = logging.makeLogRecord({"name": "django.request", "msg": msg, "levelno": logging.ERROR})
        made.status_code = status
        return made

    assert filter_.filter(record()) is True
    assert filter_.filter(record()) is False
    assert filter_.filter(record(msg="Internal Server Error: %s", status=500)) is True  # another kind
    console = outage.UnavailableOncePerMinuteFilter()
    assert console.filter(record(msg="Internal Server Error: %s", status=500)) is True
    assert console.filter(record(msg="Internal Server Error: %s", status=500)) is True  # 500s are all kept
    outage.reset()
