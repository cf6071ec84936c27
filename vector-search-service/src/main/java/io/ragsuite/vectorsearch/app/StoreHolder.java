package io.ragsuite.vectorsearch.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import io.ragsuite.vectorsearch.core.CollectionStore;
import io.ragsuite.vectorsearch.core.CommitPolicy;
import io.ragsuite.vectorsearch.core.StoreLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/** Opens the store in the background at startup; readiness stays false until every index is open. */
@ApplicationScoped
public class StoreHolder {
    private final VectorSearchConfig config;
    private final GrpcHealthStorage grpcHealth;
    private final BackgroundLoad<CollectionStore> load = new BackgroundLoad<>("vector store");

    public StoreHolder(VectorSearchConfig config, GrpcHealthStorage grpcHealth) {
        this.grpcHealth = grpcHealth;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        GrpcServingStatus.follow(grpcHealth, load, List.of("rag.v1.VectorSearchService"));
        load.start(() -> new CollectionStore(config.dataDir(), new StoreLimits(config.maxDimension(),
                config.maxTopK(), config.maxBatch(), config.maxTextChars()),
                CommitPolicy.of(config.commitPolicy(), config.groupCommitDelayMicros())));
    }

    void onStop(@Observes ShutdownEvent event) {
        load.close();
    }

    public BackgroundLoad<CollectionStore> loading() {
        return load;
    }

    public boolean ready() {
        return load.ready();
    }

    /** The store, or UNAVAILABLE while the indexes are opening (or failed to open). */
    public CollectionStore store() {
        return load.get();
    }
}
