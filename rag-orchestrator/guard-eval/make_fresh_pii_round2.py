#!/usr/bin/env python3
"""Deterministic generator for fresh-pii-round2.jsonl (held-out PII redactor test set).

Every sentence is written by hand below. Where a value carries a checksum, the
template holds the payload and the check characters are computed here:

  * payment cards: the last digit is written as '?' and filled in with the Luhn
    check digit; brand prefix and length are checked as well;
  * IBANs: the two check digits are computed with ISO 7064 MOD 97-10 (and the
    national check digits for ES, FR, BE, NL and IT are computed too);
  * Spanish DNI / NIE: the control letter is computed with the mod-23 table.

After building, the script re-verifies every span independently (offsets, Luhn,
mod 97, mod 23, formats), checks that no positive text holds an unlabelled
look-alike outside its spans, and checks that no negative text contains a
Luhn-valid card number in any 13-19 digit window, a valid IBAN, a valid DNI or
NIE, an e-mail address or a dotted quad. Any failure aborts without writing.

Output: one JSON object per line,
  {"kind": "positive"|"negative", "text": ..., "spans": [{"type", "start", "end"}]}
with Python character offsets (end exclusive).
"""

import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fresh-pii-round2.jsonl")

DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"
IBAN_LENGTHS = {"DE": 22, "FR": 27, "ES": 24, "GB": 22, "NL": 18, "IT": 27, "BE": 16}
SLOT = "\u00a7"  # the section sign marks where a value goes in a template


# ---------------------------------------------------------------- checksums

def luhn_ok(digits):
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(partial):
    for c in "0123456789":
        if luhn_ok(partial + c):
            return c
    raise AssertionError("no Luhn digit for " + partial)


def card(pattern):
    """Pattern with the final digit written as '?'."""
    assert pattern.count("?") == 1 and pattern.endswith("?"), pattern
    digits = re.sub(r"\D", "", pattern[:-1])
    return pattern[:-1] + luhn_check_digit(digits)


def card_brand(d):
    n = len(d)
    p2, p3, p4, p6 = int(d[:2]), int(d[:3]), int(d[:4]), int(d[:6])
    if n == 15 and p2 in (34, 37):
        return "amex"
    if d[0] == "4" and n in (13, 16, 19):
        return "visa"
    if n == 16 and (51 <= p2 <= 55 or 222100 <= p6 <= 272099):
        return "mastercard"
    if n in (16, 19) and (p4 == 6011 or 644 <= p3 <= 649 or p2 == 65):
        return "discover"
    if n in (16, 19) and 3528 <= p4 <= 3589:
        return "jcb"
    if n == 14 and (p2 in (36, 38) or 300 <= p3 <= 305):
        return "diners"
    return None


def _iban_numeric(s):
    return "".join(str(int(ch, 36)) for ch in s)


def iban_mod97(s):
    s = s.replace(" ", "").upper()
    return int(_iban_numeric(s[4:] + s[:4])) % 97


def iban_ok(s):
    s = s.replace(" ", "")
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    if s[:2] in IBAN_LENGTHS and len(s) != IBAN_LENGTHS[s[:2]]:
        return False
    return iban_mod97(s) == 1


def iban(country, bban, grouped=True):
    raw = country + "00" + bban
    check = 98 - iban_mod97(raw)
    raw = "%s%02d%s" % (country, check, bban)
    assert len(raw) == IBAN_LENGTHS[country], raw
    if grouped:
        return " ".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    return raw


def es_bban(bank, branch, account):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

    def dc(ten):
        r = 11 - sum(int(c) * k for c, k in zip(ten, w)) % 11
        return {10: 1, 11: 0}.get(r, r)

    return bank + branch + "%d%d" % (dc("00" + bank + branch), dc(account)) + account


def fr_bban(bank, branch, account):
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    return bank + branch + account + "%02d" % key


def be_bban(bank, account):
    r = int(bank + account) % 97
    return bank + account + "%02d" % (r or 97)


def nl_bban(bank, account9):
    for c in "0123456789":
        acc = account9 + c
        if sum(int(x) * k for x, k in zip(acc, range(10, 0, -1))) % 11 == 0:
            return bank + acc
    raise AssertionError("no 11-proof digit")


