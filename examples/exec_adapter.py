#!/usr/bin/env python3
"""A webhook parser for Postal, msndr.net and GetMailer behind hookcheck's exec protocol.

Run it under `hookcheck certify --exec 'python3 examples/exec_adapter.py'` (or through
`hookcheck::adapters::exec::ExecParser`). It reads one JSON request per line on stdin,

    {"id": 1, "vendor": "postal", "body_b64": "<base64 of the exact body bytes>"}

and writes one JSON reply per line on stdout (the first request, with id 0 and a "hello" member,
is the handshake: it is answered with the adapter's name, version, language, vendors and
fidelity):

    {"id": 1, "ok": true, "event": "MessageSent",
     "fields": {"event_id": "...", "message_id": "48213", "timestamp": 1745838120.770091,
                "recipient": "jane@example.net"}}
    {"id": 2, "ok": false, "error": "missing field /payload/message/token"}

It checks what hookcheck's reference parsers check: the body is UTF-8 JSON in the vendor's
envelope, the event name is one the vendor sends, every documented field is present with its
documented type (null only where nullable), enum fields hold documented values, and a Postal
DomainDNSError has an error text exactly for each check that is not OK. Unknown extra keys are
ignored and string formats are not checked. Python standard library only.
"""

import base64
import json
import math
import sys


class Reject(Exception):
    """The payload is not acceptable."""


# Field types: "str", "num", "int" (a JSON Schema integer >= 0), "bool", "object" (any JSON
# object), "changes" (an object of {"old", "new"} objects); a trailing "?" allows null;
# ("enum", values); ("obj", spec); ("list", item_type); ("optional", type) for a field that may
# be absent (but is never null).

SPAM = ("enum", ("NotChecked", "NotSpam", "Spam"))
MESSAGE = ("obj", {
    "id": "int", "token": "str", "direction": ("enum", ("outgoing", "incoming")),
    "message_id": "str?", "to": "str?", "from": "str?", "subject": "str?",
    "timestamp": "num", "spam_status": SPAM, "tag": "str?",
})
SERVER = ("obj", {"uuid": "str", "name": "str", "permalink": "str", "organization": "str?"})
DNS = ("enum", ("OK", "Missing", "Invalid"))


def status_payload(status):
    return {
        "message": MESSAGE, "status": ("enum", (status,)), "details": "str", "output": "str",
        "sent_with_ssl": "bool?", "timestamp": "num", "time": "num?",
    }


POSTAL = {
    "MessageSent": status_payload("Sent"),
    "MessageDelayed": status_payload("SoftFail"),
    "MessageDeliveryFailed": status_payload("HardFail"),
    "MessageHeld": status_payload("Held"),
    "MessageBounced": {"original_message": MESSAGE, "bounce": MESSAGE},
    "MessageLinkClicked": {"message": MESSAGE, "url": "str", "token": "str",
                           "ip_address": "str", "user_agent": "str?"},
    "MessageLoaded": {"message": MESSAGE, "ip_address": "str", "user_agent": "str?"},
    "DomainDNSError": {
        "server": SERVER, "domain": "str", "uuid": "str", "dns_checked_at": "num",
        "spf_status": DNS, "spf_error": "str?", "dkim_status": DNS, "dkim_error": "str?",
        "mx_status": DNS, "mx_error": "str?", "return_path_status": DNS,
        "return_path_error": "str?",
    },
    "SendLimitApproaching": {"server": SERVER, "volume": "int", "limit": "int"},
    "SendLimitExceeded": {"server": SERVER, "volume": "int", "limit": "int"},
}

MSNDR_EVENTS = ("delivered", "opened", "clicked", "unsubscribed", "complained", "skipped",
                "soft_bounced", "hard_bounced")


def email(**extra):
    spec = {"emailId": "str", "from": "str", "to": "str", "subject": "str"}
    spec.update(extra)
    return spec


def contact(**extra):
    spec = {"contactId": "str", "audienceId": "str", "audienceName": "str", "email": "str"}
    spec.update(extra)
    return spec


def domain(**extra):
    spec = {"domainId": "str", "domain": "str"}
    spec.update(extra)
    return spec


