package io.ragsuite.orchestrator.guard;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Finds e-mail addresses, phone numbers, IBANs, card numbers, IP addresses and Spanish DNI/NIE numbers, each
 * validated (checksum, numbering plan or syntax) before it counts, and replaces them as {@link RedactionMode}
 * says. Where two findings overlap, the one of the more specific type wins (IBAN, card, e-mail, NIE, DNI, IP,
 * phone), then the longer one.
 */
public final class DefaultPiiRedactor implements PiiRedactor {
    private static final List<PiiType> PRIORITY = List.of(PiiType.IBAN, PiiType.CARD, PiiType.EMAIL, PiiType.ES_NIE,
            PiiType.ES_DNI, PiiType.IP, PiiType.PHONE);
    /** Longest text a finding can span (an IBAN of 34 characters in groups of four, with some margin). */
    static final int MAX_FINDING_CHARS = 64;

    private final Set<PiiType> types;
    private final RedactionMode mode;
    private final String phoneRegion;
    private final byte[] hashKey;

    /**
     * @param types       what to look for
     * @param phoneRegion ISO country whose numbering plan numbers without "+" are read in, e.g. "ES"
     * @param hashKey     HMAC key of {@link RedactionMode#HASH} (from a Secret); may be null for other modes
     */
    public DefaultPiiRedactor(Set<PiiType> types, RedactionMode mode, String phoneRegion, byte[] hashKey) {
        this.types = types.isEmpty() ? EnumSet.noneOf(PiiType.class) : EnumSet.copyOf(types);
        this.mode = mode;
        this.phoneRegion = phoneRegion;
        if (mode == RedactionMode.HASH && (hashKey == null || hashKey.length < 16)) {
            throw new IllegalArgumentException("hash redaction needs a key of at least 16 bytes");
        }
        this.hashKey = hashKey;
    }

    public RedactionMode mode() {
        return mode;
    }

    @Override
    public List<PiiFinding> find(String text) {
        if (text == null || text.isEmpty() || mode == RedactionMode.OFF) {
            return List.of();
        }
        List<PiiFinding> all = new ArrayList<>();
        for (PiiType t : types) {
            all.addAll(switch (t) {
                case EMAIL -> PiiDetectors.email(text);
                case PHONE -> PiiDetectors.phone(text, phoneRegion);
                case IBAN -> PiiDetectors.iban(text);
                case CARD -> PiiDetectors.card(text);
                case IP -> PiiDetectors.ip(text);
                case ES_DNI -> PiiDetectors.dni(text);
                case ES_NIE -> PiiDetectors.nie(text);
            });
        }
        all.sort(Comparator.comparingInt((PiiFinding f) -> PRIORITY.indexOf(f.type()))
                .thenComparing(Comparator.comparingInt(PiiFinding::length).reversed()));
        List<PiiFinding> kept = new ArrayList<>();
        for (PiiFinding f : all) {
            if (kept.stream().noneMatch(f::overlaps)) {
                kept.add(f);
            }
        }
        kept.sort(Comparator.comparingInt(PiiFinding::start));
        return kept;
    }

    @Override
    public Redaction redact(String text) {
        List<PiiFinding> findings = find(text);
        return new Redaction(apply(text, findings, 0, text == null ? 0 : text.length()), findings);
    }

    /** {@code text[from, to)} with the findings inside it replaced (findings must not straddle the bounds). */
    String apply(String text, List<PiiFinding> findings, int from, int to) {
        if (findings.isEmpty()) {
            return text == null ? null : text.substring(from, to);
        }
        StringBuilder out = new StringBuilder(to - from);
        int at = from;
        for (PiiFinding f : findings) {
            if (f.start() < from || f.end() > to) {
                continue;
            }
            out.append(text, at, f.start()).append(replacement(f.type(), text.substring(f.start(), f.end())));
            at = f.end();
        }
        return out.append(text, at, to).toString();
    }

    private String replacement(PiiType type, String value) {
        return switch (mode) {
            case OFF -> value;
            case MASK -> "[" + type + "]";
            case REMOVE -> "";
            case HASH -> "[" + type + ":" + hmac(value.replaceAll("[\\s-]", "").toLowerCase()) + "]";
        };
    }

    private String hmac(String value) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(hashKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(value.getBytes(StandardCharsets.UTF_8))).substring(0, 12);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    @Override
    public StreamingRedactor streaming() {
        return new StreamingRedactor(this);
    }
}
