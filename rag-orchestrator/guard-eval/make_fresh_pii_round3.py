#!/usr/bin/env python3
"""Deterministic generator for fresh-pii-round3.jsonl (held-out PII redaction eval).

Sentence texts are hand-written below. Check digits (Luhn, ISO 7064 mod 97-10,
DNI/NIE mod 23) are computed here, and every span, checksum and negative is verified
before the file is written.
"""
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fresh-pii-round3.jsonl")
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


# ---------------------------------------------------------------- checksums
def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_digit(body):
    for c in "0123456789":
        if luhn_ok(body + c):
            return c
    raise AssertionError


def iban_ok(s):
    s = s.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", s):
        return False
    r = s[4:] + s[:4]
    return int("".join(str(int(c, 36)) for c in r)) % 97 == 1


def iban_check(country, bban):
    r = bban + country + "00"
    n = int("".join(str(int(c, 36)) for c in r))
    return "%02d" % (98 - n % 97)


def dni_ok(s):
    s = s.replace("-", "").replace(" ", "").upper()
    m = re.fullmatch(r"([XYZ]?)(\d{7,8})([A-Z])", s)
    if not m:
        return False
    pre, num, let = m.groups()
    if pre:
        if len(num) != 7:
            return False
        num = "XYZ".index(pre).__str__() + num
    elif len(num) != 8:
        return False
    return DNI_LETTERS[int(num) % 23] == let


def ipv4_ok(s):
    parts = s.split(".")
    return len(parts) == 4 and all(p.isdigit() and 0 <= int(p) <= 255 and str(int(p)) == p for p in parts)


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
RESERVED_TLDS = {"example", "test", "invalid", "localhost", "local"}


# ---------------------------------------------------------------- builders
def group(digits, sizes, sep):
    assert sum(sizes) == len(digits), (digits, sizes)
    out, i = [], 0
    for n in sizes:
        out.append(digits[i:i + n])
        i += n
    return sep.join(out)


def card(body, sizes, sep=" "):
    d = body + luhn_digit(body)
    return ("CREDIT_CARD", group(d, sizes, sep))


def iban(country, bban, spaced=True):
    s = country + iban_check(country, bban) + bban
    if spaced:
        s = " ".join(s[i:i + 4] for i in range(0, len(s), 4))
    return ("IBAN", s)


def es_bban(bank, branch, account):
    w = [1, 2, 4, 8, 5, 10, 9, 7, 3, 6]

    def dc(ten):
        d = 11 - sum(int(a) * b for a, b in zip(ten, w)) % 11
        return {10: 1, 11: 0}.get(d, d)

    return bank + branch + str(dc("00" + bank + branch)) + str(dc(account)) + account


def be_bban(ten):
    k = int(ten) % 97 or 97
    return ten + "%02d" % k


def fr_bban(bank, branch, account):
    key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(account)) % 97
    return bank + branch + account + "%02d" % key


def dni(num, sep=""):
    return ("ES_DNI", num + sep + DNI_LETTERS[int(num) % 23])


def nie(pre, seven, sep=""):
    return ("ES_DNI", pre + seven + sep + DNI_LETTERS[int(str("XYZ".index(pre)) + seven) % 23])


def E(v):
    return ("EMAIL", v)


def P(v):
    return ("PHONE", v)


def IP(v):
    return ("IPV4", v)


