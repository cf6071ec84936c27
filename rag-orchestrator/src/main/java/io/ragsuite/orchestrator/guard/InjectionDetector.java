package io.ragsuite.orchestrator.guard;

import java.util.List;
import java.util.concurrent.CompletionStage;

/** Checks texts (a question, retrieved passages) for prompt injection, direct or hidden in documents. */
public interface InjectionDetector {
    /** One verdict per text, in order. */
    CompletionStage<List<InjectionCheck>> check(List<String> texts);
}
