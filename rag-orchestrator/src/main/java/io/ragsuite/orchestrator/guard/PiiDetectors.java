package io.ragsuite.orchestrator.guard;

import com.google.i18n.phonenumbers.PhoneNumberMatch;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.validator.routines.CreditCardValidator;
import org.apache.commons.validator.routines.EmailValidator;
import org.apache.commons.validator.routines.IBANValidator;
import org.apache.commons.validator.routines.InetAddressValidator;

/** One detector per {@link PiiType}: a candidate pattern, then the validator that decides. */
final class PiiDetectors {
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    /** Country code, check digits, then up to 30 letters/digits in groups separated by single spaces. */
    private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
    private static final Pattern CARD = Pattern.compile("(?<![\\d.,-])\\d(?:[ -]?\\d){12,18}(?![\\d.,]\\d)");
    private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\d.]*\\d)");
    private static final Pattern IPV6 = Pattern.compile("(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f])");
    private static final Pattern DNI = Pattern.compile("\\b\\d{8}[- ]?[A-Za-z]\\b");
    private static final Pattern NIE = Pattern.compile("\\b[XYZxyz][- ]?\\d{7}[- ]?[A-Za-z]\\b");
    private static final String DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
    /** Visa, Mastercard, Amex and Discover ranges with Luhn; immutable, so one serves every call. */
    private static final CreditCardValidator CARDS = new CreditCardValidator();

    private PiiDetectors() {
    }

    static List<PiiFinding> email(String text) {
        return matches(EMAIL, text, PiiType.EMAIL, m -> EmailValidator.getInstance().isValid(m.group()) ? m.end() : -1);
    }

    /** The longest prefix of the candidate that is a valid IBAN (the pattern may run into a following word). */
    static List<PiiFinding> iban(String text) {
        return matches(IBAN, text, PiiType.IBAN, m -> {
            String raw = m.group();
            StringBuilder compact = new StringBuilder();
            List<Integer> endOf = new ArrayList<>();
            for (int i = 0; i < raw.length(); i++) {
                if (raw.charAt(i) != ' ') {
                    compact.append(raw.charAt(i));
                    endOf.add(m.start() + i + 1);
                }
            }
            for (int n = Math.min(34, compact.length()); n >= 15; n--) {
                if (IBANValidator.getInstance().isValid(compact.substring(0, n))) {
                    int end = endOf.get(n - 1);
                    // Stop only at the end of a group, not inside one.
                    if (end == m.end() || text.charAt(end) == ' ') {
                        return end;
                    }
                }
            }
            return -1;
        });
    }

    /** Luhn and the issuer ranges of Visa, Mastercard, American Express and Discover. */
    static List<PiiFinding> card(String text) {
        return matches(CARD, text, PiiType.CARD, m -> CARDS.isValid(m.group().replaceAll("[ -]", "")) ? m.end() : -1);
    }

    static List<PiiFinding> ip(String text) {
        List<PiiFinding> out = matches(IPV4, text, PiiType.IP,
                m -> InetAddressValidator.getInstance().isValidInet4Address(m.group()) ? m.end() : -1);
        out.addAll(matches(IPV6, text, PiiType.IP, m -> {
            // "Reference 2001:db8::1: ..." - a colon right after an address belongs to the sentence.
            String candidate = m.group();
            int end = m.end();
            while (candidate.endsWith(":") && !candidate.endsWith("::")) {
                candidate = candidate.substring(0, candidate.length() - 1);
                end--;
            }
            return candidate.chars().filter(c -> c == ':').count() >= 2
                    && InetAddressValidator.getInstance().isValidInet6Address(candidate) ? end : -1;
        }));
        return out;
    }

    static List<PiiFinding> dni(String text) {
        return matches(DNI, text, PiiType.ES_DNI, m -> {
            String s = m.group().replaceAll("[- ]", "").toUpperCase();
            return DNI_LETTERS.charAt(Integer.parseInt(s.substring(0, 8)) % 23) == s.charAt(8) ? m.end() : -1;
        });
    }

    /** NIE: X, Y or Z stand for 0, 1 or 2 in front of the seven digits; the check letter is the DNI's. */
    static List<PiiFinding> nie(String text) {
        return matches(NIE, text, PiiType.ES_NIE, m -> {
            String s = m.group().replaceAll("[- ]", "").toUpperCase();
            int number = Integer.parseInt("XYZ".indexOf(s.charAt(0)) + s.substring(1, 8));
            return DNI_LETTERS.charAt(number % 23) == s.charAt(8) ? m.end() : -1;
        });
    }

    /** Numbers valid in their numbering plan; without a "+" prefix they are read as numbers of {@code region}. */
    static List<PiiFinding> phone(String text, String region) {
        List<PiiFinding> out = new ArrayList<>();
        for (PhoneNumberMatch m : PhoneNumberUtil.getInstance().findNumbers(text, region,
                PhoneNumberUtil.Leniency.VALID, Long.MAX_VALUE)) {
            out.add(new PiiFinding(PiiType.PHONE, m.start(), m.end()));
        }
        return out;
    }

    /** @param end the finding's end for a valid candidate, or -1 */
    private static List<PiiFinding> matches(Pattern p, String text, PiiType type, Function<Matcher, Integer> end) {
        List<PiiFinding> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            int e = end.apply(m);
            if (e > m.start()) {
                out.add(new PiiFinding(type, m.start(), e));
            }
        }
        return out;
    }
}
