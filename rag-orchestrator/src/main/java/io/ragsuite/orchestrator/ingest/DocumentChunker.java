package io.ragsuite.orchestrator.ingest;

import java.util.List;

/** Splits a document's text into chunks small enough to embed and to quote in a prompt. */
public interface DocumentChunker {
    List<String> chunk(String text);
}