def it_bban(abi, cab, conto):
    odd = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14,
           16, 10, 22, 25, 24, 23]
    s = abi + cab + conto
    total = 0
    for i, ch in enumerate(s):
        v = int(ch) if ch.isdigit() else ord(ch) - 65
        total += odd[v] if i % 2 == 0 else v
    return chr(65 + total % 26) + s


def dni(num8, sep=""):
    assert re.fullmatch(r"\d{8}", num8)
    return num8 + sep + DNI_LETTERS[int(num8) % 23]


def nie(prefix, num7, sep=""):
    assert prefix in "XYZ" and re.fullmatch(r"\d{7}", num7)
    return prefix + num7 + sep + DNI_LETTERS[int("XYZ".index(prefix) * 10 ** 7 + int(num7)) % 23]


def dni_or_nie_ok(s):
    s = s.replace("-", "").replace(" ", "").upper()
    m = re.fullmatch(r"(\d{8})([A-Z])", s)
    if m:
        return DNI_LETTERS[int(m.group(1)) % 23] == m.group(2)
    m = re.fullmatch(r"([XYZ])(\d{7})([A-Z])", s)
    if m:
        n = int(str("XYZ".index(m.group(1))) + m.group(2))
        return DNI_LETTERS[n % 23] == m.group(3)
    return False


# ---------------------------------------------------------------- records

C, P, I, E, V, D = "CREDIT_CARD", "PHONE", "IBAN", "EMAIL", "IPV4", "ES_DNI"

