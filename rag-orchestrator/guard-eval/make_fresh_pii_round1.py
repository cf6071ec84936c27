#!/usr/bin/env python3
"""Build guard-eval/fresh-pii-round1.jsonl, a held-out test set for the PII redactor.

Every sentence here was written by hand for this file. Each positive row is a list
of pieces: plain strings plus (TYPE, value) tuples. The script joins the pieces,
works out the character offsets (end exclusive), and checks that:
  * every value passes its checksum (Luhn for cards, ISO 7064 mod 97-10 for IBAN,
    mod-23 letter for DNI/NIE) or format check (email, IPv4, phone);
  * text[start:end] == value for every span;
  * the negative rows hold nothing that passes those checks (no Luhn-valid
    13-19 digit run, no valid IBAN, no valid DNI/NIE, no email, no dotted quad).
No randomness: running it twice writes the same bytes.

Usage: python3 make_fresh_pii_test.py [output_path]
"""
import json
import os
import re
import sys

EMAIL = "EMAIL"
PHONE = "PHONE"
CARD = "CREDIT_CARD"
IBAN = "IBAN"
IPV4 = "IPV4"
DNI = "ES_DNI"

# ---------------------------------------------------------------------------
# Positive rows: one or two PII values in an ordinary sentence.
# ---------------------------------------------------------------------------
POSITIVES = [
    # --- credit cards (American Express 15 digits, 34/37) ---
    ["Ticket #4471: the customer says the charge on card ", (CARD, "3412 765501 92839"),
     " was declined twice at checkout."],
    ["CRM note: Amex on file is ", (CARD, "374802166553914"),
     ", expires 09/27, billing address confirmed by phone."],
    ["Refund issued to ", (CARD, "3712-990471-82646"),
     " after the duplicate booking was cancelled."],
    # --- JCB 16 digits (3528-3589) ---
    ["The JCB card ", (CARD, "3528 4190 7736 5202"),
     " was used for the Osaka hotel reservation."],
    ["payment_failed card=", (CARD, "3589120466371811"),
     " reason=insufficient_funds attempt=3"],
    # --- Diners Club (16 digits starting 36, 14 digits starting 30) ---
    ["Please update my Diners Club card to ", (CARD, "3604-7182-3359-0471"),
     ", the old one expired last month."],
    ["The old Diners card ", (CARD, "3021 748816 2946"),
     " should be removed from the account."],
    # --- Visa (16 and 19 digits) ---
    ["Hi, I was charged twice on my Visa ", (CARD, "4539 1682 0577 3143"),
     ", can you check what happened?"],
    ["Card number: ", (CARD, "4917026388445198"), " / name on card: M. Okafor"],
    ["Our corporate Visa ", (CARD, "4485 2719 0336 6128 532"),
     " is registered to the finance department in Leeds."],
    # --- Mastercard (51-55 and 2221-2720) ---
    ["Chargeback received for Mastercard ", (CARD, "5184-0297-7635-1088"),
     "; the merchant ID is attached to the case."],
    ["The new Mastercard ", (CARD, "2223 8104 6619 3272"),
     " replaces the one that was reported stolen."],
    ["Declined: ", (CARD, "2719 0458 3326 1400"),
     " (issuer timeout), customer asked us to retry tomorrow."],
    ["She read out her card as ", (CARD, "5499 3306 1872 2043"),
     " and asked us to call her back at ", (PHONE, "+1 415 555 0132"), "."],
    # --- Discover (6011 and 65) ---
    ["Discover card ", (CARD, "6011 7209 3385 4611"),
     " is the default payment method for this subscription."],
    ["log: tokenization skipped for pan ", (CARD, "6504182766309524"),
     " because the vault was unreachable"],

    # --- phone numbers ---
    ["Call the customer back on ", (PHONE, "(212) 555-0199"), " after 3pm Eastern."],
    ["Our London office can be reached at ", (PHONE, "+44 20 7946 0958"),
     " during UK business hours."],
    ["Móvil del cliente: ", (PHONE, "+34 612 345 678"), ", prefiere que le escriban por WhatsApp."],
    ["Rückruf bitte unter ", (PHONE, "+49 30 12345678"),
     ", Herr Brandt ist ab 14 Uhr erreichbar."],
    ["Le client a laissé son numéro, ", (PHONE, "0612345678"), ", et demande un rappel demain matin."],
    ["Escalation contact: ", (EMAIL, "dana.whitfield@northwind-logistics.com"),
     ", phone ", (PHONE, "+1-646-555-0147"), "."],
    ["Numéro du standard de l'agence : ", (PHONE, "+33 1 42 68 53 00"), "."],
    ["Per the voicemail, the courier can reach her on ", (PHONE, "07 81 52 44 19"),
     " before noon."],
    ["The customer in Milan left the number ", (PHONE, "+39 347 812 4405"),
     " for delivery updates."],
    ["Amsterdam site contact for the install: ", (PHONE, "+31 20 794 6213"), "."],

    # --- email addresses ---
    ["From: ", (EMAIL, "j.moreno@clinica-santaelena.es"), " (please confirm the appointment for Thursday)"],
    ["Password reset requested for ", (EMAIL, "priya.raman84@gmail.com"),
     " from IP ", (IPV4, "203.0.113.57"), "."],
    ["Please cc ", (EMAIL, "billing+eu@acme-robotics.de"), " on any invoice disputes."],
    ["The Reply-To header was set to ", (EMAIL, "t_nguyen@uni-heidelberg.de"),
     ", which did not match the sender."],
    ["The account owner is ", (EMAIL, "oliver.schmidt@posteo.net"),
     "; do not share order details with anyone else."],
    ["Newsletter bounce: the mailbox ", (EMAIL, "k.lindqvist@telia.se"), " is full."],

    # --- IPv4 addresses ---
    ["2024-11-02T08:14:55Z WARN auth failed user=admin src=", (IPV4, "198.51.100.23"),
     " attempts=5"],
    ["The customer's router WAN address is ", (IPV4, "81.214.37.102"),
     ", please add it to the allow list."],
    ["sshd[2291]: Accepted publickey for deploy from ", (IPV4, "10.24.8.131"), " port 52214 ssh2"],
    ["Her laptop keeps getting ", (IPV4, "192.168.1.47"), " from DHCP even after a reset."],
    ["We blocked repeated scraping from ", (IPV4, "185.143.22.9"), " and ",
     (IPV4, "185.143.22.17"), " at the edge firewall."],

    # --- IBANs (DE, FR, ES, GB, NL, IT; grouped and unbroken) ---
    ["Please transfer the deposit to ", (IBAN, "DE53 3704 0044 0618 2743 90"), " before Friday."],
    ["Vendor bank details updated: IBAN ", (IBAN, "DE44500105175407324931"), ", BIC INGDDEFFXXX."],
    ["Virement reçu depuis le compte ", (IBAN, "FR76 3000 4018 2300 0145 6287 156"), " le 3 mars."],
    ["Refund to ", (IBAN, "FR2720041010050513872G02660"),
     " as requested in the customer's letter."],
    ["Domiciliación bancaria en la cuenta ", (IBAN, "ES78 2100 3127 1160 3827 4159"), "."],
    ["IBAN for payroll: ", (IBAN, "ES5200491500030511328471"), " (changed by the employee on 12 May)."],
    ["Pay the contractor at ", (IBAN, "GB51 BARC 2032 5374 0182 63"), ", reference INV-2291."],
    ["The standing order from ", (IBAN, "GB74LOYD30963847102255"),
     " was cancelled by the customer."],
    ["Dutch supplier account: ", (IBAN, "NL54 ABNA 0438 2615 93"), "."],
    ["Incasso mislukt voor rekening ", (IBAN, "NL56RABO0582173647"), ", de klant is gemaild."],
    ["Bonifico sul conto ", (IBAN, "IT12 B030 6909 6060 0001 2847 561"), " entro fine mese."],
    ["Italian branch IBAN on the invoice: ", (IBAN, "IT39E0200801664000104562873"), "."],

    # --- Spanish DNI / NIE ---
    ["Cliente verificado con DNI ", (DNI, "48213377H"), " en la oficina de Valencia."],
    ["KYC passed: Spanish ID ", (DNI, "73590214-N"), " matches the name on the contract."],
    ["NIE del arrendatario: ", (DNI, "X5823041Q"), "; teléfono ", (PHONE, "+34 655 204 918"), "."],
    ["The applicant's NIE is ", (DNI, "Y2917406P"), " according to the scanned residence card."],
    ["Titular: Lucía Ferrer, DNI ", (DNI, "05318862C"), ", correo ",
     (EMAIL, "lucia.ferrer@telefonica.net"), "."],
    ["Tenant NIE ", (DNI, "Z0648153H"), " was added to the lease on Monday."],
    ["dni=", (DNI, "29047165M"), " status=verified channel=app"],
]

