package io.ragsuite.vectorsearch.core;

import java.util.List;

/**
 * All collections of one backend. Two implementations: {@code lucene.LuceneVectorStore} (the default,
 * embedded, one folder per collection) and {@code pgvector.PgVectorStore} (PostgreSQL with pgvector, for
 * data that outgrows one node). Both give the same answers to the same calls; the shared contract test
 * runs against each.
 */
public interface VectorStore extends AutoCloseable {
    /** Short backend name for logs and metrics: "lucene" or "pgvector". */
    String backend();

    /** Where the data lives, for health details and logs: a folder, or a database URL and schema. */
    String location();

    StoreLimits limits();

    /** Creates an empty collection; ALREADY_EXISTS if the name is taken. */
    VectorCollection create(CollectionSpec spec);

    /** The collection, or NOT_FOUND. */
    VectorCollection get(String name);

    /** All collections, by name. */
    List<? extends VectorCollection> list();

    /** Deletes a collection and its points (not its snapshots); NOT_FOUND if absent. */
    void delete(String name);

    /**
     * Takes a consistent snapshot while writes go on: it holds every write acknowledged before the call and
     * no half-applied batch.
     */
    SnapshotInfo snapshot(String name);

    /** Snapshots of a collection, oldest first, also those of a collection deleted since. */
    List<SnapshotInfo> snapshots(String name);

    /** Creates collection {@code target} from a snapshot, with the snapshot's settings. */
    VectorCollection restore(String name, String snapshotId, String target);

    void deleteSnapshot(String name, String snapshotId);

    @Override
    void close();
}
