#!/usr/bin/env python3
"""Builds pii-eval.jsonl, the labelled set the PII redactor is scored on (PiiEvaluationTest).

Real text: FOLDOC sentences (bench/embedding/sentences.sh, Debian's dict-foldoc, GFDL). Into some of them a
piece of personal data is written by a template ("... Contact: <value>."), its span labelled:
  positive       a valid value: IBAN (ISO 13616 mod-97 check digits; ES, DE, FR, NL, GB, IT), card number
                 (Luhn, Visa/Mastercard/Amex/Discover prefixes), Spanish DNI and NIE (mod-23 check letter),
                 e-mail, phone (Spanish mobiles and landlines, UK and US in international format), IPv4/IPv6
  hard_negative  the same templates with a lookalike that must NOT be redacted: wrong check digits or letter,
                 failing Luhn, an octet over 255, an e-mail without a domain, a too-short phone number, and
                 numbers technical text is full of (versions, RFC numbers, ISBNs, dates, times, sizes)
  plain          the sentence alone
FOLDOC credits people by e-mail ("by Jussi Rintanen <jur@cs.hut.fi>"): those real addresses are labelled EMAIL in
every row, by a plain pattern (REAL_EMAIL below).
The validity rules are implemented here from the specifications, independently of the Java code under test.
Stdlib only; fixed seed, so the file is reproducible.

Usage: make_pii_set.py SENTENCES_FILE > pii-eval.jsonl
"""
import json
import random
import re
import string
import sys

R = random.Random(20261201)
DNI = "TRWAGMYFPDXBNJZSQVHLCKE"
IBAN_LAYOUT = {"ES": "20n", "DE": "18n", "FR": "10n11c2n", "NL": "4a10n", "GB": "4a14n", "IT": "1a10n12c"}


def iban_check(country, bban):
    digits = "".join(str(int(ch, 36)) for ch in (bban + country + "00"))
    return f"{98 - int(digits) % 97:02d}"


def random_bban(layout):
    out, num = "", ""
    for ch in layout:
        if ch.isdigit():
            num += ch
            continue
        n = int(num)
        num = ""
        pool = {"n": string.digits, "a": string.ascii_uppercase, "c": string.digits + string.ascii_uppercase}[ch]
        out += "".join(R.choice(pool) for _ in range(n))
    return out


def group4(s):
    return " ".join(s[i:i + 4] for i in range(0, len(s), 4))


def iban(valid=True):
    country = R.choice(list(IBAN_LAYOUT))
    bban = random_bban(IBAN_LAYOUT[country])
    check = iban_check(country, bban)
    if not valid:
        check = f"{(int(check) + R.randint(1, 96)) % 97 + 2:02d}"
        if check == iban_check(country, bban):
            check = f"{(int(check) + 1) % 97 + 2:02d}"
    raw = country + check + bban
    return group4(raw) if R.random() < 0.7 else raw


def luhn_digit(body):
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def card(valid=True):
    kind = R.choice(["visa", "mc", "mc2", "amex", "discover"])
    prefix, length = {"visa": ("4", 16), "mc": (str(R.randint(51, 55)), 16), "mc2": (str(R.randint(2221, 2720)), 16),
                      "amex": (R.choice(["34", "37"]), 15), "discover": ("6011", 16)}[kind]
    body = prefix + "".join(R.choice(string.digits) for _ in range(length - len(prefix) - 1))
    check = luhn_digit(body)
    if not valid:
        check = str((int(check) + R.randint(1, 9)) % 10)
    number = body + check
    sep = R.choice([" ", "-", ""])
    if kind == "amex":
        parts = [number[:4], number[4:10], number[10:]]
    else:
        parts = [number[i:i + 4] for i in range(0, 16, 4)]
    return sep.join(parts)


def dni(valid=True):
    n = R.randint(10_000_000, 99_999_999)
    letter = DNI[n % 23] if valid else DNI[(n % 23 + R.randint(1, 22)) % 23]
    return f"{n}{R.choice(['', '-'])}{letter}"


def nie(valid=True):
    first = R.choice("XYZ")
    n = R.randint(0, 9_999_999)
    number = int(str("XYZ".index(first)) + f"{n:07d}")
    letter = DNI[number % 23] if valid else DNI[(number % 23 + R.randint(1, 22)) % 23]
    return f"{first}{n:07d}{letter}"


FIRST = ["ana", "luis", "maria", "jordi", "elena", "pablo", "sofia", "david", "laura", "marc", "john", "emma"]
LAST = ["garcia", "martinez", "lopez", "puig", "fernandez", "smith", "jones", "sanchez", "ruiz", "moreno"]
DOMAINS = ["example.com", "correo.es", "mail.example.org", "empresa.cat", "uni.edu", "post.example.net"]


def email(valid=True):
    local = R.choice(FIRST) + R.choice([".", "_", ""]) + R.choice(LAST) + R.choice(["", str(R.randint(1, 99))])
    if valid:
        return f"{local}@{R.choice(DOMAINS)}"
    return R.choice([f"{local}@localhost", f"{local}@", f"@{R.choice(DOMAINS)}", f"{local} at example dot com"])


