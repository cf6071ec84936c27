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
import org.apache.commons.validator.routines.checkdigit.LuhnCheckDigit;

/** One detector per {@link PiiType}: a candidate pattern, then the validator that decides. */
final class PiiDetectors {
    private static final Pattern EMAIL = Pattern.compile("[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*\\.[A-Za-z]{2,}");
    /** Country code, check digits, then up to 30 letters/digits in groups separated by single spaces. */
    private static final Pattern IBAN = Pattern.compile("\\b[A-Z]{2}\\d{2}(?: ?[A-Z0-9]){11,30}\\b");
    private static final Pattern CARD = Pattern.compile("(?<![\\dA-Za-z.,-])\\d(?:[ -]?\\d){12,18}(?![\\d.,]\\d)");
    private static final Pattern IPV4 = Pattern.compile("(?<![\\d.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\d.]*\\d)");
    private static final Pattern IPV6 = Pattern.compile("(?<![0-9A-Fa-f:])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![0-9A-Fa-f])");
    private static final Pattern DNI = Pattern.compile("\\b\\d{8}[- ]?[A-Za-z]\\b");
    private static final Pattern NIE = Pattern.compile("\\b[XYZxyz][- ]?\\d{7}[- ]?[A-Za-z]\\b");
    private static final String DNI_LETTERS = "TRWAGMYFPDXBNJZSQVHLCKE";
    /** Issuer prefixes of payment cards (2221-2720, 3x, 4, 51-55, 6x). */
    private static final Pattern CARD_START = Pattern.compile("2[2-7]|3[0-9]|4|5[1-5]|6[0-9]");
    /**
     * Words that make a bare run of digits a phone number (Presidio's context words, English and Spanish): within
     * {@link #CONTEXT_CHARS} before the number, or just after it.
     */
    private static final Pattern PHONE_CONTEXT = Pattern.compile("(?iu)\\b(phone|telephone|tel|tlf|tfno|mobile|cell|cellphone"
            + "|call|calls|ring|text|sms|whatsapp|fax|contact|dial|reach|número|numero|teléfono|telefono|móvil|movil"
            + "|llama|llamar|llámame|contacto|voicemail|numéro|téléphone|telephone|portable|rappel|rappeler|appeler|appelle|joindre"
            + "|anrufen|ruf|handy|telefon|rufnummer|telefono|cellulare|chiamare|chiama|bellen|mobiel|telefoon)\\b");
    /** Shapes a possible-length number takes that are something else: an ISO date, a card's 4-6-5 groups. */
    private static final Pattern NOT_A_PHONE_SHAPE = Pattern.compile("\\d{4}-\\d{2}-\\d{2}|\\d{4}[ -]\\d{6}[ -]\\d{4,5}");
    private static final Pattern JOINED_BEFORE = Pattern.compile("[\\p{L}\\d][ -]?$");
    private static final Pattern JOINED_AFTER = Pattern.compile("^[ -]?[\\p{L}\\d]");
    private static final Pattern INTERNAL_TLD = Pattern.compile("(?i)\\.(example|test|invalid|localhost|internal|corp|local|lan|home)$");
    /** Four dot-separated groups of digits: an address or a version, never written as a phone number. */
    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** National formats read next to a phone word, besides the configured region's. */
    static final List<String> OTHER_REGIONS = List.of("US", "GB", "FR", "DE", "IT", "NL", "BE", "PT", "IE", "CH", "AT");
    /** The same words with no word boundaries: any number the windowed check accepts has one of these in the text. */
    private static final Pattern PHONE_WORD_ANYWHERE = Pattern.compile(PHONE_CONTEXT.pattern().replace("\\b", ""));
    static final int CONTEXT_CHARS = 40;
    /** Visa, Mastercard, Amex and Discover ranges with Luhn; immutable, so one serves every call. */
    private static final CreditCardValidator CARDS = new CreditCardValidator();

    private PiiDetectors() {
    }