POSITIVE = [
    # --- payment cards
    ("Ticket 48213: the customer reports a double charge on Amex \u00a7 for the March renewal.",
     [(C, card("3759 204817 3362?"))]),
    ("CRM note: Mr. Haddad asked us to replace the card on file with \u00a7, typed without spaces.",
     [(C, card("34128736501942?"))]),
    ("Payment failed for Visa \u00a7 at checkout; the issuer returned 'do not honor'.",
     [(C, card("4539 7712 0846 315?"))]),
    ("The card \u00a7 on the Lopez account expired last month, please ask her for a new one.",
     [(C, card("4916-3385-2047-719?"))]),
    ("Legacy import row: cardholder=K. Osei; pan=\u00a7; status=active",
     [(C, card("422287105163?"))]),
    ("Her new debit card is a 19-digit Visa, \u00a7, so make sure the form accepts the longer length.",
     [(C, card("4485 2391 7760 5142 38?"))]),
    ("Please charge the remaining balance to Mastercard \u00a7 and send the receipt to \u00a7.",
     [(C, card("5194 6620 3817 452?")), (E, "dana.whitfield@example.com")]),
    ("Chargeback opened for \u00a7 (Mastercard), amount EUR 214.90, reason: goods not received.",
     [(C, card("5573-0419-8826-143?"))]),
    ("The new 2-series Mastercard \u00a7 was declined by our old BIN filter.",
     [(C, card("2221 0049 1372 658?"))]),
    ("WARN tokenizer skipped: raw PAN \u00a7 found in the request body of /api/checkout",
     [(C, card("272099314726805?"))]),
    ("The customer read his Discover card out over chat: \u00a7. I asked him to use the secure form next time.",
     [(C, card("6011 4827 3019 665?"))]),
    ("Refund issued to Discover \u00a7 for the cancelled order.",
     [(C, card("6447-2390-1184-576?"))]),
    ("Saved payment method: Discover \u00a7, billing ZIP 94107.",
     [(C, card("652183770492618?"))]),
    ("JCB card \u00a7 was added by a traveller from Osaka and the 3DS check passed.",
     [(C, card("3566 1023 8849 072?"))]),
    ("Booking paid with JCB \u00a7; send any changes to \u00a7.",
     [(C, card("3589-2047-6613-805?")), (E, "k.tanaka@example.jp")]),
    ("The corporate Diners Club card \u00a7 belongs to the finance director.",
     [(C, card("3621 874930 552?"))]),
    ("Diners card on file: \u00a7. The client wants statements sent to \u00a7.",
     [(C, card("3852000743118?")), (E, "accounts@lindqvist-partners.example")]),
    ("An old Diners number, \u00a7, still shows up in the 2019 export and has to be purged.",
     [(C, card("3014 587263 019?"))]),

    # --- phone numbers (first eight next to a phone word, last eight without)
    ("Please call the customer back at \u00a7 before 6 pm Pacific.", [(P, "+1 (415) 555-0134")]),
    ("Tel: \u00a7 (London office, reception)", [(P, "+44 20 7946 0321")]),
    ("Her mobile is \u00a7 and she prefers messages to voicemail.", [(P, "+34 612 345 678")]),
    ("Phone: \u00a7 (Berlin headquarters, switchboard)", [(P, "+49 30 9018472")]),
    ("Call \u00a7 to confirm the delivery slot with the Lyon depot.", [(P, "06 52 18 74 30")]),
    ("Mobile (Milan sales rep): \u00a7", [(P, "+39 347 218 5590")]),
    ("Customer's cell: \u00a7, she asked us to text before calling.", [(P, "+44 7700 900123")]),
    ("Ring his German mobile, \u00a7, if the email bounces again.", [(P, "+49 151 2345 6789")]),
    ("Reach the night-shift lead at \u00a7 if the queue backs up.", [(P, "212-555-0187")]),
    ("Invoice queries go to the accounts team on \u00a7 during UK business hours.", [(P, "020 7946 0958")]),
    ("Marta from the Valencia branch: \u00a7, mornings only.", [(P, "678 12 34 56")]),
    ("Jean-Luc left \u00a7 as the on-site contact for the Lyon install.", [(P, "+33 6 41 27 93 05")]),
    ("The Amsterdam data centre NOC answers on \u00a7 around the clock.", [(P, "+31 20 794 3821")]),
    ("Escalations: \u00a7 or page the on-call engineer.", [(P, "(415) 555-0199")]),
    ("Sent the courier details to \u00a7 as requested by the recipient.", [(P, "07700 900456")]),
    ("Updated Priya's details to \u00a7, extension 22.", [(P, "+1-646-555-0142")]),

    # --- IBANs
    ("Please wire the deposit to IBAN \u00a7 by Friday.",
     [(I, iban("DE", "10020030" + "0613274985"))]),
    ("Supplier changed bank details to \u00a7; the BIC was not provided.",
     [(I, iban("DE", "76050101" + "0004821937", grouped=False))]),
    ("Refund to the French account \u00a7 held by Mme Lefevre.",
     [(I, iban("FR", fr_bban("30004", "01823", "00067419253")))]),
    ("Domiciliaci\u00f3n: cargar la cuota mensual en la cuenta \u00a7.",
     [(I, iban("ES", es_bban("2085", "0103", "9270183456")))]),
    ("Payroll export row: name=Ruiz; iban=\u00a7; amount=2150.00",
     [(I, iban("ES", es_bban("0049", "1500", "2810394756"), grouped=False))]),
    ("UK supplier account: \u00a7, payment reference INV-118.",
     [(I, iban("GB", "BARC" + "200415" + "73928461"))]),
    ("Her salary goes to \u00a7 at the Dutch bank.",
     [(I, iban("NL", nl_bban("INGB", "068271935")))]),
    ("Transfer received from \u00a7 on 3 May, matched to the open invoice.",
     [(I, iban("IT", it_bban("02008", "01664", "000104729385"), grouped=False))]),
    ("The Belgian customer asked to move the direct debit mandate to \u00a7.",
     [(I, iban("BE", be_bban("063", "4829163")))]),

    # --- e-mail addresses
    ("Forwarded the signed contract to \u00a7 and copied legal.", [(E, "miguel.serrano@example.es")]),
    ("Bounce notice: delivery to \u00a7 failed permanently (mailbox unavailable).",
     [(E, "priya.n+billing@example.co.uk")]),
    ("New account registered with \u00a7 from IP \u00a7.",
     [(E, "ops.team@mail.example.com"), (V, "203.0.113.45")]),
    ("The reset link was sent to \u00a7, but the user says it never arrived.", [(E, "t.okafor@example.org")]),

    # --- IPv4 addresses
    ("Blocked repeated failed logins from \u00a7 at the edge firewall.", [(V, "198.51.100.23")]),
    ("sshd[2214]: Accepted publickey for deploy from \u00a7 port 52144 ssh2", [(V, "192.0.2.77")]),
    ("The internal API gateway listens on \u00a7 behind the load balancer.", [(V, "10.20.4.17")]),
    ("DHCP lease: \u00a7 assigned to printer-3f, default gateway \u00a7.",
     [(V, "192.168.1.54"), (V, "192.168.1.1")]),
    ("According to the audit trail, the customer's VPN exit address was \u00a7.", [(V, "172.16.250.9")]),

    # --- Spanish DNI / NIE
    ("Titular del contrato: Luc\u00eda G\u00f3mez, DNI \u00a7.", [(D, dni("48291637"))]),
    ("KYC check passed for the customer with NIE \u00a7.", [(D, nie("X", "4821930"))]),
    ("Verify document \u00a7 against the uploaded scan before approving the loan.",
     [(D, dni("73019284", sep="-"))]),
    ("Residence card holder, NIE \u00a7, has moved to Sevilla.", [(D, nie("Y", "2039485"))]),
    ("CRM note: the client gave DNI \u00a7 and the address \u00a7 for invoices.",
     [(D, dni("51837260")), (E, "a.prieto@example.es")]),
    ("Nuevo empleado con NIE \u00a7 dado de alta en n\u00f3mina.", [(D, nie("Z", "7281640", sep="-"))]),
    ("ID on the rental form: \u00a7", [(D, dni("05938271"))]),
]

