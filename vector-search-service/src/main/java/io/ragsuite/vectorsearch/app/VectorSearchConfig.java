package io.ragsuite.vectorsearch.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** {@code rag.vector.*} settings; each can be set by environment, e.g. {@code RAG_VECTOR_DATA_DIR}. */
@ConfigMapping(prefix = "rag.vector")
public interface VectorSearchConfig {
    /**
     * {@code lucene} (default): collections in Lucene indexes under {@link #dataDir()}. {@code pgvector}:
     * collections in PostgreSQL with pgvector (see {@link #pgvector()}), for data that outgrows one node.
     */
    @WithDefault("lucene")
    String backend();

    /** Folder holding every collection (lucene backend); on Kubernetes, the mount of the StatefulSet's volume. */
    Path dataDir();

    PgVector pgvector();

    /** {@code rag.vector.pgvector.*}: where the pgvector backend keeps its collections. */
    interface PgVector {
        /** JDBC URL, e.g. {@code jdbc:postgresql://postgres:5432/rag}. */
        @WithDefault("jdbc:postgresql://127.0.0.1:5432/rag")
        String url();

        Optional<String> user();

        /** From a Kubernetes Secret, as RAG_VECTOR_PGVECTOR_PASSWORD. */
        Optional<String> password();

        /** Schema holding the catalog and one table per collection. */
        @WithDefault("rag")
        String schema();

        @WithDefault("16")
        int poolSize();
    }

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
