package io.ragsuite.orchestrator.guard;

/** A piece of personal data at {@code [start, end)} of a text. */
public record PiiFinding(PiiType type, int start, int end) {
    public int length() {
        return end - start;
    }

    boolean overlaps(PiiFinding o) {
        return start < o.end && o.start < end;
    }
}