NEGATIVE = [
    "The distilled encoder still has 418772093 trainable parameters after pruning.",
    "Last night's backfill inserted 903551274 rows into the events table.",
    "Order number 7301 5528 9046 1173 has shipped from the Leipzig warehouse.",
    "Tracking ID 9400118299021647 shows the parcel is out for delivery.",
    "Gift voucher 6683-4431-9175-3361 can be redeemed until the end of the year.",
    "Voucher code 5231740081926634 was already used on another account.",
    "We upgraded the ingest workers from 2.14.3 to 3.0.1 after the regression fix.",
    "The job started at epoch 1717430400 and finished at 1717434015.",
    "Commit 9f3c2a1e7b4d605e8a1c2b3d4e5f60718293a4b5 introduced the flaky test.",
    "The proof is in chapter 7 of ISBN 978-1-4920-5230-2.",
    "SKU BX-4471-20-BLK is back in stock in every size.",
    "The contract runs from 2024-03-15 to 15/03/2026.",
    "The quarterly cloud bill came to $184,392.17, up 12% on last quarter.",
    "The migration took 3h 42m 18s and p99 latency stayed under 250 ms.",
    "Postgres listens on 5432, Redis on 6379 and the admin UI on 8443.",
    "Request 3f2b8c1e-9a4d-4e7b-8c2f-1d5e6a7b9c0d timed out after 30 seconds.",
    "Pi to fourteen decimals is 3.14159265358979.",
    "Euler's number to fifteen decimals is 2.718281828459045.",
    "Set the random seed to 20240615 so the benchmark run is reproducible.",
    "The form rejected 55031729-K because the control letter does not match.",
    "The applicant typed X9182736-A, but that NIE has the wrong control letter.",
    "The sample file uses the placeholder DE00 1002 0030 0312 2739 85, which fails validation.",
    "GB11 BARC 2804 5573 9784 61 was rejected by the bank as an invalid account number.",
    "The backup snapshot is 274877906944 bytes, roughly 256 GiB.",
    "Build 20240517.3 of the Android app fixes the crash on launch.",
    "The training set contains 1048576 images at 224x224 resolution.",
    "Invoice INV-2023-000418 totals EUR 9,870.00 and is due in 30 days.",
]


# ---------------------------------------------------------------- checks

EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
QUAD_RE = re.compile(r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}")
DIGITS_RE = re.compile(r"\d(?:[ -]?\d)*")
IBAN_RE = re.compile(r"(?=([A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}))")
DNI_RE = re.compile(r"(?=(\d{8})[ -]?([A-Za-z]))")
NIE_RE = re.compile(r"(?=([XYZxyz])[ -]?(\d{7})[ -]?([A-Za-z]))")


