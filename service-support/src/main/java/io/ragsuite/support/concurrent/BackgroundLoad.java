package io.ragsuite.support.concurrent;

import io.ragsuite.support.error.ServiceException;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * Something slow to load (a model, an index) loaded on a background thread at startup, so that the HTTP
 * server and the liveness probe are up at once while readiness stays false until the thing can answer.
 * Until then, and for good if loading failed, {@link #get()} fails with UNAVAILABLE and says why.
 */
public final class BackgroundLoad<T extends AutoCloseable> implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(BackgroundLoad.class);

    private final String what;
    private final List<Runnable> onReady = new CopyOnWriteArrayList<>();
    private volatile T value;
    private volatile String failure;

    /** @param what names the thing in log lines and errors, e.g. "embedding model" */
    public BackgroundLoad(String what) {
        this.what = what;
    }

    /** Starts loading on a daemon thread. */
    public void start(Callable<T> loader) {
        Thread.ofPlatform().name(what.replace(' ', '-') + "-loader").daemon().start(() -> {
            long start = System.nanoTime();
            try {
                value = loader.call();
                LOG.infof("%s loaded in %d ms", what, (System.nanoTime() - start) / 1_000_000);
            } catch (Exception | LinkageError e) {
                // Clients and the health endpoint get the short form; paths and digests stay in the log.
                failure = what + " failed to load; see the service log";
                LOG.errorf(e, "%s failed to load: %s", what, e.getMessage());
                return;
            }
            onReady.forEach(Runnable::run);
        });
    }

    /** Runs {@code action} once the value is loaded (at once if it already is). */
    public void onReady(Runnable action) {
        onReady.add(action);
        if (ready() && onReady.remove(action)) {
            action.run();
        }
    }

    public boolean ready() {
        return value != null;
    }

    /** What readiness reports while not ready. */
    public String notReadyReason() {
        return failure != null ? failure : what + " is still loading";
    }

    /** The loaded value, or UNAVAILABLE while loading (or after a failed load). */
    public T get() {
        T v = value;
        if (v == null) {
            throw ServiceException.unavailable(notReadyReason(), null);
        }
        return v;
    }

    @Override
    public void close() {
        T v = value;
        if (v != null) {
            try {
                v.close();
            } catch (Exception e) {
                LOG.warnf(e, "closing %s failed", what);
            }
        }
    }
}
