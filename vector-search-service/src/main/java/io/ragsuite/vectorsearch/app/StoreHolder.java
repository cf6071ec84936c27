package io.ragsuite.vectorsearch.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.grpc.runtime.health.GrpcHealthStorage;
import io.ragsuite.support.concurrent.BackgroundLoad;
import io.ragsuite.support.health.GrpcServingStatus;
import io.ragsuite.vectorsearch.core.StoreLimits;
import io.ragsuite.vectorsearch.core.VectorStore;
import io.ragsuite.vectorsearch.lucene.CommitPolicy;
import io.ragsuite.vectorsearch.lucene.LuceneVectorStore;
import io.ragsuite.vectorsearch.pgvector.PgVectorStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Opens the configured backend in the background at startup; readiness stays false until every index is
 * open (lucene) or the database answers and the catalog is in place (pgvector, retried until it does).
 */
@ApplicationScoped
public class StoreHolder {
    private static final Logger LOG = Logger.getLogger(StoreHolder.class);

    private final VectorSearchConfig config;
    private final GrpcHealthStorage grpcHealth;
    private final BackgroundLoad<VectorStore> load = new BackgroundLoad<>("vector store");

    public StoreHolder(VectorSearchConfig config, GrpcHealthStorage grpcHealth) {
        this.grpcHealth = grpcHealth;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        GrpcServingStatus.follow(grpcHealth, load, List.of("rag.v1.VectorSearchService"));
        StoreLimits limits = new StoreLimits(config.maxDimension(), config.maxTopK(), config.maxBatch(),
                config.maxTextChars());
        String backend = config.backend().strip().toLowerCase(Locale.ROOT);
        switch (backend) {
            case "lucene" -> load.start(() -> new LuceneVectorStore(config.dataDir(), limits,
                    CommitPolicy.of(config.commitPolicy(), config.groupCommitDelayMicros())));
            case "pgvector" -> load.start(() -> openPgVector(limits));
            default -> throw new IllegalArgumentException("rag.vector.backend must be lucene or pgvector, got '"
                    + config.backend() + "'");
        }
    }

    /** Waits for PostgreSQL as long as it takes (as a pod waits for its database), logging each failure. */
    private VectorStore openPgVector(StoreLimits limits) throws Exception {
        VectorSearchConfig.PgVector pg = config.pgvector();
        long backoffMillis = 500;
        while (true) {
            var pool = PgVectorStore.pool(pg.url(), pg.user().orElse(null), pg.password().orElse(null), pg.poolSize());
            try {
                return new PgVectorStore(pool, pool, pg.schema(), limits);
            } catch (java.sql.SQLException e) {
                pool.close();
                LOG.warnf("pgvector backend: cannot open %s yet (%s); retrying in %d ms", pg.url(), e.getMessage(),
                        backoffMillis);
                Thread.sleep(backoffMillis);
                backoffMillis = Math.min(10_000, backoffMillis * 2);
            }
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        load.close();
    }

    public BackgroundLoad<VectorStore> loading() {
        return load;
    }

    public boolean ready() {
        return load.ready();
    }

    /** The store, or UNAVAILABLE while the indexes are opening (or failed to open). */
    public VectorStore store() {
        return load.get();
    }
}