# ---------------------------------------------------------------------------
# Negative rows: no PII, but numbers a naive detector would flag.
# ---------------------------------------------------------------------------
NEGATIVES = [
    "The model has 706880802 parameters after pruning the embedding layer.",
    "Last night's batch processed 1234567890 rows in just under four hours.",
    "Order 4000123412341237 has shipped and should arrive on Tuesday.",
    "Tracking ID 7812 3345 9901 2276 was scanned at the Memphis hub this morning.",
    "Gift voucher batch 6011-0000-0000-0002 was printed but never activated.",
    "Upgrade the agent to v10.4.1 before enabling the new metrics exporter.",
    "The event timestamp 1733493120123 is in epoch milliseconds.",
    "Commit 3e1a7c0d94b25f6e8810c2d47fa93b5e06d1c8a2 introduced the regression in the parser.",
    "The second edition is listed under ISBN 978-1-4920-5232-6 in the catalogue.",
    "Product code SKU-884213-77B is out of stock in the Leeds warehouse.",
    "The release was cut on 2024-03-18 and the hotfix followed on 2024-03-21.",
    "Q3 revenue came to $12,480,337.52, up 8% on the previous quarter.",
    "We now have 48213377 registered accounts across all regions.",
    "Warehouse bin 48213377K holds the spare fan modules.",
    "The p50 request latency was 1843270 ns and the p99 was 9120455 ns.",
    "The service listens on port 8443, with metrics on 9100 and the database on 5432.",
    "Request 5f0c9e2a-7b41-4d8e-9a6f-21c3e8b7d410 failed with a gateway timeout.",
    "Pi to twenty decimal places is 3.14159265358979323846.",
    "Invoice INV-2024-000183 totals 4,250.00 EUR including VAT.",
    "The array holds 3999688294400 bytes, roughly 3.6 TiB of usable space.",
    "Firmware build 20241105.1432 was flashed onto all 312 gateways.",
    "Ticket volume hit 187342 in November, the highest since 2019.",
    "Sector 2147483647 is the last block addressable with a signed 32-bit LBA.",
    "The crash dump shows a stack pointer of 0x7ffd4a3c9e21 at the faulting frame.",
    "Shipment weight was 1250 kg across 42 pallets, each 120 x 80 x 144 cm.",
    "The random seed 20231104 was used for every run reported in Table 2.",
]