def lookalikes(text):
    """Every PII-looking value with a valid checksum (or e-mail / dotted quad)."""
    found = []
    for m in DIGITS_RE.finditer(text):
        d = re.sub(r"\D", "", m.group())
        for n in range(13, 20):
            for i in range(0, len(d) - n + 1):
                if luhn_ok(d[i:i + n]):
                    found.append("luhn window %s in %r" % (d[i:i + n], m.group()))
    for m in IBAN_RE.finditer(text):
        s = m.group(1).replace(" ", "").upper()
        for n in range(15, len(s) + 1):
            if iban_mod97(s[:n]) == 1:
                found.append("iban %s" % s[:n])
    for m in DNI_RE.finditer(text):
        if DNI_LETTERS[int(m.group(1)) % 23] == m.group(2).upper():
            found.append("dni %s%s" % (m.group(1), m.group(2)))
    for m in NIE_RE.finditer(text):
        n = int(str("XYZ".index(m.group(1).upper())) + m.group(2))
        if DNI_LETTERS[n % 23] == m.group(3).upper():
            found.append("nie %s%s%s" % m.groups())
    found += ["email %s" % m.group() for m in EMAIL_RE.finditer(text)]
    found += ["dotted quad %s" % m.group() for m in QUAD_RE.finditer(text)]
    return found


def check_value(typ, v):
    if typ == C:
        assert re.fullmatch(r"\d+(?:[ -]\d+)*", v), v
        d = re.sub(r"\D", "", v)
        assert luhn_ok(d), ("luhn", v)
        assert card_brand(d), ("brand", v)
    elif typ == I:
        s = v.replace(" ", "")
        assert iban_ok(s), ("iban", v)
        assert v == s or v == " ".join(s[i:i + 4] for i in range(0, len(s), 4)), v
    elif typ == D:
        assert dni_or_nie_ok(v), ("dni", v)
    elif typ == E:
        assert EMAIL_RE.fullmatch(v), ("email", v)
    elif typ == V:
        assert QUAD_RE.fullmatch(v) and all(int(o) <= 255 for o in v.split(".")), ("ipv4", v)
    elif typ == P:
        assert re.fullmatch(r"(?:\+|\()?\d[\d ()-]*\d", v), ("phone", v)
        assert 9 <= len(re.sub(r"\D", "", v)) <= 15, ("phone", v)
    else:
        raise AssertionError(typ)


def build_positive(template, values):
    parts = template.split(SLOT)
    assert len(parts) == len(values) + 1, template
    text, spans = parts[0], []
    for (typ, v), tail in zip(values, parts[1:]):
        spans.append({"type": typ, "start": len(text), "end": len(text) + len(v)})
        text += v + tail
    return text, spans


def main():
    rows, errors = [], []
    counts = {}
    for template, values in POSITIVE:
        text, spans = build_positive(template, values)
        for sp, (typ, v) in zip(spans, values):
            try:
                check_value(typ, v)
            except AssertionError as e:
                errors.append("bad value %s in %r" % (e, text))
            assert text[sp["start"]:sp["end"]] == v
            before = text[sp["start"] - 1] if sp["start"] > 0 else " "
            after = text[sp["end"]] if sp["end"] < len(text) else " "
            edge = r"[\w@+]" if typ == E else r"\w"
            if re.match(edge, before) or re.match(edge, after):
                errors.append("span not on a token boundary in %r" % text)
            counts[typ] = counts.get(typ, 0) + 1
        masked = list(text)
        for sp in spans:
            masked[sp["start"]:sp["end"]] = "#" * (sp["end"] - sp["start"])
        for hit in lookalikes("".join(masked)):
            errors.append("unlabelled %s in positive %r" % (hit, text))
        rows.append({"kind": "positive", "text": text, "spans": spans})
    for text in NEGATIVE:
        for hit in lookalikes(text):
            errors.append("%s in negative %r" % (hit, text))
        rows.append({"kind": "negative", "text": text, "spans": []})
    texts = [r["text"] for r in rows]
    if len(texts) != len(set(texts)):
        errors.append("duplicate texts")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        sys.exit(1)
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    print("wrote %d rows (%d positive, %d negative) to %s"
          % (len(rows), len(POSITIVE), len(NEGATIVE), OUT))
    print("spans per type:", json.dumps(counts, sort_keys=True))


if __name__ == "__main__":
    main()
