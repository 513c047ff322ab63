#!/usr/bin/env python3
"""Writes standard-webhooks-vectors.json with Python's hmac, independently of hookcheck.

The cases are the ones the Standard Webhooks reference libraries test
(github.com/standard-webhooks/standard-webhooks, libraries/*/ tests, spec v1.0.0): the shared
vectors V1 (Go, JS, Python, PHP, Ruby, Java, C#) and V2 (Rust), plus the negative cases those
tests build from them. Run it from this directory; the output is committed.
"""
import base64, hashlib, hmac, json

V1 = dict(secret="whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", id="msg_p5jXN8AQM9LWM0D4loKWxJek",
          ts=1614265330, body='{"test": 2432232314}')
V2 = dict(secret="whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", id="msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
          ts=1649367553, body='{"email":"test@example.com","username":"test_user"}')


def sign(v, ts=None, body=None):
    key = base64.b64decode(v["secret"].removeprefix("whsec_"))
    ts = v["ts"] if ts is None else ts
    body = v["body"] if body is None else body
    msg = f'{v["id"]}.{ts}.{body}'.encode()
    return "v1," + base64.b64encode(hmac.new(key, msg, hashlib.sha256).digest()).decode()


assert sign(V1) == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
assert sign(V2) == "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="

cases = []


def case(name, source, v, *, sig=None, now=None, secret=None, body=None, ts=None,
         drop=(), expect):
    headers = {"webhook-id": v["id"], "webhook-timestamp": str(v["ts"] if ts is None else ts),
               "webhook-signature": sign(v) if sig is None else sig}
    for h in drop:
        del headers[h]
    cases.append(dict(name=name, source=source,
                      secret=v["secret"] if secret is None else secret,
                      headers=headers, body=v["body"] if body is None else body,
                      now=v["ts"] if now is None else now,
                      valid=expect == "ok", error=None if expect == "ok" else expect))


lib = "reference library tests"
case("v1_vector", "V1: Go/JS/Python/PHP/Ruby/Java/C# tests", V1, expect="ok")
case("v2_vector", "V2: Rust tests", V2, expect="ok")
case("secret_without_prefix", "reference libraries accept the secret without whsec_", V1,
     secret=V1["secret"].removeprefix("whsec_"), expect="ok")
case("missing_signature_header", lib + ": missing header", V1, drop=["webhook-signature"], expect="missing")
case("missing_id_header", lib + ": missing header", V1, drop=["webhook-id"], expect="missing")
case("missing_timestamp_header", lib + ": missing header", V1, drop=["webhook-timestamp"], expect="missing")
case("version_prefix_only", lib + ": signature of only `v1,`", V1, sig="v1,", expect="mismatch")
case("truncated_signature", lib + ": truncated signature", V1, sig=sign(V1)[:-6], expect="mismatch")
case("wrong_last_character", "Python tests: wrong-last-character variant", V1,
     sig="v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=", expect="mismatch")
case("list_with_right_signature", lib + ": multiple signatures including the right one", V1,
     sig="v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= "
         + sign(V1) + " v1a,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=", expect="ok")
case("list_without_right_signature", lib + ": multiple signatures without the right one", V1,
     sig="v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v1,bm9wZQ== v2," + sign(V1)[3:],
     expect="mismatch")
case("right_signature_under_other_version", "spec: entries of other versions are ignored", V1,
     sig="v1a," + sign(V1)[3:], expect="malformed")
case("timestamp_too_old", lib + ": timestamp just outside 5 minutes (past)", V1,
     now=V1["ts"] + 301, expect="expired")
case("timestamp_too_new", lib + ": timestamp just outside 5 minutes (future)", V1,
     now=V1["ts"] - 301, expect="expired")
case("timestamp_at_tolerance_past", "boundary: exactly 300 s old is accepted", V1,
     now=V1["ts"] + 300, expect="ok")
case("timestamp_at_tolerance_future", "boundary: exactly 300 s ahead is accepted", V1,
     now=V1["ts"] - 300, expect="ok")
case("non_integer_timestamp", "reference libraries parse the timestamp as an integer", V1,
     ts="1614265330.0", now=V1["ts"], sig=sign(V1, ts="1614265330.0"), expect="malformed")
case("tampered_body", "signature over other bytes", V1, body='{"test": 2432232315}', expect="mismatch")
case("reserialised_body", "spec: never re-serialise the body", V1, body='{"test":2432232314}', expect="mismatch")
case("empty_secret", lib + ": empty secret", V1, secret="", expect="bad_key")
case("bare_prefix_secret", lib + ": secret of only whsec_", V1, secret="whsec_", expect="bad_key")

doc = {
    "description": (
        "Standard Webhooks v1 signature test vectors. The cases are those the reference libraries "
        "of github.com/standard-webhooks/standard-webhooks (spec v1.0.0) test: the shared vectors V1 "
        "(Go, JS, Python, PHP, Ruby, Java and C# tests) and V2 (Rust tests), missing headers, a bare "
        "`v1,`, a truncated signature, signature lists with and without the right entry, timestamps "
        "just outside the 300 s tolerance both ways, an empty secret, a bare `whsec_`, and the Python "
        "tests' wrong-last-character variant; plus boundary and re-serialisation cases. Signatures were "
        "computed with Python's hmac by gen-standard-webhooks-vectors.py, independently of hookcheck. "
        "Each case: `secret` as given to the verifier, `headers` as sent (absent ones omitted), `body` "
        "as exact UTF-8 text, `now` the verifier's clock in Unix seconds (tolerance 300 s), `valid` "
        "whether it must verify, and `error` hookcheck's SignatureError kind when it must not "
        "(missing, malformed, mismatch, expired, bad_key); `source` says where the case comes from."
    ),
    "tolerance_seconds": 300,
    "cases": cases,
}
with open("standard-webhooks-vectors.json", "w") as f:
    json.dump(doc, f, indent=2, ensure_ascii=False)
    f.write("\n")