# ---------------------------------------------------------------- positives
POS = [
    ("Please charge the deposit to my Visa ", card("453201784419226", [4, 4, 4, 4]), " and send the receipt to ", E("aisha.rahman@gmail.com"), "."),
    ("The replacement card is ", card("401288017734115", [4, 4, 4, 4], "-"), ", so the old one can be cancelled."),
    ("An older Visa, ", card("422225671908", [13], ""), ", is still listed on the supplier account."),
    ("Mastercard ", card("510510732918447", [4, 4, 4, 4]), " was declined twice at the hotel desk."),
    ("She read out the number ", card("554433029176102", [16], ""), " while I typed it into the form."),
    ("For the conference fee we used the company card ", card("222100489163205", [4, 4, 4, 4]), "."),
    ("The chargeback concerns card ", card("272099118304657", [4, 4, 4, 4], "-"), " and a purchase from April."),
    ("Our fuel card, ", card("230187542093318", [16], ""), ", is billed to the logistics cost centre."),
    ("Amex ", card("34128893017255", [4, 6, 5]), " is the card we keep for travel bookings."),
    ("He asked to update the corporate Amex to ", card("37824463100598", [4, 6, 5], "-"), " before the trip."),
    ("The booking tool stored ", card("37142900715836", [15], ""), " as the default payment method."),
    ("Discover card ", card("601109873352140", [4, 4, 4, 4]), " belongs to the Denver office."),
    ("Refund the order to ", card("650032117845903", [16], ""), ", the card the customer originally paid with."),
    ("Her Discover number is ", card("644718205573691", [4, 4, 4, 4], "-"), "; the expiry is 09/27."),
    ("The JCB card ", card("353098214476520", [4, 4, 4, 4]), " was added by the Osaka team."),
    ("Payment came from JCB ", card("356682417739104", [16], ""), " and cleared this morning."),
    ("A Diners Club card, ", card("3622720648913", [4, 6, 4]), ", is on file for the client dinners."),
    ("The legacy Diners account ", card("3052841176390", [14], ""), " should be closed by the end of the quarter."),
    ("Call me on ", P("+34 622 48 19 07"), " if the delivery is late."),
    ("My phone number is ", P("+49 151 2384 6710"), ", but I only pick up after six."),
    ("Tel. ", P("+33 6 12 48 73 95"), " (Camille, front desk)"),
    ("You can reach the Chicago office by phone at ", P("+1 312 742 9056"), "."),
    ("Mobile: ", P("07911 482 306"), ", available on weekdays."),
    ("For urgent issues, phone ", P("(617) 482-9316"), " and ask for the on-call engineer."),
    ("Jonas left ", P("0176 5532 1894"), " on the sign-up sheet."),
    ("The Berlin branch is at ", P("+49 30 4679 2281"), " according to the new brochure."),
    ("Reception in Madrid: ", P("+34 91 578 23 46"), ", open from nine to two."),
    ("The agency in Paris gave us ", P("01 42 68 53 00"), " as their main line."),
    ("San Francisco sales: ", P("+1 (415) 362-8841"), ", ask for Priya."),
    ("Marco's number in Milan is ", P("+39 347 218 5530"), " and he prefers text messages."),
    ("Please transfer the rent to ", iban("DE", "10070024" + "0948215530"), " by the third of each month."),
    ("My Spanish account is ", iban("ES", es_bban("2085", "9310", "0330174826")), ", in my name."),
    ("The invoice lists the IBAN ", iban("FR", fr_bban("20041", "01005", "04417283621"), spaced=False), " for payment."),
    ("Send the deposit to ", iban("GB", "BARC" + "203214" + "57309126"), " and quote the booking number."),
    ("Our Dutch supplier uses ", iban("NL", "RABO" + "0319845217", spaced=False), " for euro payments."),
    ("Refunds go to the Belgian account ", iban("BE", be_bban("0635481927")), "."),
    ("The Vienna landlord asked for payment to ", iban("AT", "12000" + "51628493017"), "."),
    ("Salary for the Zurich contractor goes to ", iban("CH", "00235" + "074819365201", spaced=False), ", and questions to ", E("payroll@alpenrand-consulting.com"), "."),
    ("Write to ", E("laura.mendez@correo-norte.es"), " for anything about the Bilbao warehouse."),
    ("The shipping contact is ", E("j.keller@baumann-logistik.de"), "; he answers in German or English."),
    ("Alerts are forwarded to ", E("ops-team@lumenstack.io"), " and to the pager."),
    ("If you want to help on Saturday, email ", E("volunteer@riverbendfoodbank.org"), "."),
    ("The database host moved to ", IP("10.24.7.133"), " after the migration."),
    ("Reset the router at ", IP("192.168.1.254"), " and then reconnect the printer."),
    ("Failed SSH logins came from ", IP("185.199.108.153"), " and ", IP("34.117.59.81"), " overnight."),
    ("The staging gateway answers on ", IP("172.16.40.9"), "; ping it before deploying."),
    ("My DNI is ", dni("48213907"), " and my mobile is ", P("+34 644 201 738"), "."),
    ("The contract lists DNI ", dni("05931476", "-"), " for the tenant."),
    ("Please attach a copy of the document with number ", dni("73018264"), "."),
    ("Her NIE is ", nie("X", "4172039"), "; she registered in Valencia last year."),
    ("The NIE on the work permit reads ", nie("Y", "2806153"), "."),
    ("Applicant: Tomasz Nowak, NIE ", nie("Z", "9031478", "-"), ", email ", E("tomasz.nowak@poczta-online.com"), "."),
]

# ---------------------------------------------------------------- negatives
NEG = [
    "The crawler processed 1,284,903,221 pages last quarter.",
    "Order reference 4532 0178 4419 2267 was rejected by the warehouse system.",
    "Build 5.18.2 was released on 2024-02-29 at 14:05:33 UTC.",
    "Commit a3f9c2e81b7d4e60f5a1c9d2e8b7f6a5c4d3e2f1 fixed the regression in the parser.",
    "The second edition has ISBN 978-1-4920-5213-7 and 540 pages.",
    "The invoice total is EUR 12,480.50, due on 15/07/2025.",
    "The service listens on port 8443 and the metrics exporter on port 9100.",
    "Request 3f2b8c1e-9a4d-4e7b-b5c2-1d8e6f0a9b37 timed out after 30 seconds.",
    "The form rejected 48213907A because the control letter does not match the number.",
    "The sample code DE00 1007 0024 0948 2155 36 has deliberately wrong check digits.",
    "The metro area has 6 752 081 residents according to the last census.",
    "Unix timestamp 1718035200 corresponds to 10 June 2024.",
    "Checkpoint step_0450000 reached 0.9134 accuracy on the validation split.",
    "We pinned CPython 3.11.4 and Node 20.12.1 in the build image.",
    "The SHA-256 digest starts with 9f86d081884c7d659a2feaa0c55ad015.",
    "Shipment 7731 0482 9915 6603 left the depot on Tuesday.",
    "X1234567B is not a valid NIE, since the letter is wrong.",
    "The budget rose from $3.2 million to $4.75 million over two years.",
    "The coordinates 40.4168, -3.7038 mark the centre of Madrid.",
    "SKU 00012-77804-3 is out of stock until March.",
    "The meeting is at 10:30 on 2025-11-04 in room 4.12.",
    "GB00 BARC 2032 1457 3091 26 is the template from the training slides, with the checksum zeroed.",
    "Euler's number to fifteen decimals is 2.718281828459045.",
    "Error code 0x80070005 means access denied.",
    "Each node has 4,096 MB of memory and 2 vCPUs.",
    "The serial 1200 3400 5600 7801 was printed on the pallet label.",
]


