package io.ragsuite.support.concurrent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class BoundedWorkQueueTest {
    @Test
    void rejectsAtOnceWhenWorkersAndLineAreFull() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (BoundedWorkQueue queue = new BoundedWorkQueue("test", 1, 1)) {
            CompletableFuture<String> running = queue.submit(waited -> {
                await(release);
                return "first";
            });
            CompletableFuture<String> waiting = queue.submit(waited -> "second");
            CompletableFuture<String> rejected = queue.submit(waited -> "third");

            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> rejected.get(1, TimeUnit.SECONDS));
            assertTrue(e.getCause() instanceof ServiceException se && se.kind() == ErrorKind.RESOURCE_EXHAUSTED);
            assertEquals(1, queue.waiting());

            release.countDown();
            assertEquals("first", running.get(5, TimeUnit.SECONDS));
            assertEquals("second", waiting.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void reportsQueueTimeAndPropagatesJobFailures() throws Exception {
        try (BoundedWorkQueue queue = new BoundedWorkQueue("test", 2, 4)) {
            assertTrue(queue.submit(waited -> waited).get(5, TimeUnit.SECONDS) >= 0);
            CompletableFuture<Object> failing = queue.submit(waited -> {
                throw ServiceException.invalid("bad");
            });
            ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                    () -> failing.get(5, TimeUnit.SECONDS));
            assertEquals("bad", e.getCause().getMessage());
        }
    }

    @Test
    void closeLetsRunningJobsFinishAndFailsTheWaitingOnes() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        BoundedWorkQueue queue = new BoundedWorkQueue("test", 1, 2);
        CompletableFuture<String> running = queue.submit(waited -> {
            await(release);
            return "done";
        });
        CompletableFuture<String> waiting = queue.submit(waited -> "never");
        Thread.sleep(100);
        new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            release.countDown();
        }).start();
        queue.close(0);
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof ServiceException se && se.kind() == ErrorKind.UNAVAILABLE);
        ExecutionException after = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> queue.submit(waited -> "late").get(5, TimeUnit.SECONDS));
        assertTrue(after.getCause() instanceof ServiceException se && se.kind() == ErrorKind.UNAVAILABLE);
        running.get(5, TimeUnit.SECONDS);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
