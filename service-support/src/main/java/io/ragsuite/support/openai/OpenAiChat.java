package io.ragsuite.support.openai;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.rest.Problem;
import io.vertx.core.http.HttpServerResponse;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The shapes of OpenAI's chat completions API that our OpenAI-compatible endpoints answer with (the generation
 * service's, and the orchestrator's RAG one): a whole {@code chat.completion}, the {@code chat.completion.chunk}
 * events of a stream ending in {@code data: [DONE]}, and errors as problem+json carrying OpenAI's {@code error}
 * object beside the problem fields (OpenAI clients read the one, the rest of the suite the other).
 */
public final class OpenAiChat {
    private static final Logger LOG = Logger.getLogger(OpenAiChat.class);

    private final ObjectMapper json;

    public OpenAiChat(ObjectMapper json) {
        this.json = json;
    }

    public static String newId() {
        return "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
    }

    public static long now() {
        return System.currentTimeMillis() / 1000;
    }

    /** A whole answer; {@code usage} may be null when the tokens are not known. */
    public ObjectNode completion(String id, long created, String model, String content, String finishReason,
            ObjectNode usage) {
        ObjectNode body = json.createObjectNode().put("id", id).put("object", "chat.completion").put("created", created)
                .put("model", model);
        ObjectNode choice = body.putArray("choices").addObject().put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", content);
        choice.put("finish_reason", finishReason);
        if (usage != null) {
            body.set("usage", usage);
        }
        return body;
    }

    public ObjectNode usage(int promptTokens, int completionTokens) {
        return json.createObjectNode().put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
                .put("total_tokens", promptTokens + completionTokens);
    }

    /** One stream event with a choice whose delta is {@code delta} ({@code finishReason} null while generating). */
    public ObjectNode chunk(String id, long created, String model, ObjectNode delta, String finishReason) {
        ObjectNode event = chunk(id, created, model);
        ArrayNode choices = event.putArray("choices");
        ObjectNode c = choices.addObject().put("index", 0);
        c.set("delta", delta);
        if (finishReason == null) {
            c.putNull("finish_reason");
        } else {
            c.put("finish_reason", finishReason);
        }
        return event;
    }

    /** A stream event without choices (for the usage event). */
    public ObjectNode chunk(String id, long created, String model) {
        return json.createObjectNode().put("id", id).put("object", "chat.completion.chunk").put("created", created)
                .put("model", model);
    }

    public ObjectNode delta(String role, String content) {
        ObjectNode d = json.createObjectNode();
        if (role != null) {
            d.put("role", role);
        }
        if (content != null) {
            d.put("content", content);
        }
        return d;
    }

    /** Writes one server-sent event unless the client is gone. */
    public static void send(HttpServerResponse response, ObjectNode event) {
        if (!response.ended() && !response.closed()) {
            response.write("data: " + event + "\n\n");
        }
    }

    /** Starts a stream: status 200 and the event-stream headers (sent with the first event). */
    public static void startStream(HttpServerResponse response) {
        response.setChunked(true).putHeader("content-type", "text/event-stream").putHeader("cache-control", "no-cache");
    }

    public static void endStream(HttpServerResponse response) {
        if (!response.ended() && !response.closed()) {
            response.end("data: [DONE]\n\n");
        }
    }

    /** The suite's error for any failure; an unexpected one is logged and reported without its details. */
    public static ServiceException asServiceException(Throwable failure) {
        Throwable t = Failures.unwrap(failure);
        if (t instanceof ServiceException se) {
            return se;
        }
        LOG.error("chat completion failed", t);
        return new ServiceException(ErrorKind.INTERNAL, "the server failed to process the request");
    }

    /** OpenAI's error object for a failure. */
    public ObjectNode error(ServiceException e) {
        String type = switch (e.kind()) {
            case INVALID_ARGUMENT, PAYLOAD_TOO_LARGE, ALREADY_EXISTS, FAILED_PRECONDITION -> "invalid_request_error";
            case NOT_FOUND -> "not_found_error";
            case RESOURCE_EXHAUSTED -> "rate_limit_error";
            default -> "server_error";
        };
        return json.createObjectNode().put("message", e.getMessage()).put("type", type).putNull("param")
                .put("code", e.kind().httpStatus());
    }

    /**
     * Answers a failure: before the stream started, problem+json with OpenAI's error object and the right status;
     * after (the status is already 200), an error event in the stream, as OpenAI's servers do.
     */
    public void fail(HttpServerResponse response, Throwable failure, boolean streamStarted) {
        if (response.ended() || response.closed()) {
            return;
        }
        ServiceException e = asServiceException(failure);
        if (streamStarted) {
            ObjectNode event = json.createObjectNode();
            event.set("error", error(e));
            response.end("data: " + event + "\n\n");
            return;
        }
        Problem p = Problem.of(e.kind(), e.getMessage());
        ObjectNode body = json.valueToTree(p);
        body.set("error", error(e));
        response.setStatusCode(p.status()).putHeader("content-type", Problem.MEDIA_TYPE).end(body.toString());
    }
}
