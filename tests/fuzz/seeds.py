#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/seed-*) and their
dictionaries. Event-record seeds come from the targets themselves: see run.sh --seed-records."""
import json, os, sys

here = os.path.dirname(os.path.abspath(__file__))
T = lambda local, tz=None: {"local": local, **({"tz": tz} if tz else {})}

commands = [
    {"type": "update-plan", "data": {"title": "Jauns nosaukums", "priority_sdgs": [4, 13]}},
    {"type": "update-plan", "base": 5, "data": {"timezone": "Europe/Riga", "language": "en"}},
    {"type": "set-day", "data": {"date": "2024-05-16", "title": "Otrā diena", "place": "Bornem"}},
    {"type": "add-venue", "data": {"venue": "hall", "name": "Zāle", "building": "A", "room": "1", "address": "Iela 1", "city": "Rīga", "country": "LV"}},
    {"type": "update-venue", "base": 3, "data": {"venue": "bornem", "room": "B-2"}},
    {"type": "remove-venue", "data": {"venue": "rix"}},
    {"type": "add-person", "data": {"person": "anna", "name": "Anna", "role": "runātāja", "organisation": "LPS"}},
    {"type": "update-person", "data": {"person": "latriche", "role": "Head of Unit"}},
    {"type": "remove-person", "data": {"person": "voeten"}},
    {"type": "schedule-item", "data": {"item": "x", "title": "Tikšanās", "kind": "visit", "start": T("2024-05-16T10:30"), "end": T("2024-05-16T12:30"), "venue": "bornem", "description": "…", "topics": ["a", "b"], "status": "tentative", "sdgs": [4, 16], "track": "t1", "speakers": ["latriche"]}},
    {"type": "schedule-item", "data": {"title": "Lidojums", "kind": "travel", "start": T("2024-05-15T07:30", "Europe/Riga"), "end": T("2024-05-15T09:00", "Europe/Brussels")}},
    {"type": "schedule-item", "data": {"item": "dst", "title": "x", "start": {"local": "2024-10-27T02:30", "offset": "+02:00"}, "end": T("2024-10-27T04:00")}},
    {"type": "reschedule-item", "id": "c-1", "base": 17, "reason": "Bornem asked for 10:30", "data": {"item": "bornem", "start": T("2024-05-16T10:30"), "end": T("2024-05-16T12:30")}},
    {"type": "reschedule-item", "data": {"item": "cor", "end": T("2024-05-15T12:00")}},
    {"type": "edit-item", "data": {"item": "civex", "title": "CIVEX", "kind": "presentation", "description": "d", "topics": ["t"], "track": "x"}},
    {"type": "edit-item", "data": {"item": "civex", "kind": None, "topics": None}},
    {"type": "set-item-venue", "data": {"item": "cor", "venue": None}},
    {"type": "set-item-venue", "data": {"item": "cor", "venue": "bru"}},
    {"type": "set-item-status", "data": {"item": "mechelen", "status": "cancelled"}},
    {"type": "assign-speaker", "data": {"item": "cor", "person": "banos"}},
    {"type": "unassign-speaker", "data": {"item": "dg-intpa", "person": "latriche"}},
    {"type": "tag-item", "data": {"item": "cemr", "sdgs": [1, 17]}},
    {"type": "remove-item", "data": {"item": "lunch-2"}},
    {"type": "make-pledge", "data": {"pledge": "p1", "by": {"municipality": "Ādažu novads", "person": "X"}, "title": "Solījums", "description": "d", "sdgs": [13], "targets": ["13.3"], "campaign": "c", "window": {"from": "2024-09-20", "to": "2024-09-29"}, "item": "cor"}},
    {"type": "update-pledge", "data": {"pledge": "valmiera-energija", "sdgs": [7, 13], "targets": ["7.2", "13.a"]}},
    {"type": "set-pledge-status", "data": {"pledge": "cesis-lidzdaliba", "status": "fulfilled", "note": "done"}},
    {"type": "report-pledge-progress", "data": {"pledge": "jelgava-ukraina", "percent": 40, "note": "n"}},
    {"type": "record-decision", "data": {"decision": "d1", "title": "Lēmums", "text": "t", "items": ["cor"], "pledges": ["adazi-iam-stundas"]}},
    {"type": "publish-release", "data": {"name": "v1", "note": "first"}},
    {"type": "revert", "data": {"revision": 12}},
    {"type": "revert", "data": {"revision": 40}},
    {"type": "create-plan", "data": {"id": "new-plan", "title": "x", "timezone": "UTC"}},
    {"type": "edit-item", "data": {"item": "cor", "title": "a\u0007b"}},
    {"type": "schedule-item", "data": {"item": "y", "title": "x", "start": T("2024-03-31T02:30"), "end": T("2024-03-31T04:00")}},
]

def write(target, name, data):
    d = os.path.join(here, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())

for i, c in enumerate(commands):
    write("fuzz_command", f"seed-{i:02d}", json.dumps(c, ensure_ascii=False))

plan = "brussels-2024"
def req(method, path, token="ADMIN_TOKEN", body=None):
    head = f"{method} {path} HTTP/1.1\r\nHost: localhost\r\n"
    if token: head += f"Authorization: Bearer {token}\r\n"
    if body is not None:
        b = json.dumps(body, ensure_ascii=False).encode()
        return head.encode() + f"Content-Type: application/json\r\nContent-Length: {len(b)}\r\n\r\n".encode() + b
    return (head + "\r\n").encode()

reqs = [req("GET", "/healthz", None), req("GET", "/metrics", None), req("GET", "/", None), req("GET", "/js/main.js", None),
        req("GET", "/api/plans"), req("GET", f"/api/plans/{plan}"), req("GET", f"/api/plans/{plan}?at=3"),
        req("GET", f"/api/plans/{plan}?asof=2024-05-15T07:30:00Z"), req("GET", f"/api/plans/{plan}/events?from=2&limit=5"),
        req("GET", f"/api/plans/{plan}/history?lang=en&from=1&limit=3"), req("GET", f"/api/plans/{plan}/verify", "VIEWER_TOKEN"),
        req("GET", f"/api/plans/{plan}/releases"), req("GET", f"/api/plans/{plan}/changelog?from=1&to=20"),
        req("GET", f"/api/plans/{plan}/agenda.ics"), req("GET", f"/api/plans/{plan}/export.json"),
        req("GET", f"/api/plans/{plan}/pledges.csv"), req("GET", f"/api/plans/{plan}/schedule.json"),
        req("GET", f"/api/plans/{plan}/agenda.html?lang=en"), req("HEAD", f"/api/plans/{plan}"),
        req("GET", "/api/tokens"), req("DELETE", "/api/tokens/nope"),
        req("POST", "/api/tokens", body={"role": "viewer", "plans": [plan], "name": "V"}),
        req("POST", "/api/plans", body={"id": "p2", "title": "P2", "timezone": "Europe/Riga", "start_date": "2024-01-01", "end_date": "2024-01-02"}),
        req("POST", "/api/plans/import", body={"format": "kartiba-export", "version": 1, "plan": {"id": "p3", "title": "x", "timezone": "UTC"}, "items": [{"id": "i", "title": "t", "start": T("2024-01-01T10:00"), "end": T("2024-01-01T11:00")}]}),
        req("GET", f"/api/plans/{plan}", "VIEWER_TOKEN"), req("GET", f"/api/plans/{plan}", "bad-token"), req("GET", f"/api/plans/{plan}", None)]
for i, c in enumerate(commands[:20]):
    reqs.append(req("POST", f"/api/plans/{plan}/commands", "ORGANISER_TOKEN" if i % 2 else "ADMIN_TOKEN", c))
reqs.append(b"POST /api/plans/" + plan.encode() + b"/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ADMIN_TOKEN\r\nTransfer-Encoding: chunked\r\n\r\n1f\r\n{\"type\":\"set-day\",\"data\":{\"date\r\n20\r\n\":\"2024-05-16\",\"title\":\"chunks\"}}\r\n0\r\n\r\n")
for i, r in enumerate(reqs):
    write("fuzz_http", f"seed-{i:02d}", r)

dict_http = ['"GET "', '"POST "', '"HEAD "', '"DELETE "', '" HTTP/1.1\\x0d\\x0a"', '"\\x0d\\x0a\\x0d\\x0a"',
             '"Authorization: Bearer ADMIN_TOKEN\\x0d\\x0a"', '"Authorization: Bearer VIEWER_TOKEN\\x0d\\x0a"',
             '"Authorization: Bearer ORGANISER_TOKEN\\x0d\\x0a"', '"Content-Length: "', '"Transfer-Encoding: chunked\\x0d\\x0a"',
             '"If-None-Match: "', '"/api/plans/brussels-2024"', '"/api/plans"', '"/api/tokens"', '"/commands"', '"/events"',
             '"/history"', '"/verify"', '"/releases"', '"/changelog"', '"/agenda.ics"', '"/export.json"', '"/pledges.csv"',
             '"/schedule.json"', '"/agenda.html"', '"?at="', '"?asof="', '"&limit="', '"?from="', '"&to="', '"?lang="', '"%2e%2e"', '"%00"']
keys = ['"type"', '"data"', '"base"', '"id"', '"reason"', '"item"', '"venue"', '"person"', '"pledge"', '"decision"', '"start"', '"end"',
        '"local"', '"tz"', '"offset"', '"title"', '"kind"', '"status"', '"sdgs"', '"targets"', '"topics"', '"speakers"', '"track"',
        '"description"', '"by"', '"municipality"', '"window"', '"from"', '"to"', '"percent"', '"note"', '"name"', '"revision"',
        '"date"', '"place"', '"timezone"', '"language"', '"items"', '"pledges"', '"text"', '"Europe/Brussels"', '"Europe/Riga"',
        '"2024-05-16T10:30"', '"2024-03-31T02:30"', '"2024-10-27T02:30"', '"+02:00"', '"cancelled"', '"fulfilled"', '"withdrawn"',
        '"cor"', '"civex"', '"bornem"', '"latriche"', '"banos"', '"jelgava-ukraina"', '"13.3"', '"4.a"', '"null"', '"true"', '"18446744073709551615"', '"-1"', '"1e400"']
types = ['"%s"' % t for t in ["update-plan", "set-day", "add-venue", "update-venue", "remove-venue", "add-person", "update-person",
         "remove-person", "schedule-item", "reschedule-item", "edit-item", "set-item-venue", "set-item-status", "assign-speaker",
         "unassign-speaker", "tag-item", "remove-item", "make-pledge", "update-pledge", "set-pledge-status",
         "report-pledge-progress", "record-decision", "publish-release", "revert", "create-plan"]]
with open(os.path.join(here, "command.dict"), "w") as f:
    f.write("# JSON keys and values of kartiba commands (generated by seeds.py)\n")
    for i, k in enumerate(keys + types): f.write(f"k{i}={k}\n")
with open(os.path.join(here, "http.dict"), "w") as f:
    f.write("# HTTP pieces and kartiba paths (generated by seeds.py); ADMIN_TOKEN etc. stand for real tokens\n")
    for i, k in enumerate(dict_http + keys + types): f.write(f"h{i}={k}\n")
print(len(commands), "command seeds,", len(reqs), "http seeds")
