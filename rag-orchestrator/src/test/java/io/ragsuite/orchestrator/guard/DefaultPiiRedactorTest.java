package io.ragsuite.orchestrator.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DefaultPiiRedactorTest {
    private static final byte[] KEY = "a test key of 32 bytes, not real".getBytes();
    private final DefaultPiiRedactor mask = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.MASK, "ES", null);

    private String masked(String text) {
        return mask.redact(text).text();
    }

    @Test
    void validValuesAreMaskedByType() {
        assertEquals("Pay to [IBAN] today.", masked("Pay to ES91 2100 0418 4502 0005 1332 today."));
        assertEquals("IBAN [IBAN].", masked("IBAN DE89370400440532013000."));
        assertEquals("Card [CARD], or [CARD].", masked("Card 4111 1111 1111 1111, or 5500-0000-0000-0004."));
        assertEquals("DNI [ES_DNI] and NIE [ES_NIE].", masked("DNI 12345678Z and NIE X1234567L."));
        assertEquals("Write to [EMAIL].", masked("Write to ana.garcia@example.com."));
        assertEquals("Call [PHONE] or [PHONE].", masked("Call +34 612 345 678 or 612 34 56 78."));
        assertEquals("US office: [PHONE].", masked("US office: +1 650-253-0000."));
        assertEquals("Hosts [IP] and [IP].", masked("Hosts 192.168.1.20 and 2001:db8::1."));
    }

    @Test
    void lookalikesThatFailTheirChecksumStay() {
        for (String text : List.of(
                "Wrong check digits: ES92 2100 0418 4502 0005 1332.",
                "Not Luhn: 4111 1111 1111 1112.",
                "Wrong letter: 12345678A, X1234567A.",
                "ISBN 978-3-16-148410-0 and order 1234567890123456.",
                "Linux 2.6.32, not an address 999.1.1.1, at 12:30:45 on 2024-01-15.",
                "In 1999 about 35,000,000 people used it.",
                "user@localhost is not a routable address")) {
            assertEquals(text, masked(text), () -> "changed: " + mask.find(text));
        }
    }

    /** The two misses of issue 17: card numbers outside the four brands' lengths, and counts read as phones. */
    @Test
    void cardsOfEveryIssuerAndPhonesOnlyWhereTheyArePhones() {
        assertEquals("Paid with [CARD].", masked("Paid with 3714 4963 5398 4009."), "16 digits starting 37, Luhn-valid");
        assertEquals("JCB [CARD], Diners [CARD].", masked("JCB 3530-1113-3330-0000, Diners 36123456789005."));
        assertEquals("The model has 706880802 parameters.", masked("The model has 706880802 parameters."));
        assertEquals("Ticket 600123456 was closed.", masked("Ticket 600123456 was closed."));
        assertEquals("Call me on [PHONE] tonight.", masked("Call me on 706880802 tonight."), "a bare number next to a phone word");
        assertEquals("Ring [PHONE] or [PHONE].", masked("Ring 612 34 56 78 or +34 699 112 233."), "written as phones are");
        assertEquals("Call the desk on [PHONE].", masked("Call the desk on (212) 555-0199."), "another country's format, with the word");
        assertEquals("Build 212 555 0199 passed.", masked("Build 212 555 0199 passed."), "another country's format, no word");
    }

    @Test
    void hashModeGivesStableKeyedTokens() {
        var hash = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.HASH, "ES", KEY);
        String a = hash.redact("Mail ana.garcia@example.com").text();
        String b = hash.redact("Again: ana.garcia@example.com!").text();
        assertTrue(a.matches("Mail \\[EMAIL:[0-9a-f]{12}]"), a);
        assertEquals(a.substring(5), b.substring(7, b.length() - 1), "same value, same token");
        var other = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.HASH, "ES",
                "another key of 32 bytes, unequal".getBytes());
        assertNotEquals(a, other.redact("Mail ana.garcia@example.com").text(), "the token depends on the key");
        assertThrows(IllegalArgumentException.class,
                () -> new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.HASH, "ES", null));
    }

    @Test
    void removeAndOffAndSelectedTypes() {
        var remove = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.REMOVE, "ES", null);
        assertEquals("Mail  now.", remove.redact("Mail ana@example.com now.").text());
        var off = new DefaultPiiRedactor(EnumSet.allOf(PiiType.class), RedactionMode.OFF, "ES", null);
        assertEquals("Mail ana@example.com now.", off.redact("Mail ana@example.com now.").text());
        var emailOnly = new DefaultPiiRedactor(EnumSet.of(PiiType.EMAIL), RedactionMode.MASK, "ES", null);
        assertEquals("[EMAIL] 192.168.1.20", emailOnly.redact("ana@example.com 192.168.1.20").text());
    }

    /** Streamed in pieces of any size, the output equals the whole text redacted, and no value leaks early. */
    @Test
    void streamingRedactionEqualsWholeRedaction() {
        String text = "Dear client, your IBAN ES91 2100 0418 4502 0005 1332 and card 4111 1111 1111 1111 are on file; "
                + "call +34 612 345 678 or write to ana.garcia@example.com. Your DNI 12345678Z was checked. Bye.";
        String whole = masked(text);
        Random random = new Random(7);
        for (int round = 0; round < 200; round++) {
            StreamingRedactor s = mask.streaming();
            StringBuilder out = new StringBuilder();
            int at = 0;
            while (at < text.length()) {
                int n = Math.min(text.length() - at, 1 + random.nextInt(12));
                out.append(s.accept(text.substring(at, at + n)));
                assertFalse(out.toString().contains("4111") || out.toString().contains("2100 0418")
                        || out.toString().contains("612 345"), "leaked: " + out);
                at += n;
            }
            out.append(s.finish());
            assertEquals(whole, out.toString());
        }
    }
}
