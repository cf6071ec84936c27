package io.ragsuite.generation.core;

import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * llama.cpp in-process through our JNI binding ({@link LlamaNative}), with continuous batching done here: one
 * decode thread owns the llama.cpp context and runs steps for every active sequence at once. Each step carries
 * the next token of every sequence that is generating plus as much of waiting prompts as fits the batch, so a
 * request that arrives while others decode joins the next step instead of waiting for them to finish (the
 * scheme of llama.cpp's own server and vLLM).
 *
 * <p>Except near the end of the running answers ({@code finishFirstTokens}): on a CPU, prompt processing is
 * compute-bound and gains nothing from sharing a step, so a prompt started beside an answer that has a few tokens
 * left only makes that answer wait for the whole prompt (processor sharing, where first come first served has
 * the lower mean). A waiting request therefore starts when no prompt is being evaluated and some running answer
 * has more than that many tokens left before its cap (so decode steps still batch), or when the slots are idle.
 *
 * <p>Each of the {@code slots} sequences has its own share of the KV cache. With the prompt cache on, a new
 * request goes to the free slot whose cached tokens share the longest prefix with its prompt and only the rest
 * is evaluated, so the suite's shared system prompt and instructions are evaluated once per slot.
 *
 * <p>Callers block in {@link #complete} and receive their text on their own thread through a queue; a listener
 * that returns false (the client went away) marks the sequence cancelled and the decode thread drops it before
 * its next step, freeing the slot.
 *
 * <p>LoRA adapters are loaded with the model; each request names the one it wants. llama.cpp applies adapters
 * to a whole decode step, so a step only carries sequences with the same adapter, and the scheduler runs one
 * adapter group at a time ({@link AdapterGate}).
 */
public final class LlamaCppEngine implements GenerationEngine {
    private static final System.Logger LOG = System.getLogger(LlamaCppEngine.class.getName());
    /** Most tokens in one decode step; prompts longer than this are evaluated over several steps. */
    private static final int BATCH_TOKENS = 512;
    private static final Object CLOSE = new Object();

    /**
     * How the engine runs.
     *
     * @param slots          sequences decoded together (continuous batching); the context is split between them
     * @param contextPerSlot tokens of each slot (prompt and answer)
     * @param decodeThreads  CPU threads of single-sequence decode steps; {@code prefillThreads} of steps with
     *                       more than one token, prompts and multi-sequence steps (both positive:
     *                       {@link EngineThreads} chooses them)
     * @param cachePrompt    keep each slot's last sequence in its KV cache and evaluate only what a new prompt
     *                       does not share with it; not for greedy requests (temperature 0), which must be
     *                       repeatable
     * @param flashAttention llama.cpp's fused attention kernel
     * @param finishFirstTokens a waiting prompt does not start while another prompt is being evaluated or every
     *                       running answer is within this many tokens of its cap; 0 starts it at once
     */
    public record Settings(int slots, int contextPerSlot, int decodeThreads, int prefillThreads, boolean cachePrompt,
            boolean flashAttention, int finishFirstTokens) {
        public Settings {
            if (finishFirstTokens < 0) {
                throw new IllegalArgumentException("finishFirstTokens must be >= 0, was " + finishFirstTokens);
            }
        }

        /** Prompts start at once (no finish-first wait). */
        public Settings(int slots, int contextPerSlot, int decodeThreads, int prefillThreads, boolean cachePrompt,
                boolean flashAttention) {
            this(slots, contextPerSlot, decodeThreads, prefillThreads, cachePrompt, flashAttention, 0);
        }
    }

    private final String name;
    private final int slotCount;
    private final int contextPerSlot;
    /** Tokens the context takes per decode step: at least one per slot. */
    private final int batchTokens;
    private final boolean cachePrompt;
    private final int finishFirstTokens;
    private final long model;
    private final long context;
    /** The GGUF's own Jinja chat template, or null to use llama.cpp's built-in formatting. */
    private final ChatTemplate chatTemplate;
    private final List<LoraAdapter> adapters;
    private final LinkedBlockingQueue<Object> incoming = new LinkedBlockingQueue<>();
    private final Thread decodeThread;
    private volatile boolean closed;
    /** Prompt tokens evaluated, and those found in a slot's cache instead (written by the decode thread only). */
    private volatile long promptTokensEvaluated;
    private volatile long promptTokensCached;
    /** Sequences holding a slot now (written by the decode thread only). */
    private volatile int activeSequences;

    /**
     * @param chatTemplate the GGUF's {@code tokenizer.chat_template} (see {@link GgufHeader}); rendered with
     *                     Jinja as transformers does, since llama.cpp's built-in template matching drops parts of
     *                     some templates (SmolLM2's default system prompt); null uses llama.cpp's
     * @param adapters     LoRA adapters (already checked by {@link WeightFiles#checkAdapter}) requests may select
     */
    public LlamaCppEngine(String name, Path gguf, Settings settings, String chatTemplate, List<LoraAdapter> adapters) {
        this.name = name;
        this.adapters = List.copyOf(adapters);
        this.chatTemplate = chatTemplate == null || chatTemplate.isBlank() ? null : new ChatTemplate(chatTemplate);
        this.slotCount = settings.slots();
        this.contextPerSlot = settings.contextPerSlot();
        this.cachePrompt = settings.cachePrompt();
        this.finishFirstTokens = settings.finishFirstTokens();
        this.batchTokens = Math.max(BATCH_TOKENS, slotCount);
        String[] loraPaths = this.adapters.stream().map(a -> a.path().toString()).toArray(String[]::new);
        long m;
        try {
            m = LlamaNative.loadModel(gguf.toString(), loraPaths);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        this.model = m;
        try {
            this.context = LlamaNative.newContext(model, contextPerSlot * slotCount, slotCount,
                    batchTokens, settings.decodeThreads(), settings.prefillThreads(),
                    settings.flashAttention());
        } catch (RuntimeException e) {
            LlamaNative.freeModel(model);
            throw e;
        }
        LOG.log(System.Logger.Level.DEBUG, () -> "llama.cpp: " + LlamaNative.systemInfo());
        Slot[] slots = new Slot[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = new Slot(i);
        }
        this.decodeThread = new Thread(new DecodeLoop(slots), "llama.cpp decode " + name);
        decodeThread.setDaemon(true);
        decodeThread.start();
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public String backend() {
        return "llama.cpp";
    }

    @Override
    public int slots() {
        return slotCount;
    }

    @Override
    public int contextPerSlot() {
        return contextPerSlot;
    }

    @Override
    public boolean batchesAcrossAdapters() {
        return false;
    }

    @Override
    public List<LoraAdapter> adapters() {
        return adapters;
    }

    @Override
    public Prompt prompt(List<ChatTurn> turns) {
        String text = renderPrompt(turns);
        return new Prompt(turns, text, tokenize(text).length);
    }

    private int[] tokenize(String text) {
        // As llama.cpp's server: the model's BOS if it wants one, and special tokens in the text (the chat
        // template's turn markers) parsed as such.
        return LlamaNative.tokenize(model, text, true, true);
    }

    /** Applies the model's chat template (from its GGUF metadata). */
    private String renderPrompt(List<ChatTurn> turns) {
        if (chatTemplate != null) {
            return chatTemplate.render(turns);
        }
        String[] roles = turns.stream().map(ChatTurn::role).toArray(String[]::new);
        String[] contents = turns.stream().map(ChatTurn::content).toArray(String[]::new);
        try {
            return LlamaNative.applyChatTemplate(model, roles, contents);
        } catch (IllegalArgumentException e) {
            throw ServiceException.unavailable("model " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Completion complete(Prompt prompt, Sampling sampling, String adapter, TokenListener listener) {
        if (adapter != null && adapters.stream().noneMatch(a -> a.name().equals(adapter))) {
            throw ServiceException.notFound("model " + name + " has no LoRA adapter '" + adapter + "'");
        }
        int[] tokens = tokenize(prompt.text());
        if (tokens.length == 0) {
            throw ServiceException.invalid("the prompt has no tokens");
        }
        if (tokens.length >= contextPerSlot) {
            throw ServiceException.invalid("the prompt has " + tokens.length + " tokens; a slot holds " + contextPerSlot);
        }
        Sequence seq = new Sequence(tokens, sampling, adapterScales(adapter), newSampler(sampling));
        if (closed) {
            seq.release();
            throw new ServiceException(ErrorKind.UNAVAILABLE, "model " + name + " is closed");
        }
        incoming.add(seq);
        boolean ended = false;
        try {
            while (true) {
                Object event = seq.events.take();
                if (event instanceof String text) {
                    if (!listener.onText(text)) {
                        return new Completion("cancelled", seq.generated, tokens.length);
                    }
                } else if (event instanceof Finished done) {
                    ended = true;
                    return new Completion(done.reason(), done.tokens(), tokens.length);
                } else if (event instanceof RuntimeException e) {
                    ended = true;
                    throw e;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Completion("cancelled", seq.generated, tokens.length);
        } finally {
            if (!ended) {
                // Cancelled, interrupted, or the listener threw (its client failed): stop generating for nobody.
                seq.cancelled = true;
            }
        }
    }

    private long newSampler(Sampling sampling) {
        String grammar = sampling.grammar();
        try {
            if (sampling.jsonSchema() != null) {
                // llama.cpp turns the schema into a grammar (its json-schema-to-grammar), as its server does.
                grammar = LlamaNative.schemaToGrammar(sampling.jsonSchema());
            }
            return LlamaNative.newSampler(model, sampling.temperature(), sampling.topP(), sampling.topK(),
                    sampling.minP(), sampling.repetitionPenalty(), sampling.seed() == null ? -1 : sampling.seed(),
                    grammar, sampling.ignoreEos());
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("llama.cpp refused the request: " + e.getMessage());
        }
    }

    /** Every adapter's scale for one request: the selected one at its scale, the others off. */
    private float[] adapterScales(String adapter) {
        float[] scales = new float[adapters.size()];
        for (int i = 0; i < scales.length; i++) {
            scales[i] = adapters.get(i).name().equals(adapter) ? adapters.get(i).scale() : 0f;
        }
        return scales;
    }

    /** Sequences that hold a slot now; a cancelled one leaves before the next decode step. */
    public int activeSequences() {
        return activeSequences;
    }

    /** Prompt tokens this engine has evaluated so far. */
    public long promptTokensEvaluated() {
        return promptTokensEvaluated;
    }

    /** Prompt tokens taken from a slot's KV cache (the prompt cache) instead of being evaluated. */
    public long promptTokensCached() {
        return promptTokensCached;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        incoming.add(CLOSE);
        try {
            decodeThread.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private record Finished(String reason, int tokens) {
    }

    /** One request from admission to its last token. Fields below {@code events} belong to the decode thread. */
    private final class Sequence {
        final int[] prompt;
        final Sampling sampling;
        final float[] scales;
        final long sampler;
        /** Text pieces, then a {@link Finished} or a RuntimeException. */
        final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
        volatile boolean cancelled;
        volatile int generated;
        Slot slot;
        /** Next prompt token to evaluate. */
        int promptAt;
        /** The sampled token not yet evaluated, or -1. */
        int pending = -1;
        final Utf8Pieces text = new Utf8Pieces();
        final StopStrings stops;

        Sequence(int[] prompt, Sampling sampling, float[] scales, long sampler) {
            this.prompt = prompt;
            this.sampling = sampling;
            this.scales = scales;
            this.sampler = sampler;
            this.stops = new StopStrings(sampling.stop());
        }

        boolean usesCache() {
            return cachePrompt && sampling.temperature() > 0;
        }

        void release() {
            LlamaNative.freeSampler(sampler);
        }
    }

    /** One of the context's sequences and what its KV cache holds. */
    private static final class Slot {
        final int id;
        /** The tokens in this slot's KV cache, positions 0..n-1. */
        int[] cached = new int[0];
        int cachedLength;
        Sequence active;

        Slot(int id) {
            this.id = id;
        }

        int sharedPrefix(int[] prompt) {
            int n = Math.min(cachedLength, prompt.length);
            int i = 0;
            while (i < n && cached[i] == prompt[i]) {
                i++;
            }
            return i;
        }

        void append(int token) {
            if (cachedLength == cached.length) {
                cached = Arrays.copyOf(cached, Math.max(16, cached.length * 2));
            }
            cached[cachedLength++] = token;
        }
    }

    /** The decode thread: admits sequences, runs decode steps, samples, hands text to the callers. */
    private final class DecodeLoop implements Runnable {
        private final Slot[] slots;
        private final List<Sequence> waiting = new ArrayList<>();
        private final int capacity = batchTokens;
        private final int[] tokens = new int[capacity];
        private final int[] positions = new int[capacity];
        private final int[] sequenceIds = new int[capacity];
        private final boolean[] logits = new boolean[capacity];
        private final Sequence[] rowOwner = new Sequence[capacity];
        private float[] currentScales;

        DecodeLoop(Slot[] slots) {
            this.slots = slots;
            this.currentScales = new float[adapters.size()];
        }

        @Override
        public void run() {
            try {
                while (take()) {
                    dropCancelled();
                    admit();
                    step();
                }
            } catch (RuntimeException | Error e) {
                LOG.log(System.Logger.Level.ERROR, "llama.cpp decode loop of " + name + " failed", e);
                failAll(ServiceException.unavailable("llama.cpp failed: " + e, e));
            } finally {
                failAll(new ServiceException(ErrorKind.UNAVAILABLE, "model " + name + " is closed"));
                LlamaNative.freeContext(context);
                LlamaNative.freeModel(model);
            }
        }

        /** Moves new requests to {@code waiting}; blocks while there is nothing to do. False once closed. */
        private boolean take() {
            boolean idle = waiting.isEmpty() && activeSequences == 0;
            try {
                Object next = idle ? incoming.poll(1, TimeUnit.SECONDS) : incoming.poll();
                while (next != null) {
                    if (next == CLOSE) {
                        return false;
                    }
                    waiting.add((Sequence) next);
                    next = incoming.poll();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            return true;
        }

        private void dropCancelled() {
            waiting.removeIf(seq -> {
                if (seq.cancelled) {
                    seq.release();
                }
                return seq.cancelled;
            });
            for (Slot slot : slots) {
                if (slot.active != null && slot.active.cancelled) {
                    leave(slot);
                }
            }
        }

        /** Gives waiting sequences free slots: the one whose cache shares most with the prompt, if it may. */
        private void admit() {
            if (finishFirstTokens > 0 && !waiting.isEmpty() && runningShouldFinishFirst()) {
                return;
            }
            for (var it = waiting.iterator(); it.hasNext();) {
                Sequence seq = it.next();
                Slot best = null;
                int bestShared = -1;
                for (Slot slot : slots) {
                    if (slot.active == null) {
                        int shared = seq.usesCache() ? slot.sharedPrefix(seq.prompt) : 0;
                        if (shared > bestShared) {
                            best = slot;
                            bestShared = shared;
                        }
                    }
                }
                if (best == null) {
                    return;  // every slot busy; the scheduler admits at most `slots` requests, so this is brief
                }
                it.remove();
                // Keep at least the prompt's last token to evaluate: its logits give the first answer token.
                int keep = Math.min(bestShared, seq.prompt.length - 1);
                if (!LlamaNative.removeTokens(context, best.id, keep, -1)) {
                    LlamaNative.removeTokens(context, best.id, -1, -1);
                    keep = 0;
                }
                best.cachedLength = keep;
                best.active = seq;
                activeSequences++;
                seq.slot = best;
                seq.promptAt = keep;
                promptTokensCached += keep;
                promptTokensEvaluated += seq.prompt.length - keep;
                LlamaNative.acceptPrompt(seq.sampler, seq.prompt);
            }
        }

        /**
         * True while a prompt is being evaluated, or while answers are running and each is within
         * {@code finishFirstTokens} of its cap: a new prompt would then only delay them (see the class comment).
         */
        private boolean runningShouldFinishFirst() {
            boolean running = false;
            boolean longAnswer = false;
            for (Slot slot : slots) {
                Sequence seq = slot.active;
                if (seq == null) {
                    continue;
                }
                if (seq.promptAt < seq.prompt.length) {
                    return true;
                }
                running = true;
                longAnswer |= seq.sampling.maxTokens() - seq.generated > finishFirstTokens;
            }
            return running && !longAnswer;
        }

        private void step() {
            // One adapter setting per step: the oldest running request's; others (only possible at the edge of an
            // adapter group change) wait a step.
            float[] scales = null;
            int n = 0;
            // Generating sequences first (one token each), then prompt chunks in what room is left.
            for (Slot slot : slots) {
                Sequence seq = slot.active;
                if (seq != null && seq.pending >= 0 && n < capacity) {
                    if (scales == null) {
                        scales = seq.scales;
                    } else if (!Arrays.equals(scales, seq.scales)) {
                        continue;
                    }
                    n = addRow(n, seq, seq.pending, seq.slot.cachedLength, true);
                }
            }
            for (Slot slot : slots) {
                Sequence seq = slot.active;
                if (seq == null || seq.pending >= 0 || n >= capacity) {
                    continue;
                }
                if (scales == null) {
                    scales = seq.scales;
                } else if (!Arrays.equals(scales, seq.scales)) {
                    continue;
                }
                // The slot's cache holds the prompt up to promptAt, so positions continue from its length.
                int position = seq.slot.cachedLength;
                while (seq.promptAt < seq.prompt.length && n < capacity) {
                    boolean last = seq.promptAt == seq.prompt.length - 1;
                    n = addRow(n, seq, seq.prompt[seq.promptAt], position++, last);
                    seq.promptAt++;
                }
            }
            if (n == 0) {
                return;
            }
            if (!Arrays.equals(scales, currentScales)) {
                LlamaNative.setAdapterScales(context, scales);
                currentScales = scales;
            }
            int status = LlamaNative.decode(context, n, tokens, positions, sequenceIds, logits);
            if (status != 0) {
                failBatch(n, status);
                return;
            }
            for (int row = 0; row < n; row++) {
                Sequence seq = rowOwner[row];
                seq.slot.append(tokens[row]);
                if (logits[row]) {
                    seq.pending = -1;
                    onToken(seq, LlamaNative.sample(seq.sampler, context, row));
                }
            }
        }

        private int addRow(int row, Sequence seq, int token, int position, boolean wantLogits) {
            tokens[row] = token;
            positions[row] = position;
            sequenceIds[row] = seq.slot.id;
            logits[row] = wantLogits;
            rowOwner[row] = seq;
            return row + 1;
        }

        private void onToken(Sequence seq, int token) {
            if (LlamaNative.isEndOfGeneration(model, token) && !seq.sampling.ignoreEos()) {
                finish(seq, "stop");
                return;
            }
            seq.generated++;
            String piece = seq.text.add(LlamaNative.piece(model, token));
            String out = seq.stops.add(piece);
            if (!out.isEmpty()) {
                seq.events.add(out);
            }
            if (seq.stops.stopped()) {
                finish(seq, "stop");
            } else if (seq.generated >= seq.sampling.maxTokens() || seq.slot.cachedLength >= contextPerSlot) {
                finish(seq, "length");
            } else {
                seq.pending = token;
            }
        }

        private void finish(Sequence seq, String reason) {
            if (!seq.stops.stopped()) {
                String rest = seq.stops.flush(seq.text.flush());
                if (!rest.isEmpty()) {
                    seq.events.add(rest);
                }
            }
            int generated = seq.generated;
            leave(seq.slot);
            seq.events.add(new Finished(reason, generated));
        }

        /** Frees a slot; its KV cache keeps the sequence for the next prompt that shares a prefix with it. */
        private void leave(Slot slot) {
            Sequence seq = slot.active;
            slot.active = null;
            activeSequences--;
            seq.release();
        }

        private void failBatch(int rows, int status) {
            String why = status == 1 ? "no room left in the KV cache" : "llama_decode returned " + status;
            for (int row = 0; row < rows; row++) {
                Sequence seq = rowOwner[row];
                if (seq.slot != null && seq.slot.active == seq) {
                    Slot slot = seq.slot;
                    LlamaNative.removeTokens(context, slot.id, -1, -1);
                    slot.cachedLength = 0;
                    leave(slot);
                    seq.events.add(new ServiceException(ErrorKind.UNAVAILABLE,
                            "llama.cpp failed after " + seq.generated + " tokens: " + why));
                }
            }
        }

        private void failAll(RuntimeException e) {
            for (Sequence seq : waiting) {
                seq.release();
                seq.events.add(e);
            }
            waiting.clear();
            Object next;
            while ((next = incoming.poll()) != null) {
                if (next instanceof Sequence seq) {
                    seq.release();
                    seq.events.add(e);
                }
            }
            for (Slot slot : slots) {
                if (slot.active != null) {
                    Sequence seq = slot.active;
                    leave(slot);
                    seq.events.add(e);
                }
            }
        }
    }

    /**
     * Joins token bytes into text: a token may end inside a multi-byte UTF-8 character, whose rest comes with the
     * next token, so bytes of an unfinished character wait.
     */
    static final class Utf8Pieces {
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
        private byte[] held = new byte[0];

        String add(byte[] bytes) {
            byte[] all = held.length == 0 ? bytes : concat(held, bytes);
            int complete = completePrefix(all);
            held = Arrays.copyOfRange(all, complete, all.length);
            return decode(all, complete);
        }

        /** What is left at the end (an unfinished character becomes U+FFFD). */
        String flush() {
            String rest = decode(held, held.length);
            held = new byte[0];
            return rest;
        }

        private String decode(byte[] bytes, int length) {
            if (length == 0) {
                return "";
            }
            try {
                CharBuffer chars = decoder.reset().decode(ByteBuffer.wrap(bytes, 0, length));
                return chars.toString();
            } catch (CharacterCodingException e) {
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
        }

        /** Length of the longest prefix that does not end inside a character. */
        static int completePrefix(byte[] b) {
            int n = b.length;
            // Look back at most 3 bytes for the lead byte of the last character.
            for (int back = 1; back <= Math.min(4, n); back++) {
                int v = b[n - back] & 0xff;
                if ((v & 0xC0) == 0x80) {
                    continue;  // continuation byte
                }
                int need = v < 0x80 ? 1 : (v & 0xE0) == 0xC0 ? 2 : (v & 0xF0) == 0xE0 ? 3 : (v & 0xF8) == 0xF0 ? 4 : 1;
                return back >= need ? n : n - back;
            }
            return n;
        }

        private static byte[] concat(byte[] a, byte[] b) {
            byte[] c = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, c, a.length, b.length);
            return c;
        }
    }

    /**
     * Stop strings over streamed text, as llama.cpp's server applies them: the answer ends before the first stop
     * string and does not contain it; text that could be the start of one is held back until it is not.
     */
    static final class StopStrings {
        private final List<String> stops;
        private final StringBuilder held = new StringBuilder();
        private boolean stopped;

        StopStrings(List<String> stops) {
            this.stops = stops;
        }

        /** Adds generated text; returns what can be sent now. */
        String add(String text) {
            if (stopped) {
                return "";
            }
            if (stops.isEmpty()) {
                return text;
            }
            held.append(text);
            int first = -1;
            for (String s : stops) {
                int at = held.indexOf(s);
                if (at >= 0 && (first < 0 || at < first)) {
                    first = at;
                }
            }
            if (first >= 0) {
                stopped = true;
                String out = held.substring(0, first);
                held.setLength(0);
                return out;
            }
            int keep = 0;
            String h = held.toString();
            for (String s : stops) {
                for (int k = Math.min(s.length() - 1, h.length()); k > keep; k--) {
                    if (h.regionMatches(h.length() - k, s, 0, k)) {
                        keep = k;
                        break;
                    }
                }
            }
            String out = held.substring(0, held.length() - keep);
            held.delete(0, held.length() - keep);
            return out;
        }

        /** At the end of generation: held-back text (with {@code tail}) that never became a stop string. */
        String flush(String tail) {
            String out = add(tail);
            if (stopped) {
                return out;
            }
            out += held;
            held.setLength(0);
            return out;
        }

        boolean stopped() {
            return stopped;
        }
    }
}
