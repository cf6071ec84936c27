package io.ragsuite.orchestrator.openai;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.pipeline.AnswerStream;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.orchestrator.rest.QueryJson;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.openai.OpenAiChat;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Set;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions} that retrieves before it generates, so OpenAI SDKs and tools
 * get RAG answers: the last user message is the question; the answer comes as OpenAI's {@code chat.completion}
 * (or its stream of chunks ending in {@code data: [DONE]}) with the retrieval in an extension field {@code rag}
 * (citations, passages, context, guard notes, timings, request id). {@code temperature}, {@code max_tokens} (or
 * {@code max_completion_tokens}), {@code seed} and {@code model} (a LoRA adapter; "rag" or none: the default) are
 * OpenAI's; the RAG options ({@code top_k}, {@code filter}, {@code retrieval}, ...) are extension fields. Errors are
 * problem+json with OpenAI's error object. A Vert.x route because one endpoint answers JSON or a stream
 * depending on a body field.
 */
@ApplicationScoped
public class OpenAiRagRoutes {
    private final RagPipeline pipeline;
    private final PipelineMetrics metrics;
    private final ObjectMapper json;
    private final OpenAiChat openAi;

    public OpenAiRagRoutes(RagPipeline pipeline, PipelineMetrics metrics, ObjectMapper json) {
        this.pipeline = pipeline;
        this.metrics = metrics;
        this.json = json;
        this.openAi = new OpenAiChat(json);
    }

    /** The model name that means "the generation stage's default" (as well as an absent or empty one). */
    static final String DEFAULT_MODEL = "rag";
    /** OpenAI request fields read here besides the query options of {@link QueryJson}. */
    private static final Set<String> CHAT_FIELDS = Set.of("messages", "stream", "n", "max_completion_tokens", "user",
            "stream_options", "store", "metadata", "top_p", "frequency_penalty", "presence_penalty");

    void register(@Observes Router router) {
        router.post("/v1/chat/completions").handler(BodyHandler.create().setBodyLimit(1024 * 1024)).handler(this::chat);
    }

    private void chat(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        RagQuery query;
        boolean stream;
        try {
            JsonNode body = parse(ctx);
            query = query(body);
            stream = body.path("stream").asBoolean(false);
            pipeline.check(query);
        } catch (RuntimeException e) {
            openAi.fail(response, e, false);
            return;
        }
        String id = OpenAiChat.newId();
        long created = OpenAiChat.now();
        if (!stream) {
            // A client that hangs up stops the generation at the next token, as on the stream.
            pipeline.query(query, () -> ctx.response().closed()).whenComplete((answer, failure) -> {
                if (failure != null) {
                    openAi.fail(response, failure, false);
                    return;
                }
                metrics.record("openai", answer);
                ObjectNode out = openAi.completion(id, created, answer.generationModel(), answer.answer(),
                        answer.finishReason(), usage(answer));
                out.set("rag", rag(answer));
                response.putHeader("content-type", "application/json").end(out.toString());
            });
            return;
        }
        boolean[] gone = {false};
        response.closeHandler(v -> gone[0] = true);
        pipeline.stream(query, new AnswerStream() {
            private boolean started;

            /** Headers go out with the first piece, so a refused question or a failed retrieval gets its own status. */
            private void start() {
                if (!started) {
                    started = true;
                    OpenAiChat.startStream(response);
                    OpenAiChat.send(response, openAi.chunk(id, created, "", openAi.delta("assistant", ""), null));
                }
            }

            @Override
            public void delta(String text) {
                start();
                OpenAiChat.send(response, openAi.chunk(id, created, "", openAi.delta(null, text), null));
            }

            @Override
            public void done(RagAnswer answer) {
                metrics.record("openai", answer);
                start();
                ObjectNode last = openAi.chunk(id, created, answer.generationModel(), openAi.delta(null, null),
                        answer.finishReason());
                last.set("usage", usage(answer));
                last.set("rag", rag(answer));
                OpenAiChat.send(response, last);
                OpenAiChat.endStream(response);
            }

            @Override
            public void failed(Throwable failure) {
                openAi.fail(response, failure, started);
            }

            @Override
            public boolean clientGone() {
                return gone[0];
            }
        });
    }

