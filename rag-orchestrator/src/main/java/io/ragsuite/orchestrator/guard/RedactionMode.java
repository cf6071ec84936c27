package io.ragsuite.orchestrator.guard;

/**
 * What replaces a finding: {@code MASK} its type ({@code [EMAIL]}), {@code HASH} its type and a keyed hash of the
 * value ({@code [EMAIL:3f9a1c0b2e]}: equal values give equal tokens, the value cannot be read back without the
 * key), {@code REMOVE} nothing. {@code OFF} turns redaction off.
 */
public enum RedactionMode {
    OFF, MASK, HASH, REMOVE
}
