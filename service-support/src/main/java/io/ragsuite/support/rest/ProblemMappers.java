package io.ragsuite.support.rest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.ServiceException;
import jakarta.ws.rs.WebApplicationException;
import java.util.concurrent.CompletionException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure of a REST call into a problem+json response. Expected failures keep their message;
 * unexpected ones are logged with their stack trace and answered with a generic 500 body, so that no
 * stack trace or internal detail ever reaches a client.
 */
public class ProblemMappers {
    private static final Logger LOG = Logger.getLogger(ProblemMappers.class);

    @ServerExceptionMapper
    public Response mapServiceException(ServiceException e) {
        if (e.kind() == ErrorKind.INTERNAL) {
            LOG.error("internal error", e);
        }
        return respond(Problem.of(e.kind(), e.getMessage()));
    }

    @ServerExceptionMapper
    public Response mapJson(JsonProcessingException e) {
        return respond(Problem.of(ErrorKind.INVALID_ARGUMENT, "request body is not valid JSON for this endpoint: "
                + e.getOriginalMessage()));
    }

    /** Jackson's type mismatch ({@code "texts": 42}); Quarkus has its own mapper for it, ours takes precedence. */
    @ServerExceptionMapper
    public Response mapMismatchedInput(MismatchedInputException e) {
        return mapJson(e);
    }

    @ServerExceptionMapper
    public Response mapWebApplication(WebApplicationException e) {
        Response original = e.getResponse();
        int status = original.getStatus();
        if (status >= 500) {
            LOG.error("request failed", e);
        }
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return mapJson(json);
        }
        String reason = original.getStatusInfo().getReasonPhrase();
        return respond(Problem.ofStatus(status, reason, e.getMessage()));
    }

    /** Failures of asynchronous stages arrive wrapped; answer for what is inside. */
    @ServerExceptionMapper
    public Response mapCompletion(CompletionException e) {
        return switch (Failures.unwrap(e)) {
            case ServiceException se -> mapServiceException(se);
            case WebApplicationException wae -> mapWebApplication(wae);
            case JsonProcessingException json -> mapJson(json);
            case null, default -> mapUnexpected(e);
        };
    }

    @ServerExceptionMapper
    public Response mapUnexpected(RuntimeException e) {
        LOG.error("unexpected error", e);
        return respond(Problem.of(ErrorKind.INTERNAL, "the server failed to process the request; see its log"));
    }

    static Response respond(Problem problem) {
        return Response.status(problem.status()).type(Problem.MEDIA_TYPE).entity(problem).build();
    }
}
