package io.ragsuite.orchestrator.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    @Test
    void burstThenSteadyRateWithRetryAfter() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new RateLimiter(60, 3, now::get); // one a second after a burst of three
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.tryAcquire("a"));
        }
        assertEquals(1, limiter.tryAcquire("a"), "the next token comes in a second");
        assertEquals(0, limiter.tryAcquire("b"), "callers have their own buckets");
        now.addAndGet(1_000_000_000L);
        assertEquals(0, limiter.tryAcquire("a"));
        assertTrue(limiter.tryAcquire("a") > 0);
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.tryAcquire("a"), "refilled, but never above the burst");
        }
        assertTrue(limiter.tryAcquire("a") > 0);
    }
}
