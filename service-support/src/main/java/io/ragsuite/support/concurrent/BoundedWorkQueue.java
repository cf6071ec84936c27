package io.ragsuite.support.concurrent;

import io.ragsuite.support.error.ServiceException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A fixed number of workers in front of a bounded waiting line. A job submitted when every worker is busy
 * and the line is full fails at once with RESOURCE_EXHAUSTED instead of waiting without bound: under
 * overload a caller learns it quickly and can back off or go to another replica.
 *
 * <p>Each job receives the microseconds it spent waiting, so services can report queue time per request.
 */
public final class BoundedWorkQueue implements AutoCloseable {
    private final String name;
    private final int capacity;
    private final ThreadPoolExecutor executor;
    private final AtomicInteger running = new AtomicInteger();

    public BoundedWorkQueue(String name, int workers, int capacity) {
        if (workers < 1) {
            throw new IllegalArgumentException(name + ": workers must be >= 1");
        }
        if (capacity < 1) {
            throw new IllegalArgumentException(name + ": queue capacity must be >= 1");
        }
        this.name = name;
        this.capacity = capacity;
        AtomicInteger threadIds = new AtomicInteger();
        ThreadFactory factory = r -> {
            Thread t = new Thread(r, name + "-worker-" + threadIds.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(capacity), factory, new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Runs {@code job} on a worker. The returned future fails with a RESOURCE_EXHAUSTED
     * {@link ServiceException} when the line is full, or with whatever the job throws.
     *
     * @param job receives the time the job waited in the line, in microseconds
     */
    public <T> CompletableFuture<T> submit(Function<Long, T> job) {
        CompletableFuture<T> result = new CompletableFuture<>();
        long enqueued = System.nanoTime();
        try {
            executor.execute(() -> {
                if (result.isCancelled()) {
                    return;
                }
                long waitedUs = (System.nanoTime() - enqueued) / 1_000;
                running.incrementAndGet();
                try {
                    result.complete(job.apply(waitedUs));
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    running.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(ServiceException.exhausted(
                    name + " is at capacity (" + executor.getMaximumPoolSize() + " running, " + capacity
                            + " waiting); retry later"));
        }
        return result;
    }

    /** Jobs waiting for a worker. */
    public int waiting() {
        return executor.getQueue().size();
    }

    /** Jobs being worked on. */
    public int running() {
        return running.get();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
