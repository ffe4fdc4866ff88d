"""Reading HAProxy's ``show stat`` output: the in-flight count of each server."""

from __future__ import annotations

from deploy.balancer import parse_stats

SHOW_STAT = (
    "# pxname,svname,qcur,qmax,scur,smax,status\n"
    "api,FRONTEND,,,5,9,OPEN\n"
    "app,app1,0,0,3,8,UP\n"
    "app,app2,1,2,8,8,UP\n"
    "app,BACKEND,1,2,11,16,UP\n"
    "\n"
)


def test_parse_stats_keys_rows_by_proxy_and_server() -> None:
    stats = parse_stats(SHOW_STAT)
    assert set(stats) == {"api/FRONTEND", "app/app1", "app/app2", "app/BACKEND"}
    assert stats["app/app1"]["scur"] == "3"
    assert stats["app/app2"]["qcur"] == "1"
    assert stats["app/app2"]["status"] == "UP"
