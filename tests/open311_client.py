"""An independent Open311 client against `citydesk serve` (run by tests/open311.rs).

It drives the PyPI package `georeport` (0.3.1), written by others for real city
endpoints, in JSON or XML: list the services, read a definition, post a
request, read it back, list requests by date and by status. georeport has no
POST (and the other package, `open311` 1.1, does not import on Python 3), so
the POST is made with `requests`, georeport's own HTTP library, form-encoded as
the GeoReport v2 spec says.

usage: open311_client.py BASE_URL API_KEY json|xml CLOSED_ID
Prints one line per step and exits non-zero on the first failed check.
"""

import datetime
import sys

import requests
import xmltodict
from georeport import GeoReport

PERSONAL = ["Parisa", "Karimi", "parisa.k@example.org", "09351234567"]


def as_list(x):
    if x is None:
        return []
    return x if isinstance(x, list) else [x]


def check(cond, what):
    if not cond:
        print(f"FAILED: {what}")
        sys.exit(1)
    print(f"ok: {what}")


def no_personal_data(record, where):
    text = repr(record)
    for p in PERSONAL:
        check(p not in text, f"{where} does not show {p!r}")


def main():
    base, key, fmt, closed_id = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
    client = GeoReport(base, api_key=key, output_format=fmt)

    services = as_list(client.get_service_list())
    codes = {s["service_code"]: s for s in services}
    check("pothole" in codes and "tree-fallen" in codes, f"{fmt}: the service list has pothole and tree-fallen ({len(services)} services)")
    meta = codes["tree-fallen"]["metadata"]
    check(meta in (True, "true"), f"{fmt}: tree-fallen has metadata")
    check(codes["tree-fallen"]["type"] == "realtime", f"{fmt}: type realtime")

    definition = client.get_service_definition("tree-fallen")
    attrs = definition["attributes"]
    if fmt == "xml":
        attrs = as_list(attrs["attribute"])
    size = [a for a in attrs if a["code"] == "size"]
    check(len(size) == 1, f"{fmt}: the definition asks for the tree's size")
    values = size[0]["values"]
    if fmt == "xml":
        values = as_list(values["value"])
    check(sorted(v["key"] for v in values) == ["large", "medium", "small"], f"{fmt}: size is small, medium or large")

    form = {
        "api_key": key,
        "service_code": "tree-fallen",
        "attribute[size]": "large",
        "lat": "35.7219",
        "long": "51.3347",
        "address_string": "Vali-Asr St, Golestan",
        "description": f"A plane tree fell across the road ({fmt})",
        "first_name": "Parisa",
        "last_name": "Karimi",
        "email": "parisa.k@example.org",
        "phone": "09351234567",
    }
    r = requests.post(f"{base}/requests.{fmt}", data=form, timeout=30)
    check(r.status_code == 200, f"{fmt}: POST answered 200 (got {r.status_code}: {r.text[:200]})")
    if fmt == "json":
        posted = r.json()[0]
    else:
        posted = as_list(xmltodict.parse(r.content)["service_requests"]["request"])[0]
    rid = str(posted["service_request_id"])
    check(len(rid) == 9 and rid.isdigit(), f"{fmt}: the request got id {rid}")
    check("Referred to" in (posted.get("service_notice") or ""), f"{fmt}: the service notice says where it went")

    again = requests.post(f"{base}/requests.{fmt}", data=form, timeout=30)
    check(again.status_code == 200 and rid in again.text, f"{fmt}: the same POST again answers the same id")

    one = client.get_service_request(rid)
    check(str(one["service_request_id"]) == rid, f"{fmt}: GET requests/{rid} reads it back")
    check(one["status"] == "open", f"{fmt}: it is open")
    check(one["service_code"] == "tree-fallen", f"{fmt}: its service is tree-fallen")
    check(str(one["lat"]).startswith("35.72"), f"{fmt}: its position is kept")
    check("plane tree" in (one["description"] or ""), f"{fmt}: its description is the citizen's")
    check((one.get("agency_responsible") or "") != "", f"{fmt}: an agency is responsible")
    no_personal_data(one, f"{fmt}: GET requests/{rid}")

    now = datetime.datetime.now(datetime.timezone.utc)
    start = (now - datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    end = (now + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    listed = as_list(client.get_service_requests(start_date=start, end_date=end))
    ids = [str(x["service_request_id"]) for x in listed]
    check(rid in ids and closed_id in ids, f"{fmt}: the day's list has both requests ({len(ids)} listed)")
    for x in listed:
        no_personal_data(x, f"{fmt}: the list")
    opened = [str(x["service_request_id"]) for x in as_list(client.get_service_requests(start_date=start, end_date=end, status="open"))]
    check(rid in opened and closed_id not in opened, f"{fmt}: status=open lists the new one, not the closed one")
    closed = [str(x["service_request_id"]) for x in as_list(client.get_service_requests(start_date=start, end_date=end, status="closed"))]
    check(closed_id in closed and rid not in closed, f"{fmt}: status=closed lists the closed one only")
    by_id = as_list(client.get_service_requests(service_request_id=f"{rid},{closed_id}"))
    check(len(by_id) == 2, f"{fmt}: service_request_id={rid},{closed_id} lists both")
    by_code = [str(x["service_request_id"]) for x in as_list(client.get_service_requests(service_code="tree-fallen", start_date=start, end_date=end))]
    check(rid in by_code and closed_id not in by_code, f"{fmt}: service_code=tree-fallen lists the tree only")
    print(f"all checks passed ({fmt}); posted {rid}")


if __name__ == "__main__":
    main()
