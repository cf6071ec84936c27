package io.ragsuite.generation.openai;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragsuite.generation.app.AdapterAdmin;
import io.ragsuite.generation.app.EngineLoader;
import io.ragsuite.generation.app.GenerationCalls;
import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.rest.GenerationResource;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.ModelRegistry;
import io.ragsuite.generation.core.Sampling;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.openai.OpenAiChat;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * OpenAI-compatible chat API, so OpenAI SDKs and tools talk to this service directly:
 * {@code POST /v1/chat/completions} (JSON, or server-sent events with {@code "stream": true}, ending with
 * {@code data: [DONE]}) and {@code GET /v1/models}. One endpoint answers JSON or a stream depending on a
 * body field, which JAX-RS cannot dispatch on, hence a Vert.x route rather than a resource class.
 *
 * <p>Errors are problem+json (as everywhere in the suite) carrying OpenAI's {@code "error"} object as
 * well, which OpenAI clients read. Extensions beyond OpenAI's fields, as vLLM accepts them: {@code top_k},
 * {@code min_p}, {@code repetition_penalty}, {@code ignore_eos}; and llama.cpp's {@code grammar}.
 * {@code response_format} {@code json_object} and {@code json_schema} constrain the answer. A client that
 * disconnects mid-stream frees its slot at once.
 *
 * <p>LoRA adapters are models here, as in vLLM: {@code GET /v1/models} lists them with their {@code parent},
 * a request selects one by {@code model}, and vLLM's {@code POST /v1/load_lora_adapter} /
 * {@code /v1/unload_lora_adapter} ({@code lora_name}, {@code lora_path}) change them at runtime
 * (see {@link AdapterAdmin}).
 */
@ApplicationScoped
public class OpenAiChatRoutes {

    private final GenerationCalls calls;
    private final EngineLoader loader;
    private final ObjectMapper json;
    private final AdapterAdmin admin;
    private final OpenAiChat openAi;

    public OpenAiChatRoutes(GenerationCalls calls, EngineLoader loader, ObjectMapper json, AdapterAdmin admin) {
        this.calls = calls;
        this.loader = loader;
        this.json = json;
        this.admin = admin;
        this.openAi = new OpenAiChat(json);
    }

    /** The request fields we read; unknown ones (logprobs, tools, user, ...) are ignored as OpenAI servers do. */
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChatBody(String model, List<GenerationResource.Message> messages, Integer maxTokens,
            Integer maxCompletionTokens, Float temperature, Float topP, Integer topK, Float minP,
            Float repetitionPenalty, Long seed, JsonNode stop, Boolean stream, Integer n, StreamOptions streamOptions,
            Boolean ignoreEos, JsonNode responseFormat, String grammar) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record LoadLoraBody(String loraName, String loraPath, String baseModel) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record StreamOptions(Boolean includeUsage) {
    }

    void register(@Observes Router router) {
        router.post("/v1/chat/completions").handler(BodyHandler.create().setBodyLimit(2 * 1024 * 1024))
                .handler(this::chat);
        router.get("/v1/models").handler(this::models);
        router.post("/v1/load_lora_adapter").handler(BodyHandler.create().setBodyLimit(64 * 1024))
                .blockingHandler(this::loadLora, false);
        router.post("/v1/unload_lora_adapter").handler(BodyHandler.create().setBodyLimit(64 * 1024))
                .blockingHandler(this::unloadLora, false);
    }

    private void models(RoutingContext ctx) {
        ObjectNode body = json.createObjectNode().put("object", "list");
        ArrayNode data = body.putArray("data");
        if (loader.ready()) {
            for (ModelRegistry.Served m : loader.registry().served()) {
                data.add(model(m));
            }
        }
        ctx.response().putHeader("content-type", "application/json").end(body.toString());
    }

    /** One entry of /v1/models, with vLLM's root and parent (the base model of an adapter). */
    private ObjectNode model(ModelRegistry.Served m) {
        ObjectNode o = json.createObjectNode().put("id", m.name()).put("object", "model").put("created", 0)
                .put("owned_by", "rag-suite").put("root", m.parent() == null ? m.name() : m.parent());
        if (m.parent() == null) {
            o.putNull("parent");
        } else {
            o.put("parent", m.parent());
        }
        return o;
    }

    private void loadLora(RoutingContext ctx) {
        try {
            LoadLoraBody body = parse(ctx, LoadLoraBody.class, "{\"lora_name\": ..., \"lora_path\": ...}");
            ModelRegistry.Served served = admin.load(body.loraName(), body.loraPath(), body.baseModel(),
                    "rest " + ctx.request().remoteAddress());
            ctx.response().putHeader("content-type", "application/json").end(model(served).toString());
        } catch (RuntimeException e) {
            fail(ctx.response(), e);
        }
    }

    private void unloadLora(RoutingContext ctx) {
        try {
            LoadLoraBody body = parse(ctx, LoadLoraBody.class, "{\"lora_name\": ...}");
            String base = admin.unload(body.loraName(), "rest " + ctx.request().remoteAddress());
            ctx.response().putHeader("content-type", "application/json").end(json.createObjectNode()
                    .put("id", body.loraName()).put("parent", base).put("deleted", true).toString());
        } catch (RuntimeException e) {
            fail(ctx.response(), e);
        }
    }

