package io.ragsuite.vectorsearch.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;

/** {@code rag.vector.*} settings; each can be set by environment, e.g. {@code RAG_VECTOR_DATA_DIR}. */
@ConfigMapping(prefix = "rag.vector")
public interface VectorSearchConfig {
    /** Folder holding every collection; on Kubernetes, the mount of the StatefulSet's volume. */
    Path dataDir();

    @WithDefault("4096")
    int maxDimension();

    @WithDefault("100")
    int maxTopK();

    /** Most points per upsert, get or delete request. */
    @WithDefault("1024")
    int maxBatch();

    @WithDefault("100000")
    int maxTextChars();

    /**
     * {@code sync}: every write request commits (fsync) before its ack. {@code group}: concurrent writes share
     * one commit made at most {@link #groupCommitDelayMicros()} after the first; still acked only once durable.
     */
    @WithDefault("sync")
    String commitPolicy();

    /** How long group commit lets writes gather before committing them together. */
    @WithDefault("2000")
    long groupCommitDelayMicros();
}
