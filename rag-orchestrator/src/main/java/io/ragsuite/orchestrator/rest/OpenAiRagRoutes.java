package io.ragsuite.orchestrator.rest;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragsuite.orchestrator.app.PipelineMetrics;
import io.ragsuite.orchestrator.pipeline.RagAnswer;
import io.ragsuite.orchestrator.pipeline.RagPipeline;
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
import java.util.concurrent.CancellationException;

/**
 * OpenAI-compatible {@code POST /v1/chat/completions} that retrieves before it generates, so OpenAI SDKs and tools
 * get RAG answers: the last user message is the question; the answer comes as OpenAI's {@code chat.completion}
 * (or its stream of chunks ending in {@code data: [DONE]}) with the retrieval in an extension field {@code rag}
 * (citations, passages, guard notes, timings, request id). Extension request field: {@code top_k}. Errors are
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

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Message(String role, JsonNode content) {
    }

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record ChatBody(String model, List<Message> messages, Boolean stream, Integer topK, Integer n) {
    }

    void register(@Observes Router router) {
        router.post("/v1/chat/completions").handler(BodyHandler.create().setBodyLimit(1024 * 1024)).handler(this::chat);
    }

    private void chat(RoutingContext ctx) {
        HttpServerResponse response = ctx.response();
        String question;
        int topK;
        ChatBody body;
        try {
            body = parse(ctx);
            Require.that(body.n() == null || body.n() == 1, "n must be 1 (one choice per request)");
            question = lastUserMessage(body.messages());
            topK = body.topK() == null ? 0 : body.topK();
            pipeline.check(question, topK);
        } catch (RuntimeException e) {
            openAi.fail(response, e, false);
            return;
        }
        String id = OpenAiChat.newId();
        long created = OpenAiChat.now();
        if (!Boolean.TRUE.equals(body.stream())) {
            pipeline.query(question, topK).whenComplete((answer, failure) -> {
                if (failure != null) {
                    openAi.fail(response, failure, false);
                    return;
                }
                metrics.record("openai", answer);
                ObjectNode out = openAi.completion(id, created, answer.generationModel(), answer.answer(), "stop", null);
                out.set("rag", rag(answer));
                response.putHeader("content-type", "application/json").end(out.toString());
            });
            return;
        }
        boolean[] started = {false};
        boolean[] gone = {false};
        response.closeHandler(v -> gone[0] = true);
        pipeline.query(question, topK, passages -> {
        }, delta -> {
            // Throwing here cancels the generation call, which frees its slot at once.
            if (gone[0]) {
                throw new CancellationException("client went away");
            }
            if (!started[0]) {
                // Headers go out with the first piece, so a refused question or a failed retrieval still gets
                // its own status.
                started[0] = true;
                OpenAiChat.startStream(response);
                OpenAiChat.send(response, openAi.chunk(id, created, "", openAi.delta("assistant", ""), null));
            }
            OpenAiChat.send(response, openAi.chunk(id, created, "", openAi.delta(null, delta), null));
        }).whenComplete((answer, failure) -> {
            if (failure != null) {
                openAi.fail(response, failure, started[0]);
                return;
            }
            metrics.record("openai", answer);
            if (!started[0]) {
                started[0] = true;
                OpenAiChat.startStream(response);
            }
            ObjectNode last = openAi.chunk(id, created, answer.generationModel(), openAi.delta(null, null), "stop");
            last.set("rag", rag(answer));
            OpenAiChat.send(response, last);
            OpenAiChat.endStream(response);
        });
    }

    private ChatBody parse(RoutingContext ctx) {
        String raw = ctx.body() == null ? null : ctx.body().asString();
        Require.that(raw != null && !raw.isBlank(), "request body is required: {\"messages\": [...]}");
        try {
            return json.readValue(raw, ChatBody.class);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ServiceException.invalid("malformed JSON body: " + e.getOriginalMessage());
        }
    }

    /** The question: the last user message's text (a string, or the text parts of a content array). */
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
        rag.set("guard_notes", json.valueToTree(a.guardNotes()));
        rag.set("timings", json.valueToTree(a.timings()));
        rag.put("embedding_model", a.embeddingModel());
        return rag;
    }
}
