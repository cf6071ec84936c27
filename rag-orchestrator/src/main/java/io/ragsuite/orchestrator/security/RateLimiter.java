package io.ragsuite.orchestrator.security;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * A token bucket per caller: {@code burst} requests at once, refilled at {@code perMinute} a minute. A request
 * that finds the bucket empty is refused with the seconds until the next token (for Retry-After).
 */
public final class RateLimiter {
    private final double perNano;
    private final double burst;
    private final LongSupplier clock;
    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();

    private static final class Bucket {
        double tokens;
        long at;

        Bucket(double tokens, long at) {
            this.tokens = tokens;
            this.at = at;
        }
    }

    public RateLimiter(int perMinute, int burst) {
        this(perMinute, burst, System::nanoTime);
    }

    RateLimiter(int perMinute, int burst, LongSupplier clock) {
        if (perMinute < 1 || burst < 1) {
            throw new IllegalArgumentException("rate limit and burst must be >= 1");
        }
        this.perNano = perMinute / 60e9;
        this.burst = burst;
        this.clock = clock;
    }

    /** 0 when the request may go ahead; otherwise the whole seconds to wait before the next one would. */
    public long tryAcquire(String caller) {
        long now = clock.getAsLong();
        Bucket b = buckets.computeIfAbsent(caller, k -> new Bucket(burst, now));
        synchronized (b) {
            b.tokens = Math.min(burst, b.tokens + (now - b.at) * perNano);
            b.at = now;
            if (b.tokens >= 1) {
                b.tokens -= 1;
                return 0;
            }
            return Math.max(1, (long) Math.ceil((1 - b.tokens) / perNano / 1e9));
        }
    }
}