def phone(valid=True):
    if not valid:
        return R.choice([f"612 34{R.randint(0, 9)}", f"{R.randint(100, 999)}-{R.randint(10, 99)}",
                         f"+34 {R.randint(10, 99)}", f"00{R.randint(1000, 9999)}"])
    kind = R.choice(["es_mobile", "es_mobile_intl", "es_land", "uk", "us"])
    if kind == "es_mobile":
        d = "6" + "".join(R.choice(string.digits) for _ in range(8))
        return R.choice([f"{d[:3]} {d[3:6]} {d[6:]}", f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}", d])
    if kind == "es_mobile_intl":
        d = "6" + "".join(R.choice(string.digits) for _ in range(8))
        return f"+34 {d[:3]} {d[3:6]} {d[6:]}"
    if kind == "es_land":
        d = "91" + "".join(R.choice(string.digits) for _ in range(7))
        return R.choice([f"{d[:2]} {d[2:5]} {d[5:7]} {d[7:]}", f"+34 {d[:3]} {d[3:6]} {d[6:]}"])
    if kind == "uk":
        return f"+44 20 7946 0{R.randint(0, 999):03d}"
    return f"+1 650-253-{R.randint(0, 9999):04d}"


def ip(valid=True):
    if not valid:
        return f"{R.randint(256, 999)}.{R.randint(0, 255)}.{R.randint(0, 255)}.{R.randint(0, 255)}"
    if R.random() < 0.75:
        return ".".join(str(R.randint(1, 254)) for _ in range(4))
    return f"2001:db8:{R.randint(0, 0xffff):x}::{R.randint(1, 0xffff):x}"


GENERATORS = {"IBAN": iban, "CARD": card, "ES_DNI": dni, "ES_NIE": nie, "EMAIL": email, "PHONE": phone, "IP": ip}
TECHNICAL = [lambda: f"version {R.randint(1, 9)}.{R.randint(0, 20)}.{R.randint(0, 99)}",
             lambda: f"RFC {R.randint(700, 9999)}", lambda: f"ISBN 978-{R.randint(0, 9)}-{R.randint(10, 99)}-"
             f"{R.randint(100000, 999999)}-{R.randint(0, 9)}", lambda: f"{R.randint(1970, 2030)}-{R.randint(1, 12):02d}-"
             f"{R.randint(1, 28):02d}", lambda: f"{R.randint(0, 23):02d}:{R.randint(0, 59):02d}:{R.randint(0, 59):02d}",
             lambda: f"{R.randint(1, 999)},{R.randint(100, 999)},{R.randint(100, 999)} bytes",
             lambda: f"order {R.randint(10**15, 10**16 - 1)}", lambda: f"port {R.randint(1, 65535)}"]
TEMPLATES = ["{s} Contact: {v}.", "{s} For details write to {v}.", "Reference {v}: {s}", "{s} (see {v})",
             "{s} The account on file is {v}, please check it.", "Note {v} -- {s}"]


REAL_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")


def real_emails(text, offset=0):
    return [{"type": "EMAIL", "start": m.start() + offset, "end": m.end() + offset} for m in REAL_EMAIL.finditer(text)]


def labelled(sentence, value, kind):
    template = R.choice(TEMPLATES)
    before, after = template.split("{v}")
    prefix = before.format(s=sentence)
    text = prefix + value + after.format(s=sentence)
    return text, {"type": kind, "start": len(prefix), "end": len(prefix) + len(value)}


def _inside_value(row, span):
    """A hard negative's lookalike e-mail ("name@" and the like) never matches REAL_EMAIL; this is a safety net."""
    return "@localhost" in row["text"][span["start"]:span["end"]]


def main():
    sentences = [line.strip() for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    R.shuffle(sentences)
    rows = []
    it = iter(sentences)
    for kind, gen in GENERATORS.items():
        for _ in range(100):
            text, span = labelled(next(it), gen(True), kind)
            rows.append({"kind": "positive", "text": text, "spans": [span]})
        for _ in range(40):
            text, _ = labelled(next(it), gen(False), kind)
            rows.append({"kind": "hard_negative", "lookalike_of": kind, "text": text, "spans": []})
    for _ in range(120):
        text, _ = labelled(next(it), R.choice(TECHNICAL)(), "NONE")
        rows.append({"kind": "hard_negative", "lookalike_of": "technical", "text": text, "spans": []})
    for _ in range(600):
        rows.append({"kind": "plain", "text": next(it), "spans": []})
    for row in rows:
        # Real addresses in the sentence itself (not the inserted value, already labelled or a lookalike).
        inserted = row["spans"][0] if row["spans"] else None
        for span in real_emails(row["text"]):
            if inserted is None or span["end"] <= inserted["start"] or span["start"] >= inserted["end"]:
                if row["kind"] != "hard_negative" or row.get("lookalike_of") != "EMAIL" or not _inside_value(row, span):
                    row["spans"].append(span)
        row["spans"].sort(key=lambda sp: sp["start"])
        print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
