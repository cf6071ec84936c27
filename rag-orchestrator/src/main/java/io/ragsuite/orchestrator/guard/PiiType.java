package io.ragsuite.orchestrator.guard;

/** Kinds of personal data the redactor finds; the name appears in masks, e.g. {@code [IBAN]}. */
public enum PiiType {
    EMAIL, PHONE, IBAN, CARD, IP, ES_DNI, ES_NIE
}