    /**
     * Addresses with a real top-level domain, and those on the names companies and documentation use without one
     * (RFC 2606 and 6761's example/test/invalid/localhost, the de-facto internal, corp, local, lan, home): mail on an
     * intranet is personal data too.
     */
    static List<PiiFinding> email(String text) {
        return matches(EMAIL, text, PiiType.EMAIL, m -> EmailValidator.getInstance().isValid(m.group())
                || INTERNAL_TLD.matcher(m.group()).find() ? m.end() : -1);
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

    /**
     * Card numbers: Luhn-valid, 13 to 19 digits, starting as payment cards do (the issuer ranges of Visa, Mastercard,
     * American Express, Discover, JCB, Diners Club, UnionPay, Maestro: first digit 2 to 6), as Presidio's card
     * recognizer reads them. Not only the four brands' exact lengths: a Luhn-valid 16-digit number starting 37 is
     * still a card number to whoever reads the log. The Luhn check is what keeps order numbers out (nine in ten fail).
     */
    static List<PiiFinding> card(String text) {
        return matches(CARD, text, PiiType.CARD, m -> {
            String digits = m.group().replaceAll("[ -]", "");
            return CARDS.isValid(digits) || (CARD_START.matcher(digits).lookingAt()
                    && LuhnCheckDigit.LUHN_CHECK_DIGIT.isValid(digits)) ? m.end() : -1;
        });
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

    /**
     * Numbers valid in their numbering plan; without a "+" prefix they are read as numbers of {@code region}. A bare
     * run of digits (no "+", no spaces, dashes, dots or brackets) is a count, an id or a size as often as a phone
     * number ("706880802 parameters" is a valid Spanish mobile), so it counts only next to a phone word, as
     * Presidio's context enhancement does; a number written as people write phone numbers needs none. Next to a
     * phone word, numbers written in the national format of {@link #OTHER_REGIONS} count too ("call her on
     * (212) 555-0199", "son numéro, 06 12 34 56 78"): without the word, a national number of another country is too
     * often something else.
     */
    static List<PiiFinding> phone(String text, String region) {
        List<PiiFinding> out = new ArrayList<>();
        scan(text, region, PhoneNumberUtil.Leniency.VALID, out,
                m -> !m.rawString().chars().allMatch(Character::isDigit) || hasPhoneContext(text, m.start(), m.end()));
        // Every later pass needs a phone word next to the number: a text with none anywhere skips them (redaction runs
        // on every document and every streamed answer, and each pass reads the whole text).
        if (!PHONE_WORD_ANYWHERE.matcher(text).find()) {
            return out;
        }
        // Next to a phone word, a number of a possible length for its plan counts even where no operator has that
        // block (unallocated and fictional ranges such as the UK's 07700 900xxx are still somebody's number in a log).
        List<String> plans = plansFor(region);
        for (String plan : plans) {
            scan(text, plan, PhoneNumberUtil.Leniency.POSSIBLE, out, m -> m.rawString().replaceAll("\\D", "").length() >= 8
                    && standsAlone(text, m.start(), m.end()) && !NOT_A_PHONE_SHAPE.matcher(m.rawString()).matches()
                    && hasPhoneContext(text, m.start(), m.end()));
        }
        for (String other : plans.subList(1, plans.size())) {
            scan(text, other, PhoneNumberUtil.Leniency.VALID, out, m -> hasPhoneContext(text, m.start(), m.end()));
        }
        return out;
    }

    /** Adds the numbers {@code plan} reads at {@code leniency} that overlap no finding yet, are no dotted quad, and pass {@code accept}. */
    private static void scan(String text, String plan, PhoneNumberUtil.Leniency leniency, List<PiiFinding> out,
            java.util.function.Predicate<PhoneNumberMatch> accept) {
        for (PhoneNumberMatch m : PhoneNumberUtil.getInstance().findNumbers(text, plan, leniency, Long.MAX_VALUE)) {
            PiiFinding f = new PiiFinding(PiiType.PHONE, m.start(), m.end());
            if (out.stream().noneMatch(f::overlaps) && !DOTTED_QUAD.matcher(m.rawString()).matches() && accept.test(m)) {
                out.add(f);
            }
        }
    }

    /** Not a piece of a longer code: no letter or digit joins it on either side (directly or across one space or dash). */
    private static boolean standsAlone(String text, int start, int end) {
        return !JOINED_BEFORE.matcher(text.substring(Math.max(0, start - 2), start)).find()
                && !JOINED_AFTER.matcher(text.substring(end, Math.min(text.length(), end + 2))).find();
    }

    /** {@code region} first, then {@link #OTHER_REGIONS} without it. */
    private static List<String> plansFor(String region) {
        List<String> plans = new ArrayList<>(List.of(region));
        OTHER_REGIONS.stream().filter(r -> !r.equalsIgnoreCase(region)).forEach(plans::add);
        return plans;
    }

    private static boolean hasPhoneContext(String text, int start, int end) {
        String before = text.substring(Math.max(0, start - CONTEXT_CHARS), start);
        String after = text.substring(end, Math.min(text.length(), end + CONTEXT_CHARS / 2));
        return PHONE_CONTEXT.matcher(before).find() || PHONE_CONTEXT.matcher(after).find();
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