GETMAILER = {
    "email.sent": email(tags=("optional", ("list", "str"))),
    "email.delivered": email(deliveredAt="str"),
    "email.bounced": email(bounceType=("enum", ("hard", "soft")), bounceReason="str",
                           diagnosticCode=("optional", "str")),
    "email.complained": email(complainedAt="str"),
    "email.opened": email(openedAt="str", userAgent="str", ipAddress="str"),
    "email.clicked": email(clickedAt="str", link="str", userAgent="str", ipAddress="str"),
    "email.delivery_delayed": email(delayedAt="str", reason="str", retryCount="int",
                                    nextRetryAt="str"),
    "email.suppressed": email(suppressedAt="str",
                              reason=("enum", ("BOUNCE", "COMPLAINT", "MANUAL")),
                              originalEventAt=("optional", "str")),
    "email.scheduled": email(scheduledFor="str", timezone=("optional", "str")),
    "email.received": email(receivedAt="str", textBody=("optional", "str"),
                            htmlBody=("optional", "str"),
                            attachments=("optional", ("list", ("obj", {"filename": "str",
                                                                       "contentType": "str",
                                                                       "size": "int"})))),
    "contact.created": contact(firstName=("optional", "str"), lastName=("optional", "str"),
                               createdAt="str", source="str",
                               customFields=("optional", "object")),
    "contact.updated": contact(updatedAt="str", changes="changes"),
    "contact.deleted": contact(deletedAt="str",
                               reason=("enum", ("unsubscribed", "manual", "bounced",
                                                "complained"))),
    "domain.created": domain(createdAt="str", status="str",
                             dnsRecords=("list", ("obj", {"type": "str", "name": "str",
                                                          "value": "str"}))),
    "domain.updated": domain(updatedAt="str", changes="changes"),
    "domain.deleted": domain(deletedAt="str"),
    "domain.verified": domain(verifiedAt="str", dkimVerified="bool", spfVerified="bool",
                              dmarcVerified="bool"),
}


