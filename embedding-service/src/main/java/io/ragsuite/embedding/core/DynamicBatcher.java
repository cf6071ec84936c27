package io.ragsuite.embedding.core;

import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dynamic batching across concurrent requests for one model, in the manner of TEI and Triton: worker
 * threads take the oldest waiting request, then keep gathering requests until the batch holds
 * {@code maxBatchTexts} texts (or, with a backlog, its fair share among the workers) or
 * {@code maxDelayMicros} has passed since the first one arrived. Each request is answered as soon as its
 * own texts are done. The texts of
 * the gathered requests are tokenized together, sorted by length and cut into model calls of at most
 * {@code maxBatchTokens} padded tokens and at most {@code maxPaddingFraction} padding, so short texts are not
 * padded to the length of long ones: on CPU a padding token costs as much as a real one, and the gain from
 * a larger call is smaller than the cost of padding it (see bench/embedding).
 *
 * <p>The waiting line is bounded in texts: a request that would overflow it fails at once with
 * RESOURCE_EXHAUSTED. One request's failure (a text over the token limit with truncation off) fails that
 * request only, never the others in its batch.
 */
final class DynamicBatcher implements AutoCloseable {
    /** Settings of the batcher; see the class docs. */
    record Settings(int workers, int maxBatchTexts, int maxBatchTokens, double maxPaddingFraction, long maxDelayMicros,
            int maxQueuedTexts) {
    }

    /** Observes each model call, for metrics. */
    interface BatchListener {
        void onBatch(int texts, int paddedTokens);
    }

    private record Pending(List<String> texts, boolean truncate, long enqueuedNanos, long receivedNanos,
            CompletableFuture<EmbeddingResult> result) {
    }

    private final EmbeddingModel model;
    private final Settings settings;
    private final BatchListener listener;
    private final BlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final AtomicInteger queuedTexts = new AtomicInteger();
    private final List<Thread> workers = new ArrayList<>();
    private volatile boolean closed;

    DynamicBatcher(EmbeddingModel model, Settings settings, BatchListener listener) {
        this.model = model;
        this.settings = settings;
        this.listener = listener;
        for (int i = 0; i < settings.workers(); i++) {
            workers.add(Thread.ofPlatform().daemon().name("embedding-batcher-" + model.spec().name() + "-" + i)
                    .start(this::work));
        }
    }

    int queuedTexts() {
        return queuedTexts.get();
    }

    CompletableFuture<EmbeddingResult> submit(List<String> texts, boolean truncate, long receivedNanos) {
        CompletableFuture<EmbeddingResult> result = new CompletableFuture<>();
        if (closed) {
            result.completeExceptionally(ServiceException.unavailable("the embedding service is shutting down", null));
            return result;
        }
        int after = queuedTexts.addAndGet(texts.size());
        if (after > settings.maxQueuedTexts()) {
            queuedTexts.addAndGet(-texts.size());
            result.completeExceptionally(ServiceException.exhausted("the embedding queue is full ("
                    + settings.maxQueuedTexts() + " texts waiting at most); retry later"));
            return result;
        }
        waiting.add(new Pending(texts, truncate, System.nanoTime(), receivedNanos, result));
        return result;
    }

    private void work() {
        while (!closed) {
            List<Pending> batch;
            try {
                batch = gather();
            } catch (InterruptedException e) {
                return;
            }
            try {
                run(batch);
            } catch (RuntimeException | LinkageError e) {
                batch.forEach(p -> p.result().completeExceptionally(e));
            }
        }
    }

    /** Blocks for the first request, then gathers more until the batch is full or the delay has passed. */
    private List<Pending> gather() throws InterruptedException {
        Pending first = waiting.take();
        List<Pending> batch = new ArrayList<>();
        batch.add(first);
        int texts = first.texts().size();
        // With a backlog, take a fair share of it so that the other workers get work too instead of idling
        // while this one computes everything; with none, wait up to the delay for a full batch.
        int queued = queuedTexts.get();
        int cap = queued > texts
                ? Math.min(settings.maxBatchTexts(), Math.max(texts, ceilDiv(queued, settings.workers())))
                : settings.maxBatchTexts();
        long deadline = first.enqueuedNanos() + settings.maxDelayMicros() * 1_000;
        while (texts < cap) {
            Pending next = waiting.peek();
            if (next != null && texts + next.texts().size() > cap) {
                break; // would overflow the batch; it leads the next one
            }
            long left = deadline - System.nanoTime();
            try {
                next = left > 0 ? waiting.poll(left, TimeUnit.NANOSECONDS) : waiting.poll();
            } catch (InterruptedException e) {
                // Closing: run what was gathered so no taken request is left without an answer.
                Thread.currentThread().interrupt();
                next = null;
            }
            if (next == null) {
                break;
            }
            batch.add(next);
            texts += next.texts().size();
        }
        for (Pending p : batch) {
            queuedTexts.addAndGet(-p.texts().size());
        }
        return batch;
    }

