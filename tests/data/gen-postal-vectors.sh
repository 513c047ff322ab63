#!/usr/bin/env bash
# Regenerates postal-signature-vectors.json from the committed TEST-ONLY key with OpenSSL, so
# that hookcheck's Postal verifier is checked against signatures it did not make itself.
# The key pair was made once with:
#   openssl genrsa -traditional -out postal-TEST-ONLY-private-key.pem 2048
#   openssl rsa -in postal-TEST-ONLY-private-key.pem -pubout -out postal-TEST-ONLY-public-key.pem
# It signs nothing real: it exists only for these tests.
set -euo pipefail
cd "$(dirname "$0")"
key=postal-TEST-ONLY-private-key.pem
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Bodies: a compact Postal envelope with Rails' \u003c escapes, non-ASCII UTF-8, an empty
# body, and bytes that are not UTF-8 at all.
printf '%s' '{"event":"MessageSent","timestamp":1745838120.770091,"payload":{"message":{"id":12345,"token":"aB3dE5fG7hJ9kL1m","direction":"outgoing","message_id":"5d2b2b0e-0b8e-4a8b-9f3e-1c2d3e4f5a6b@rp.postal.example.com","to":"rcpt@example.com","from":"sender@example.com","subject":"Welcome","timestamp":1745838118.123456,"spam_status":"NotChecked","tag":null},"status":"Sent","details":"Message for rcpt@example.com accepted by 192.0.2.10:25 (mx.example.com)","output":"250 2.0.0 OK \u003cqueued\u003e","sent_with_ssl":true,"timestamp":1745838119.9876543,"time":0.42},"uuid":"0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d"}' > "$tmp/envelope"
printf '%s' '{"subject":"Привет, ünïcødé ✉"}' > "$tmp/unicode"
: > "$tmp/empty"
printf '\x00\xff\xfe binary \x80' > "$tmp/binary"

kid=$(openssl rsa -in "$key" -RSAPublicKey_out -outform DER 2>/dev/null | openssl dgst -sha256 -r | cut -d' ' -f1)
{
  printf '{\n  "description": "Postal webhook signature vectors: RSASSA-PKCS1-v1_5 signatures made by OpenSSL (openssl dgst -sha1/-sha256 -sign) with the TEST-ONLY key in this directory, over the exact body bytes. kid is the SHA-256 of the key'"'"'s PKCS#1 RSAPublicKey DER (openssl rsa -RSAPublicKey_out -outform DER), which is how Postal 3.2+ names its key. Regenerate with gen-postal-vectors.sh.",\n'
  printf '  "public_key_file": "postal-TEST-ONLY-public-key.pem",\n'
  printf '  "private_key_file": "%s",\n' "$key"
  printf '  "kid": "%s",\n' "$kid"
  printf '  "cases": [\n'
  first=1
  for name in envelope unicode empty binary; do
    [ $first = 1 ] || printf ',\n'
    first=0
    b64=$(base64 -w0 < "$tmp/$name")
    s1=$(openssl dgst -sha1 -sign "$key" "$tmp/$name" | base64 -w0)
    s256=$(openssl dgst -sha256 -sign "$key" "$tmp/$name" | base64 -w0)
    printf '    {"name": "%s", "body_base64": "%s", "x_postal_signature": "%s", "x_postal_signature_256": "%s"}' "$name" "$b64" "$s1" "$s256"
  done
  printf '\n  ]\n}\n'
} > postal-signature-vectors.json
