package io.ragsuite.orchestrator.guard;

import java.util.List;

/** Finds and replaces personal data in text. */
public interface PiiRedactor {
    /** The redacted text and what was found (offsets into the original). */
    record Redaction(String text, List<PiiFinding> findings) {
    }

    List<PiiFinding> find(String text);

    Redaction redact(String text);

    /** A redactor for text that arrives in pieces (a streamed answer). */
    StreamingRedactor streaming();
}