    private JsonNode parse(RoutingContext ctx) {
        String raw = ctx.body() == null ? null : ctx.body().asString();
        Require.that(raw != null && !raw.isBlank(), "request body is required: {\"messages\": [...]}");
        try {
            JsonNode body = json.readTree(raw);
            Require.that(body != null && body.isObject(), "the request body must be a JSON object");
            return body;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ServiceException.invalid("malformed JSON body: " + e.getOriginalMessage());
        }
    }

    /**
     * The chat request as a query: OpenAI's fields and the RAG options ({@code top_k}, {@code filter},
     * {@code retrieval}, ...). OpenAI fields this route cannot honour are refused unless they hold the value that
     * changes nothing ({@code top_p} 1, penalties 0), so that no setting is silently dropped.
     */
    public static RagQuery query(JsonNode body) {
        QueryJson.checkFields(body, QueryJson.OPTIONS, CHAT_FIELDS);
        JsonNode n = body.get("n");
        Require.that(n == null || n.isNull() || (n.isIntegralNumber() && n.intValue() == 1),
                "n must be 1 (one choice per request)");
        JsonNode stream = body.get("stream");
        Require.that(stream == null || stream.isNull() || stream.isBoolean(), "stream must be true or false");
        requireNeutral(body, "top_p", 1);
        requireNeutral(body, "frequency_penalty", 0);
        requireNeutral(body, "presence_penalty", 0);
        String question = lastUserMessage(messages(body.get("messages")));
        ObjectNode options = ((ObjectNode) body).deepCopy();
        JsonNode completionTokens = body.get("max_completion_tokens");
        if (completionTokens != null && !completionTokens.isNull()) {
            Require.that(!body.hasNonNull("max_tokens") || body.get("max_tokens").equals(completionTokens),
                    "max_tokens and max_completion_tokens differ; set one");
            options.set("max_tokens", completionTokens);
        }
        String model = QueryJson.text(body, "model");
        if (model != null && (model.isBlank() || model.strip().equals(DEFAULT_MODEL))) {
            options.remove("model");
        }
        return QueryJson.options(options, question);
    }

    private static void requireNeutral(JsonNode body, String field, double neutral) {
        JsonNode v = body.get(field);
        Require.that(v == null || v.isNull() || (v.isNumber() && v.doubleValue() == neutral),
                field + " is not supported by this route (only " + (neutral == 1 ? "1" : "0") + ")");
    }

    private static List<Message> messages(JsonNode messages) {
        Require.that(messages != null && messages.isArray() && !messages.isEmpty(),
                "messages must hold at least one message");
        List<Message> out = new java.util.ArrayList<>();
        for (JsonNode m : messages) {
            Require.that(m.isObject(), "each message must be an object with role and content");
            out.add(new Message(m.path("role").asText(null), m.get("content")));
        }
        return out;
    }

    private ObjectNode usage(RagAnswer a) {
        return openAi.usage(a.usage().promptTokens(), a.usage().completionTokens());
    }

    /** The question: the last user message's text (a string, or the text parts of a content array). */
    record Message(String role, JsonNode content) {
    }

    static String lastUserMessage(List<Message> messages) {
        Require.that(messages != null && !messages.isEmpty(), "messages must hold at least one message");
        for (int i = messages.size() - 1; i >= 0; i--) {
            Message m = messages.get(i);
            if (m != null && "user".equals(m.role()) && m.content() != null) {
                if (m.content().isTextual()) {
                    return m.content().asText();
                }
                StringBuilder text = new StringBuilder();
                m.content().forEach(part -> {
                    if ("text".equals(part.path("type").asText())) {
                        text.append(text.isEmpty() ? "" : "\n").append(part.path("text").asText());
                    }
                });
                return text.toString();
            }
        }
        throw ServiceException.invalid("messages hold no user message to answer");
    }

    private ObjectNode rag(RagAnswer a) {
        ObjectNode rag = json.createObjectNode().put("request_id", a.requestId()).put("trace_id", a.traceId());
        rag.set("citations", json.valueToTree(a.citations()));
        rag.set("passages", json.valueToTree(a.passages()));
        rag.set("context", json.valueToTree(a.context()));
        rag.put("cites_nothing", a.citesNothing());
        rag.set("guard_notes", json.valueToTree(a.guardNotes()));
        rag.set("timings", json.valueToTree(a.timings()));
        rag.put("embedding_model", a.embeddingModel());
        return rag;
    }
}
