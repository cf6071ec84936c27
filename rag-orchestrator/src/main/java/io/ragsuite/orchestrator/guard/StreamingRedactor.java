package io.ragsuite.orchestrator.guard;

import java.util.List;

/**
 * Redacts text that arrives in pieces. A piece of personal data can be split across pieces ("ES91 2100" then
 * " 0418 ..."), so the last {@link DefaultPiiRedactor#MAX_FINDING_CHARS} characters are held back until more text
 * (or the end) shows what they are; a finding that reaches into the held-back part is held back whole. The
 * client sees the answer slightly later, never unredacted.
 */
public final class StreamingRedactor {
    private final DefaultPiiRedactor redactor;
    private final StringBuilder pending = new StringBuilder();

    StreamingRedactor(DefaultPiiRedactor redactor) {
        this.redactor = redactor;
    }

    /** Takes a piece; returns the redacted text that is safe to send now (possibly empty). */
    public String accept(String piece) {
        pending.append(piece);
        if (redactor.mode() == RedactionMode.OFF) {
            String out = pending.toString();
            pending.setLength(0);
            return out;
        }
        String text = pending.toString();
        int cut = text.length() - DefaultPiiRedactor.MAX_FINDING_CHARS;
        if (cut <= 0) {
            return "";
        }
        List<PiiFinding> findings = redactor.find(text);
        // Move the cut back until it is neither inside a finding nor inside a word (a number or address may
        // still be growing there); each move can land in another finding, so repeat until both hold.
        boolean moved = true;
        while (moved && cut > 0) {
            moved = false;
            for (PiiFinding f : findings) {
                if (f.start() < cut && f.end() > cut) {
                    cut = f.start();
                    moved = true;
                }
            }
            while (cut > 0 && !Character.isWhitespace(text.charAt(cut - 1))) {
                cut--;
                moved = true;
            }
        }
        if (cut <= 0) {
            return "";
        }
        String out = redactor.apply(text, findings, 0, cut);
        pending.delete(0, cut);
        return out;
    }

    /** The end of the stream: the rest, redacted. */
    public String finish() {
        String text = pending.toString();
        pending.setLength(0);
        return redactor.redact(text).text();
    }
}
