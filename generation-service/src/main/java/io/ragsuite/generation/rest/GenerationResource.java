package io.ragsuite.generation.rest;

import io.ragsuite.generation.app.GenerationCalls;
import io.ragsuite.generation.core.ChatTurn;
import io.ragsuite.generation.core.GenerationResult;
import io.ragsuite.generation.core.Sampling;
import io.ragsuite.support.error.Require;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.jboss.resteasy.reactive.RestStreamElementType;

/** REST adapter: {@code POST /v1/generate} and its server-sent-events variant {@code /v1/generate/stream}. */
@Path("/v1/generate")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
public class GenerationResource {
    private final GenerationCalls calls;

    public GenerationResource(GenerationCalls calls) {
        this.calls = calls;
    }

    public record Message(String role, String content) {
    }

    /**
     * @param model      a base model or a LoRA adapter by name; absent selects the default model
     * @param grammar    GBNF grammar the answer must follow; or
     * @param jsonSchema a JSON Schema object the answer must match
     */
    public record GenerateBody(List<Message> messages, String model, int maxTokens, Float temperature, Float topP,
            Integer topK, Float minP, Float repetitionPenalty, Long seed, List<String> stop, Boolean ignoreEos,
            String grammar, com.fasterxml.jackson.databind.JsonNode jsonSchema) {
    }

    public record Usage(int promptTokens, int completionTokens) {
    }

    public record Timing(long queueUs, long computeUs, long totalUs, long timeToFirstTokenUs) {
    }

    public record GenerateReply(String text, String finishReason, Usage usage, String model, String adapter,
            Timing timing) {
        static GenerateReply of(GenerationResult r) {
            return new GenerateReply(r.text(), r.finishReason(), new Usage(r.promptTokens(), r.completionTokens()),
                    r.model(), r.adapter(), new Timing(r.queueUs(), r.computeUs(), r.totalUs(), r.timeToFirstTokenUs()));
        }
    }

    /** One SSE event: {@code delta} while generating, then one event with {@code done}. */
    public record StreamEvent(String delta, GenerateReply done) {
    }

    @POST
    public Uni<GenerateReply> generate(GenerateBody body) {
        return calls.generate(turns(body), body.model(), sampling(body), "rest").map(GenerateReply::of);
    }

    @POST
    @Path("/stream")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @RestStreamElementType(MediaType.APPLICATION_JSON)
    public Multi<StreamEvent> stream(GenerateBody body) {
        return calls.stream(turns(body), body.model(), sampling(body), "rest")
                .map(e -> e.done() == null ? new StreamEvent(e.delta(), null) : new StreamEvent(null, GenerateReply.of(e.done())));
    }

    private static List<ChatTurn> turns(GenerateBody body) {
        Require.that(body != null, "request body is required: {\"messages\": [{\"role\": \"user\", \"content\": ...}]}");
        Require.that(body.messages() != null && !body.messages().isEmpty(), "messages must hold at least one message");
        return body.messages().stream().map(m -> {
            Require.that(m != null, "messages must not hold null");
            return new ChatTurn(m.role(), m.content());
        }).toList();
    }

    private Sampling sampling(GenerateBody body) {
        Require.that(body.jsonSchema() == null || body.jsonSchema().isNull() || body.jsonSchema().isObject(),
                "json_schema must be a JSON object");
        return calls.sampling(new Sampling.Requested(body.maxTokens(), body.temperature(), body.topP(), body.topK(),
                body.minP(), body.repetitionPenalty(), body.seed(), body.stop(), body.ignoreEos(), body.grammar(),
                body.jsonSchema() == null || body.jsonSchema().isNull() ? null : body.jsonSchema().toString()));
    }
}
