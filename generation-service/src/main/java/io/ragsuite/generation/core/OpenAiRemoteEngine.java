package io.ragsuite.generation.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.ServiceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A remote engine: any server with OpenAI's {@code POST /v1/chat/completions} and streaming (vLLM, TGI,
 * TensorRT-LLM's trtllm-serve, llama.cpp's server, llama-cpp-python). The server applies the chat template
 * and runs its own batching; this side streams the answer back piece by piece.
 *
 * <p>Written on the JDK's HTTP client rather than LangChain4j's OpenAI client because the service needs
 * what that client does not give per request: vLLM/llama.cpp's extension sampling fields (top_k, min_p,
 * repetition_penalty), closing the connection the moment our client cancels (so the server frees its slot),
 * and retrying only while nothing has been streamed yet.
 *
 * <p>Failures: connection errors, 429 and 5xx are retried ({@code maxRetries}, with backoff) until the first
 * piece arrives, then become UNAVAILABLE naming the backend; the server's 400 (such as a context overflow)
 * is INVALID_ARGUMENT with its message; a stream silent for longer than {@code timeout} is
 * DEADLINE_EXCEEDED.
 */
public final class OpenAiRemoteEngine implements GenerationEngine {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final String name;
    private final URI chatUri;
    private final String remoteModel;
    private final String apiKey;
    private final int slots;
    private final int contextPerSlot;
    private final Duration timeout;
    private final int maxRetries;
    private final HttpClient http;
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "openai-remote-watchdog");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param name           the name our clients select the model by
     * @param baseUrl        the server's OpenAI base URL, e.g. {@code http://vllm:8000/v1}
     * @param remoteModel    the model name at the server ({@code model} field), e.g. the served AWQ model
     * @param apiKey         bearer token, or null
     * @param slots          requests sent at once (the server batches them)
     * @param contextPerSlot tokens per request, as the server is configured (for operators; the server checks)
     * @param timeout        longest wait for the response to start and between two pieces
     */
    public OpenAiRemoteEngine(String name, String baseUrl, String remoteModel, String apiKey, int slots,
            int contextPerSlot, Duration timeout, int maxRetries) {
        this.name = name;
        String base = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
        this.chatUri = URI.create(base + "/chat/completions");
        this.remoteModel = remoteModel;
        this.apiKey = apiKey;
        this.slots = slots;
        this.contextPerSlot = contextPerSlot;
        this.timeout = timeout;
        this.maxRetries = maxRetries;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).version(HttpClient.Version.HTTP_1_1).build();
    }

    /**
     * Asks the server for its models ({@code GET /v1/models}); fails with UNAVAILABLE when it does not answer
     * and with FAILED_PRECONDITION when it does not serve {@code remoteModel}.
     */
    public List<String> probe() {
        URI models = URI.create(chatUri.toString().replace("/chat/completions", "/models"));
        HttpRequest.Builder request = HttpRequest.newBuilder(models).timeout(timeout).GET();
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("authorization", "Bearer " + apiKey);
        }
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw ServiceException.unavailable(models + " answered HTTP " + r.statusCode(), null);
            }
            List<String> ids = new java.util.ArrayList<>();
            JSON.readTree(r.body()).path("data").forEach(m -> ids.add(m.path("id").asText()));
            if (!ids.contains(remoteModel)) {
                throw new ServiceException(ErrorKind.FAILED_PRECONDITION, "generation backend " + models
                        + " serves " + ids + ", not the configured model '" + remoteModel + "'");
            }
            return ids;
        } catch (IOException e) {
            throw ServiceException.unavailable("generation backend " + models + " is unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceException.unavailable("interrupted", e);
        }
    }

    @Override
    public String modelName() {
        return name;
    }

    @Override
    public String backend() {
        return "openai-remote " + chatUri;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public int contextPerSlot() {
        return contextPerSlot;
    }

    /** The server renders and counts; its usage report gives the prompt tokens afterwards. */
    @Override
    public Prompt prompt(List<ChatTurn> turns) {
        return new Prompt(turns, null, -1);
    }

    @Override
    public Completion complete(Prompt prompt, Sampling sampling, String adapter, TokenListener listener) {
        byte[] body = requestBody(prompt.turns(), sampling, adapter);
        for (int attempt = 0; ; attempt++) {
            try {
                return stream(body, listener);
            } catch (Retryable e) {
                if (attempt >= maxRetries) {
                    throw ServiceException.unavailable("generation backend " + chatUri + " failed after "
                            + (attempt + 1) + " attempts: " + e.getMessage(), e);
                }
                try {
                    Thread.sleep(200L << attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw ServiceException.unavailable("interrupted while retrying " + chatUri, ie);
                }
            }
        }
    }

    /** Failed before anything was streamed: safe to send again. */
    private static final class Retryable extends Exception {
        Retryable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** @param adapter a LoRA adapter the server serves under that model name (vLLM --enable-lora), or null */
    private byte[] requestBody(List<ChatTurn> turns, Sampling sampling, String adapter) {
        ObjectNode body = JSON.createObjectNode().put("model", adapter != null ? adapter : remoteModel).put("stream", true)
                .put("max_tokens", sampling.maxTokens()).put("temperature", sampling.temperature())
                .put("top_p", sampling.topP()).put("top_k", sampling.topK()).put("min_p", sampling.minP());
        body.putObject("stream_options").put("include_usage", true);
        if (sampling.repetitionPenalty() != 1.0f) {
            // vLLM and TGI read repetition_penalty, llama.cpp's servers repeat_penalty.
            body.put("repetition_penalty", sampling.repetitionPenalty()).put("repeat_penalty", sampling.repetitionPenalty());
        }
        if (sampling.seed() != null) {
            body.put("seed", sampling.seed());
        }
        if (!sampling.stop().isEmpty()) {
            ArrayNode stop = body.putArray("stop");
            sampling.stop().forEach(stop::add);
        }
        if (sampling.ignoreEos()) {
            body.put("ignore_eos", true);
        }
        if (sampling.grammar() != null) {
            // llama.cpp's servers read grammar; vLLM reads guided_grammar.
            body.put("grammar", sampling.grammar()).put("guided_grammar", sampling.grammar());
        }
        if (sampling.jsonSchema() != null) {
            try {
                ObjectNode format = body.putObject("response_format").put("type", "json_schema");
                format.putObject("json_schema").put("name", "answer").set("schema", JSON.readTree(sampling.jsonSchema()));
            } catch (IOException e) {
                throw ServiceException.invalid("json_schema is not JSON");
            }
        }
        ArrayNode messages = body.putArray("messages");
        for (ChatTurn t : turns) {
            messages.addObject().put("role", t.role()).put("content", t.content());
        }
        try {
            return JSON.writeValueAsBytes(body);
        } catch (IOException e) {
            throw new IllegalStateException("cannot happen for a JSON tree", e);
        }
    }

    private Completion stream(byte[] body, TokenListener listener) throws Retryable {
        HttpRequest.Builder request = HttpRequest.newBuilder(chatUri).timeout(timeout)
                .header("content-type", "application/json").header("accept", "text/event-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (apiKey != null && !apiKey.isBlank()) {
            request.header("authorization", "Bearer " + apiKey);
        }
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new Retryable(e.toString(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ServiceException.unavailable("interrupted while calling " + chatUri, e);
        }
        int status = response.statusCode();
        if (status != 200) {
            String message = errorMessage(response);
            if (status == 429 || status >= 500) {
                throw new Retryable("HTTP " + status + ": " + message, null);
            }
            throw new ServiceException(status == 400 || status == 422 ? ErrorKind.INVALID_ARGUMENT : ErrorKind.INTERNAL,
                    "generation backend " + chatUri + " refused the request (HTTP " + status + "): " + message);
        }
        int pieces = 0;
        int promptTokens = -1;
        int completionTokens = -1;
        String finish = null;
        AtomicBoolean silent = new AtomicBoolean();
        try (InputStream in = response.body();
                BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            while (true) {
                // A silent server gets the stream closed under it, which ends the read below.
                ScheduledFuture<?> alarm = watchdog.schedule(() -> {
                    silent.set(true);
                    closeQuietly(in);
                }, timeout.toMillis(), TimeUnit.MILLISECONDS);
                String line;
                try {
                    line = lines.readLine();
                } finally {
                    alarm.cancel(false);
                }
                if (line == null) {
                    if (silent.get()) {
                        throw new ServiceException(ErrorKind.DEADLINE_EXCEEDED, "generation backend " + chatUri
                                + " went silent for over " + timeout.toSeconds() + " s");
                    }
                    if (finish == null) {
                        throw ServiceException.unavailable("generation backend " + chatUri + " ended the stream before "
                                + "finishing (the server failed mid-request; its log says why)", null);
                    }
                    break;
                }
                if (!line.startsWith("data:")) {
                    continue; // blank separators, comments, event names
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    break;
                }
                JsonNode event = JSON.readTree(data);
                if (event.has("error")) {
                    throw new ServiceException(ErrorKind.INTERNAL, "generation backend " + chatUri + " failed mid-stream: "
                            + event.get("error").path("message").asText(event.get("error").toString()));
                }
                JsonNode usage = event.path("usage");
                if (usage.isObject()) {
                    promptTokens = usage.path("prompt_tokens").asInt(-1);
                    completionTokens = usage.path("completion_tokens").asInt(-1);
                }
                JsonNode choice = event.path("choices").path(0);
                String text = choice.path("delta").path("content").asText("");
                if (!text.isEmpty()) {
                    pieces++;
                    if (!listener.onText(text)) {
                        return new Completion("cancelled", pieces, promptTokens); // closing the stream tells the server
                    }
                }
                if (choice.hasNonNull("finish_reason")) {
                    finish = choice.get("finish_reason").asText();
                }
            }
        } catch (IOException e) {
            if (silent.get()) {
                throw new ServiceException(ErrorKind.DEADLINE_EXCEEDED, "generation backend " + chatUri
                        + " went silent for over " + timeout.toSeconds() + " s", e);
            }
            if (pieces == 0 && finish == null) {
                throw new Retryable(e.toString(), e);
            }
            throw ServiceException.unavailable("generation backend " + chatUri + " broke off the stream: " + e, e);
        }
        return new Completion(finish == null ? "stop" : finish, completionTokens >= 0 ? completionTokens : pieces,
                promptTokens);
    }

    private static String errorMessage(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            String text = new String(in.readNBytes(4096), StandardCharsets.UTF_8);
            try {
                JsonNode json = JSON.readTree(text);
                JsonNode message = json.path("error").path("message");
                if (message.isTextual()) {
                    return message.asText();
                }
                if (json.path("message").isTextual()) {
                    return json.path("message").asText();
                }
                if (json.path("detail").isTextual()) {
                    return json.path("detail").asText();
                }
            } catch (IOException notJson) {
                // fall through to the raw text
            }
            return text.strip();
        } catch (IOException e) {
            return "(no body: " + e + ")";
        }
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing to unblock a reader; nothing else to do
        }
    }

    @Override
    public void close() {
        watchdog.shutdownNow();
        http.close();
    }
}