# ---------------------------------------------------------------------------
# Checks
# ---------------------------------------------------------------------------
DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE"


def luhn_ok(digits):
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_issuer(digits):
    n = len(digits)
    if n == 15 and digits[:2] in ("34", "37"):
        return "amex"
    if n == 16 and 3528 <= int(digits[:4]) <= 3589:
        return "jcb"
    if digits[:2] == "36" and n in (14, 16):
        return "diners"
    if n == 14 and 300 <= int(digits[:3]) <= 305:
        return "diners"
    if digits[0] == "4" and n in (13, 16, 19):
        return "visa"
    if n == 16 and (51 <= int(digits[:2]) <= 55 or 2221 <= int(digits[:4]) <= 2720):
        return "mastercard"
    if n == 16 and (digits[:4] == "6011" or digits[:2] == "65"):
        return "discover"
    return None


def check_card(value):
    assert re.fullmatch(r"\d+(?:[ -]\d+)*", value), value
    digits = re.sub(r"[ -]", "", value)
    assert luhn_ok(digits), ("Luhn failed", value)
    assert card_issuer(digits), ("unknown issuer/length", value)
    return card_issuer(digits)


IBAN_LEN = {"DE": 22, "FR": 27, "ES": 24, "GB": 22, "NL": 18, "IT": 27}


def iban_mod97_ok(compact):
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def check_iban(value):
    assert re.fullmatch(r"[A-Z0-9]+(?: [A-Z0-9]+)*", value), value
    compact = value.replace(" ", "")
    cc = compact[:2]
    assert cc in IBAN_LEN and len(compact) == IBAN_LEN[cc], ("IBAN length", value)
    assert compact[2:4].isdigit(), value
    assert iban_mod97_ok(compact), ("mod 97 failed", value)
    if " " in value:  # printed form: groups of four
        groups = value.split(" ")
        assert all(len(g) == 4 for g in groups[:-1]) and 1 <= len(groups[-1]) <= 4, value
    return cc


def dni_ok(value):
    v = value.replace("-", "").upper()
    m = re.fullmatch(r"([XYZ]?)(\d{7,8})([A-Z])", v)
    if not m:
        return False
    prefix, num, letter = m.groups()
    if prefix:
        if len(num) != 7:
            return False
        num = str("XYZ".index(prefix)) + num
    elif len(num) != 8:
        return False
    return DNI_LETTERS[int(num) % 23] == letter