# ---------------------------------------------------------------- scanners
def luhn_windows(text):
    hits = []
    for m in re.finditer(r"\d(?:[ -]?\d)*", text):
        d = re.sub(r"\D", "", m.group())
        for n in range(13, 20):
            for i in range(0, len(d) - n + 1):
                if luhn_ok(d[i:i + n]):
                    hits.append(d[i:i + n])
    return hits


def iban_hits(text):
    hits = []
    for m in re.finditer(r"[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]){11,32}", text):
        s = m.group().replace(" ", "")
        for n in range(15, min(34, len(s)) + 1):
            if iban_ok(s[:n]):
                hits.append(s[:n])
    return hits


def dni_hits(text):
    hits = []
    for m in re.finditer(r"(?<![A-Za-z0-9])([XYZ]?[- ]?\d{7,8}[- ]?[A-Z])(?![A-Za-z0-9])", text):
        if dni_ok(m.group(1)):
            hits.append(m.group(1))
    return hits


def quad_hits(text):
    return re.findall(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", text)


def scan(text):
    return {
        "luhn": luhn_windows(text),
        "iban": iban_hits(text),
        "dni": dni_hits(text),
        "email": EMAIL_RE.findall(text),
        "quad": quad_hits(text),
    }


def verify_value(t, v):
    if t == "CREDIT_CARD":
        d = re.sub(r"[ -]", "", v)
        assert d.isdigit() and 13 <= len(d) <= 19 and luhn_ok(d), v
        iin = d[:2]
        ok = (d[0] == "4" and len(d) in (13, 16)) or (51 <= int(iin) <= 55 and len(d) == 16) \
            or (2221 <= int(d[:4]) <= 2720 and len(d) == 16) or (iin in ("34", "37") and len(d) == 15) \
            or ((d.startswith("6011") or d.startswith("65") or 644 <= int(d[:3]) <= 649) and len(d) == 16) \
            or (3528 <= int(d[:4]) <= 3589 and len(d) == 16) \
            or ((iin == "36" or 300 <= int(d[:3]) <= 305) and len(d) == 14)
        assert ok, ("issuer range", v)
    elif t == "IBAN":
        assert iban_ok(v), v
    elif t == "ES_DNI":
        assert dni_ok(v), v
    elif t == "EMAIL":
        assert EMAIL_RE.fullmatch(v), v
        assert v.rsplit(".", 1)[1].lower() not in RESERVED_TLDS, v
    elif t == "IPV4":
        assert ipv4_ok(v), v
    elif t == "PHONE":
        d = re.sub(r"\D", "", v)
        assert 9 <= len(d) <= 13, v
        assert "555" not in d[-7:-4] if d.startswith("1") or v.startswith("(") else True, v
    else:
        raise AssertionError(t)


def build():
    rows = []
    for parts in POS:
        text, spans = "", []
        for p in parts:
            if isinstance(p, str):
                text += p
            else:
                t, v = p
                verify_value(t, v)
                spans.append({"type": t, "start": len(text), "end": len(text) + len(v)})
                text += v
        assert 1 <= len(spans) <= 2
        # nothing PII-like may remain outside the labelled spans
        masked = list(text)
        for s in spans:
            for i in range(s["start"], s["end"]):
                masked[i] = "#"
        left = {k: v for k, v in scan("".join(masked)).items() if v}
        assert not left, (text, left)
        rows.append({"kind": "positive", "text": text, "spans": spans})
    for text in NEG:
        found = {k: v for k, v in scan(text).items() if v}
        assert not found, (text, found)
        rows.append({"kind": "negative", "text": text, "spans": []})
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts)
    return rows


def main():
    rows = build()
    with open(OUT, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    from collections import Counter
    print("positives", sum(r["kind"] == "positive" for r in rows),
          "negatives", sum(r["kind"] == "negative" for r in rows))
    print(Counter(s["type"] for r in rows for s in r["spans"]))


if __name__ == "__main__":
    main()