def is_number(v):
    """A JSON number that fits a finite double (huge literals are rejected, as in Rust)."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    try:
        return math.isfinite(float(v))
    except OverflowError:
        return False


def is_whole(v):
    """A JSON Schema integer that fits an unsigned 64-bit id: 5 and 5.0 alike."""
    if not is_number(v):
        return False
    if isinstance(v, float) and not v.is_integer():
        return False
    return 0 <= v < 2 ** 64


def check(value, kind, at):
    """Checks `value` (found at JSON pointer `at`) against a field type."""
    if isinstance(kind, str) and kind.endswith("?"):
        if value is None:
            return
        kind = kind[:-1]
    if kind == "str":
        ok = isinstance(value, str)
    elif kind == "num":
        ok = is_number(value)
    elif kind == "int":
        ok = is_whole(value)
    elif kind == "bool":
        ok = isinstance(value, bool)
    elif kind == "object":
        ok = isinstance(value, dict)
    elif kind == "changes":
        if not isinstance(value, dict):
            raise Reject(f"wrong type at {at}: expected an object")
        for key, change in value.items():
            where = f"{at}/{escape(key)}"
            if not isinstance(change, dict):
                raise Reject(f"wrong type at {where}: expected an object")
            for part in ("old", "new"):
                if part not in change:
                    raise Reject(f"missing field {where}/{part}")
        return
    elif kind[0] == "enum":
        if not isinstance(value, str):
            raise Reject(f"wrong type at {at}: expected a string")
        ok = value in kind[1]
        if not ok:
            raise Reject(f"invalid value at {at}: {value!r}")
    elif kind[0] == "obj":
        check_object(value, kind[1], at)
        return
    elif kind[0] == "list":
        if not isinstance(value, list):
            raise Reject(f"wrong type at {at}: expected an array")
        for i, item in enumerate(value):
            check(item, kind[1], f"{at}/{i}")
        return
    else:
        raise AssertionError(f"unknown field type {kind!r}")
    if not ok:
        raise Reject(f"wrong type at {at}: expected {kind}")


def check_object(value, spec, at):
    if not isinstance(value, dict):
        raise Reject(f"wrong type at {at or '(root)'}: expected an object")
    for field, kind in spec.items():
        optional = isinstance(kind, tuple) and kind[0] == "optional"
        if field not in value:
            if optional:
                continue
            raise Reject(f"missing field {at}/{field}")
        check(value[field], kind[1] if optional else kind, f"{at}/{field}")


def escape(key):
    return key.replace("~", "~0").replace("/", "~1")


def postal(doc):
    check_object(doc, {"event": "str", "timestamp": "num", "payload": "object", "uuid": "str"}, "")
    event = doc["event"]
    if event not in POSTAL:
        raise Reject(f"unknown event {event!r}")
    payload = doc["payload"]
    check_object(payload, POSTAL[event], "/payload")
    if event == "DomainDNSError":
        for check in ("spf", "dkim", "mx", "return_path"):
            if (payload[f"{check}_status"] == "OK") == (payload[f"{check}_error"] is not None):
                raise Reject(f"invalid value at /payload/{check}_error: contradicts its status")
    message = payload.get("message") or payload.get("original_message")
    fields = {"event_id": doc["uuid"], "timestamp": doc["timestamp"]}
    if message is not None:
        fields["message_id"] = str(int(message["id"]))
        fields["recipient"] = message["to"]
    return event, fields


def msndr(doc):
    check_object(doc, {"message": ("obj", {"id": "int"}), "event": "object"}, "")
    event = doc["event"]
    check_object(event, {"name": "str", "timestamp": "num"}, "/event")
    if not float(event["timestamp"]).is_integer():
        raise Reject("wrong type at /event/timestamp: expected an integer")
    if event["name"] not in MSNDR_EVENTS:
        raise Reject(f"unknown event {event['name']!r}")
    if "data" in event:
        check(event["data"], "object", "/event/data")
    if event["name"] == "clicked":
        if "data" not in event:
            raise Reject("missing field /event/data")
        check_object(event["data"], {"url": "str"}, "/event/data")
    fields = {"message_id": str(int(doc["message"]["id"])), "timestamp": event["timestamp"]}
    return event["name"], fields


def getmailer(doc):
    check_object(doc, {"id": "str", "type": "str", "timestamp": "str", "data": "object"}, "")
    event = doc["type"]
    if event not in GETMAILER:
        raise Reject(f"unknown event {event!r}")
    data = doc["data"]
    check_object(data, GETMAILER[event], "/data")
    fields = {"event_id": doc["id"], "timestamp": doc["timestamp"]}
    if event.startswith("email."):
        fields["message_id"] = data["emailId"]
        fields["recipient"] = data["to"]
    return event, fields


VENDORS = {"postal": postal, "msndr": msndr, "getmailer": getmailer}


def no_constants(name):
    raise ValueError(f"{name} is not JSON")


def no_duplicates(pairs):
    out = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def no_lone_surrogates(value):
    """json.loads accepts escaped lone surrogates ("\\ud800"); they are not valid JSON text."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise Reject("not JSON: lone surrogate in a string") from None
        elif isinstance(v, dict):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def parse(vendor, body):
    try:
        text = body.decode("utf-8")
        doc = json.loads(text, parse_constant=no_constants, object_pairs_hook=no_duplicates)
    except (UnicodeDecodeError, ValueError, RecursionError) as e:
        raise Reject(f"not JSON: {e}") from None
    no_lone_surrogates(doc)
    return VENDORS[vendor](doc)


HELLO = {
    "name": "hookcheck-example-adapter",
    "version": "1.0",
    "language": "python",
    "vendors": sorted(VENDORS),
    "fidelity": "fields",
}


def handle(line):
    try:
        request = json.loads(line)
        if "hello" in request:
            # The optional handshake: say who we are and what we report.
            return {"id": request["id"], "hello": HELLO}
        rid = request["id"]
        vendor = request["vendor"]
        body = base64.b64decode(request["body_b64"], validate=True)
    except (ValueError, KeyError, TypeError) as e:
        return {"id": None, "ok": False, "error": f"bad request: {e}"}
    if vendor not in VENDORS:
        return {"id": rid, "ok": False, "error": f"unsupported vendor {vendor!r}"}
    try:
        event, fields = parse(vendor, body)
    except Reject as e:
        return {"id": rid, "ok": False, "error": str(e)}
    return {"id": rid, "ok": True, "event": event, "fields": fields}


def main():
    for line in sys.stdin.buffer:
        if not line.strip():
            continue
        sys.stdout.write(json.dumps(handle(line), ensure_ascii=False) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
