package io.ragsuite.vectorsearch.app;

import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionStore;
import io.ragsuite.vectorsearch.core.StoreLimits;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/** Opens the store in the background at startup; readiness stays false until every index is open. */
@ApplicationScoped
public class StoreHolder {
    private static final Logger LOG = Logger.getLogger(StoreHolder.class);
    private final VectorSearchConfig config;
    private volatile CollectionStore store;
    private volatile String failure;

    public StoreHolder(VectorSearchConfig config) {
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        Thread.ofPlatform().name("vector-store-opener").daemon().start(this::open);
    }

    void onStop(@Observes ShutdownEvent event) {
        if (store != null) {
            store.close();
        }
    }

    private void open() {
        long start = System.nanoTime();
        try {
            store = new CollectionStore(config.dataDir(), new StoreLimits(config.maxDimension(), config.maxTopK(),
                    config.maxBatch(), config.maxTextChars()));
            LOG.infof("opened %d collection(s) under %s in %d ms", store.list().size(), config.dataDir(),
                    (System.nanoTime() - start) / 1_000_000);
        } catch (Exception e) {
            failure = "opening the store at " + config.dataDir() + " failed: " + e;
            LOG.error(failure, e);
        }
    }

    public boolean ready() {
        return store != null;
    }

    public String failure() {
        return failure;
    }

    public CollectionStore store() {
        CollectionStore s = store;
        if (s == null) {
            throw ServiceException.unavailable(failure != null ? failure : "the index is still opening", null);
        }
        return s;
    }
}