def check_dni(value):
    assert dni_ok(value), ("DNI/NIE letter wrong", value)
    return "NIE" if value[0] in "XYZ" else "DNI"


EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def check_email(value):
    assert EMAIL_RE.fullmatch(value), value
    return value.rsplit(".", 1)[1]


def check_ipv4(value):
    parts = value.split(".")
    assert len(parts) == 4, value
    for p in parts:
        assert p.isdigit() and str(int(p)) == p and 0 <= int(p) <= 255, value
    return "private" if parts[0] in ("10", "192", "172") else "public"


def check_phone(value):
    assert re.fullmatch(r"\+?[\d ()-]+", value), value
    digits = re.sub(r"\D", "", value)
    if value.startswith("+"):
        # country code + national significant number
        plans = {"1": 11, "44": 12, "34": 11, "49": (11, 12, 13), "33": 11, "39": (11, 12, 13), "31": 11}
        for cc, length in plans.items():
            if digits.startswith(cc):
                lengths = length if isinstance(length, tuple) else (length,)
                assert len(digits) in lengths, ("phone length", value)
                if cc == "1":
                    assert digits[1] in "23456789" and digits[4] in "23456789", value
                if cc == "34":
                    assert digits[2] in "6789", value
                return "+" + cc
        raise AssertionError(("unknown country code", value))
    if value.startswith("("):  # North American national format
        assert len(digits) == 10 and digits[0] in "23456789", value
        return "NANP"
    # French national format: 0 + 9 digits
    assert len(digits) == 10 and digits[0] == "0" and digits[1] in "123456789", value
    return "FR-national"


CHECKS = {CARD: check_card, IBAN: check_iban, DNI: check_dni, EMAIL: check_email,
          IPV4: check_ipv4, PHONE: check_phone}


def build_positive(pieces):
    text = ""
    spans = []
    for piece in pieces:
        if isinstance(piece, tuple):
            typ, value = piece
            CHECKS[typ](value)
            start = len(text)
            text += value
            spans.append({"type": typ, "start": start, "end": len(text)})
        else:
            text += piece
    assert 1 <= len(spans) <= 2, text
    for sp, value in zip(spans, [p[1] for p in pieces if isinstance(p, tuple)]):
        assert text[sp["start"]:sp["end"]] == value
        # the value must not run into neighbouring alphanumerics
        assert sp["start"] == 0 or not text[sp["start"] - 1].isalnum(), text
        assert sp["end"] == len(text) or not text[sp["end"]].isalnum(), text
    return {"kind": "positive", "text": text, "spans": spans}


def assert_clean(text):
    """A negative row must hold nothing that passes the positive checks."""
    for m in re.finditer(r"\d(?:[ -]?\d){12,18}", text):
        run = re.sub(r"[ -]", "", m.group())
        # look at every 13-19 digit window of the run, not only the whole run
        for ln in range(13, min(19, len(run)) + 1):
            for i in range(len(run) - ln + 1):
                w = run[i:i + ln]
                assert not (luhn_ok(w) and card_issuer(w)), ("card-like", text, w)
        assert not (13 <= len(run) <= 19 and luhn_ok(run)), ("Luhn-valid run", text, run)
    assert not EMAIL_RE.search(text), text
    assert not re.search(r"(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d.])", text), ("dotted quad", text)
    for m in re.finditer(r"\b[XYZ]?\d{7,8}-?[A-Z]\b", text):
        assert not dni_ok(m.group()), ("valid DNI", text)
    for m in re.finditer(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}(?: ?[A-Z0-9]{1,4})?", text):
        assert not iban_mod97_ok(m.group().replace(" ", "")), ("valid IBAN", text)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "fresh-pii-round1.jsonl")
    rows = [build_positive(p) for p in POSITIVES]
    for text in NEGATIVES:
        assert_clean(text)
        rows.append({"kind": "negative", "text": text, "spans": []})
    texts = [r["text"] for r in rows]
    assert len(set(texts)) == len(texts), "duplicate text"
    with open(out, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    counts = {}
    for r in rows:
        counts[r["kind"]] = counts.get(r["kind"], 0) + 1
        for sp in r["spans"]:
            counts[sp["type"]] = counts.get(sp["type"], 0) + 1
    print(out, counts)


if __name__ == "__main__":
    main()