    private void chat(RoutingContext ctx) {
        ChatBody body;
        List<ChatTurn> turns;
        Sampling sampling;
        try {
            body = parse(ctx, ChatBody.class, "{\"messages\": [...]}");
            Require.that(body.messages() != null && !body.messages().isEmpty(), "messages must hold at least one message");
            turns = body.messages().stream().map(m -> {
                Require.that(m != null, "messages must not hold null");
                return new ChatTurn(m.role(), m.content());
            }).toList();
            Require.that(body.n() == null || body.n() == 1, "n must be 1 (one choice per request)");
            int maxTokens = body.maxCompletionTokens() != null ? body.maxCompletionTokens()
                    : body.maxTokens() != null ? body.maxTokens() : 0;
            Require.that(maxTokens >= 0, "max_tokens must be positive");
            sampling = calls.sampling(new Sampling.Requested(maxTokens, body.temperature(), body.topP(), body.topK(),
                    body.minP(), body.repetitionPenalty(), body.seed(), stops(body.stop()), body.ignoreEos(),
                    body.grammar(), jsonSchema(body.responseFormat())));
        } catch (RuntimeException e) {
            fail(ctx.response(), e);
            return;
        }
        String id = OpenAiChat.newId();
        long created = OpenAiChat.now();
        if (Boolean.TRUE.equals(body.stream())) {
            stream(ctx, id, created, turns, body, sampling);
        } else {
            // As for streams: a client that goes away cancels the call, which stops decoding at the next token.
            AtomicReference<Cancellable> subscription = new AtomicReference<>();
            ctx.response().closeHandler(v -> cancel(subscription));
            subscription.set(calls.generate(turns, body.model(), sampling, "openai").subscribe().with(
                    result -> ctx.response().putHeader("content-type", "application/json")
                            .end(openAi.completion(id, created, result.servedName(), result.text(), result.finishReason(),
                                    usage(result)).toString()),
                    failure -> fail(ctx.response(), failure)));
            if (ctx.response().closed()) {
                cancel(subscription);
            }
        }
    }

    private static void cancel(AtomicReference<Cancellable> subscription) {
        Cancellable running = subscription.get();
        if (running != null) {
            running.cancel();
        }
    }

    private <T> T parse(RoutingContext ctx, Class<T> type, String shape) {
        String raw = ctx.body() == null ? null : ctx.body().asString();
        Require.that(raw != null && !raw.isBlank(), "request body is required: " + shape);
        try {
            // The service's mapper already maps snake_case (quarkus.jackson.property-naming-strategy).
            return json.readValue(raw, type);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ServiceException.invalid("malformed JSON body: " + e.getOriginalMessage());
        }
    }

    /** OpenAI's response_format: text (none), json_object (any JSON object) or json_schema (its schema). */
    private static String jsonSchema(JsonNode format) {
        if (format == null || format.isNull()) {
            return null;
        }
        String type = format.path("type").asText("");
        return switch (type) {
            case "text" -> null;
            case "json_object" -> "{\"type\":\"object\"}";
            case "json_schema" -> {
                JsonNode schema = format.path("json_schema").path("schema");
                Require.that(schema.isObject(), "response_format.json_schema.schema must be a JSON Schema object");
                yield schema.toString();
            }
            default -> throw ServiceException.invalid("response_format.type must be text, json_object or json_schema, got '"
                    + type + "'");
        };
    }

    /** OpenAI's stop: a string or an array of strings. */
    private static List<String> stops(JsonNode stop) {
        if (stop == null || stop.isNull()) {
            return null;
        }
        if (stop.isTextual()) {
            return List.of(stop.asText());
        }
        Require.that(stop.isArray(), "stop must be a string or an array of strings");
        List<String> out = new ArrayList<>();
        stop.forEach(s -> {
            Require.that(s.isTextual(), "stop must be a string or an array of strings");
            out.add(s.asText());
        });
        return out;
    }

    private void stream(RoutingContext ctx, String id, long created, List<ChatTurn> turns, ChatBody body,
            Sampling sampling) {
        HttpServerResponse response = ctx.response();
        boolean includeUsage = body.streamOptions() != null && Boolean.TRUE.equals(body.streamOptions().includeUsage());
        String model = calls.servedName(body.model());
        boolean[] started = {false};
        // A client that goes away cancels generation; the slot is free for the next request at once. Set up
        // before subscribing: the response may already be ended (a refused request) when subscribe returns.
        AtomicReference<Cancellable> subscription = new AtomicReference<>();
        response.closeHandler(v -> cancel(subscription));
        subscription.set(calls.stream(turns, body.model(), sampling, "openai").subscribe().with(
                event -> {
                    if (!started[0]) {
                        // Headers go out with the first event, so admission errors still get a proper status.
                        started[0] = true;
                        OpenAiChat.startStream(response);
                        OpenAiChat.send(response, openAi.chunk(id, created, model, openAi.delta("assistant", ""), null));
                    }
                    if (event.done() == null) {
                        OpenAiChat.send(response, openAi.chunk(id, created, model, openAi.delta(null, event.delta()), null));
                    } else {
                        GenerationResult r = event.done();
                        OpenAiChat.send(response, openAi.chunk(id, created, r.servedName(), openAi.delta(null, null),
                                r.finishReason()));
                        if (includeUsage) {
                            ObjectNode usage = openAi.chunk(id, created, r.servedName());
                            usage.putArray("choices");
                            usage.set("usage", usage(r));
                            OpenAiChat.send(response, usage);
                        }
                        OpenAiChat.endStream(response);
                    }
                },
                failure -> openAi.fail(response, failure, started[0])));
    }

    private ObjectNode usage(GenerationResult r) {
        return openAi.usage(r.promptTokens(), r.completionTokens());
    }

    private void fail(HttpServerResponse response, Throwable failure) {
        openAi.fail(response, failure, false);
    }
}
