package io.ragsuite.orchestrator.ingest;

import java.util.Set;

/** Metadata keys the orchestrator stores on every chunk; documents may not set them themselves. */
public final class ChunkKeys {
    public static final String DOC_ID = "doc_id";
    public static final String CHUNK = "chunk";
    public static final String TITLE = "title";
    public static final Set<String> RESERVED = Set.of(DOC_ID, CHUNK, TITLE);

    private ChunkKeys() {
    }
}
