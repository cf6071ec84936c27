package io.ragsuite.support.error;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Helpers for failures that travel through asynchronous stages. */
public final class Failures {
    private Failures() {
    }

    /** Asynchronous stages wrap failures in CompletionException or ExecutionException; take what is inside. */
    public static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
