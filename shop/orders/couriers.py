"""Public tracking pages of Korean couriers. Links only: nothing here calls a network."""

from __future__ import annotations

from urllib.parse import quote

from shop.models import Courier

TRACKING_URLS = {
    Courier.CJ: "https://trace.cjlogistics.com/next/tracking.html?wblNo={number}",
    Courier.HANJIN: (
        "https://www.hanjin.com/kor/CMS/DeliveryMgr/WaybillResult.do"
        "?mCode=MN038&schLang=KR&wblnumText2={number}"
    ),
    Courier.LOTTE: "https://www.lotteglogis.com/home/reservation/tracking/linkView?InvNo={number}",
    Courier.POST: "https://service.epost.go.kr/trace.RetrieveDomRigiTraceList.comm?sid1={number}",
    Courier.LOGEN: "https://www.ilogen.com/web/personal/trace/{number}",
}


def tracking_url(courier: str, number: str) -> str:
    """The courier's public tracking page for ``number``; "" when there is none."""
    template = TRACKING_URLS.get(courier)
    if not template or not number:
        return ""
    return template.format(number=quote(number, safe=""))