    private static int ceilDiv(int a, int b) {
        return (a + b - 1) / b;
    }

    private record Slot(int request, int index, EmbeddingModel.TokenizedText tokens) {
    }

    private void run(List<Pending> batch) {
        long start = System.nanoTime();
        List<String> all = new ArrayList<>();
        batch.forEach(p -> all.addAll(p.texts()));
        List<EmbeddingModel.TokenizedText> tokenized = model.tokenize(all);
        long tokenizedAt = System.nanoTime();

        // Check each request on its own: a text over the limit without truncation fails only its request.
        boolean[] rejected = new boolean[batch.size()];
        int[] firstSlot = new int[batch.size()];  // where each request's texts start in `tokenized`
        List<Slot> slots = new ArrayList<>();
        int offset = 0;
        for (int r = 0; r < batch.size(); r++) {
            Pending p = batch.get(r);
            firstSlot[r] = offset;
            List<Integer> tooLong = new ArrayList<>();
            for (int i = 0; i < p.texts().size(); i++) {
                EmbeddingModel.TokenizedText t = tokenized.get(offset + i);
                if (t.truncated() && !p.truncate()) {
                    tooLong.add(i);
                }
                slots.add(new Slot(r, i, t));
            }
            if (!tooLong.isEmpty()) {
                rejected[r] = true;
                p.result().completeExceptionally(ServiceException.invalid("texts " + tooLong + " exceed the "
                        + model.spec().maxTokens() + "-token limit of model " + model.spec().name()
                        + "; shorten them or set truncate=true"));
            }
            offset += p.texts().size();
        }
        slots.removeIf(s -> rejected[s.request()]);
        slots.sort(Comparator.comparingInt(s -> s.tokens().length()));

        float[][][] vectors = new float[batch.size()][][];
        int[] missing = new int[batch.size()];
        for (int r = 0; r < batch.size(); r++) {
            vectors[r] = new float[batch.get(r).texts().size()][];
            missing[r] = rejected[r] ? 0 : batch.get(r).texts().size();
        }
        int textsPerCall = model.spec().maxTextsPerCall() > 0
                ? Math.min(model.spec().maxTextsPerCall(), settings.maxBatchTexts()) : settings.maxBatchTexts();
        int from = 0;
        while (from < slots.size()) {
            // Sorted ascending, so the last text of a call is its longest: padded size = count * that length.
            int to = from + 1;
            long realTokens = slots.get(from).tokens().length();
            while (to < slots.size() && to - from < textsPerCall) {
                int length = slots.get(to).tokens().length();
                long padded = (long) (to - from + 1) * length;
                if (padded > settings.maxBatchTokens()
                        || padded - (realTokens + length) > settings.maxPaddingFraction() * padded) {
                    break;
                }
                realTokens += length;
                to++;
            }
            List<Slot> call = slots.subList(from, to);
            float[][] out = model.embed(call.stream().map(Slot::tokens).toList());
            listener.onBatch(call.size(), call.size() * call.get(call.size() - 1).tokens().length());
            long callEnd = System.nanoTime();
            for (int i = 0; i < call.size(); i++) {
                int r = call.get(i).request();
                vectors[r][call.get(i).index()] = out[i];
                // A request is answered as soon as its last text is done, not when the whole batch is: its
                // client can send the next request while the rest of the batch still runs.
                if (--missing[r] == 0) {
                    complete(batch.get(r), vectors[r], tokenized.subList(firstSlot[r],
                            firstSlot[r] + batch.get(r).texts().size()), start, tokenizedAt, callEnd);
                }
            }
            from = to;
        }
    }

    private void complete(Pending p, float[][] vectors, List<EmbeddingModel.TokenizedText> tokens, long start,
            long tokenizedAt, long end) {
        int n = vectors.length;
        int[] counts = new int[n];
        boolean[] truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            counts[i] = tokens.get(i).length();
            truncated[i] = tokens.get(i).truncated();
        }
        p.result().complete(new EmbeddingResult(model.spec().name(), model.dimension(), vectors, counts, truncated,
                (start - p.enqueuedNanos()) / 1_000, (tokenizedAt - start) / 1_000, (end - tokenizedAt) / 1_000,
                (end - p.receivedNanos()) / 1_000));
    }

    /** Stops taking work, lets the batches in progress finish, fails what still waits. */
    @Override
    public void close() {
        closed = true;
        workers.forEach(Thread::interrupt);
        for (Thread t : workers) {
            try {
                t.join(30_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Pending p;
        while ((p = waiting.poll()) != null) {
            p.result().completeExceptionally(ServiceException.unavailable("the embedding service is shutting down", null));
        }
    }
}
