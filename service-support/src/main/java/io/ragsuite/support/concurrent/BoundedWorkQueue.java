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
        try {
            executor.execute(new Job<>(job, result, System.nanoTime()));
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(executor.isShutdown()
                    ? ServiceException.unavailable(name + " is shutting down", null)
                    : ServiceException.exhausted(name + " is at capacity (" + executor.getMaximumPoolSize()
                            + " running, " + capacity + " waiting); retry later"));
        }
        return result;
    }

    /** A queued job; it keeps its future so that a job dropped at shutdown can be failed, not forgotten. */
    private final class Job<T> implements Runnable {
        private final Function<Long, T> work;
        private final CompletableFuture<T> result;
        private final long enqueuedNanos;

        Job(Function<Long, T> work, CompletableFuture<T> result, long enqueuedNanos) {
            this.work = work;
            this.result = result;
            this.enqueuedNanos = enqueuedNanos;
        }

        @Override
        public void run() {
            if (result.isCancelled()) {
                return;
            }
            long waitedUs = (System.nanoTime() - enqueuedNanos) / 1_000;
            running.incrementAndGet();
            try {
                result.complete(work.apply(waitedUs));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            } finally {
                running.decrementAndGet();
            }
        }

        void drop() {
            result.completeExceptionally(ServiceException.unavailable(name + " is shutting down", null));
        }
    }

    /** Jobs waiting for a worker. */
    public int waiting() {
        return executor.getQueue().size();
    }

    /** Jobs being worked on. */
    public int running() {
        return running.get();
    }

    /**
     * Lets running jobs finish (for up to {@code drainSeconds}) before returning, so that the engine behind
     * the queue can be closed safely afterwards: closing a native model while a worker is inside it would
     * crash the process. Jobs still waiting fail with UNAVAILABLE instead of being dropped silently.
     */
    public void close(long drainSeconds) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(drainSeconds, TimeUnit.SECONDS)) {
                for (Runnable dropped : executor.shutdownNow()) {
                    ((Job<?>) dropped).drop();
                }
                executor.awaitTermination(drainSeconds, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        close(30);
    }
}
