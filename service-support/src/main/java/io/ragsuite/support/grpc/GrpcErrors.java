package io.ragsuite.support.grpc;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.ServiceException;
import org.jboss.logging.Logger;

/**
 * Maps failures to gRPC statuses, both ways: domain exceptions become statuses for our servers, and the
 * statuses a stage answers become domain exceptions in its clients, so an INVALID_ARGUMENT from the
 * embedding service reaches an orchestrator caller as the same kind of error.
 */
public final class GrpcErrors {
    private static final Logger LOG = Logger.getLogger(GrpcErrors.class);

    private GrpcErrors() {
    }

    /** The status a server answers for {@code failure}; unexpected failures are logged, not leaked. */
    public static StatusRuntimeException toStatus(Throwable failure) {
        failure = Failures.unwrap(failure);
        if (failure instanceof StatusRuntimeException sre) {
            return sre;
        }
        if (failure instanceof ServiceException se) {
            return codeOf(se.kind()).withDescription(se.getMessage()).asRuntimeException();
        }
        if (failure instanceof IllegalArgumentException iae) {
            return Status.INVALID_ARGUMENT.withDescription(iae.getMessage()).asRuntimeException();
        }
        LOG.error("unexpected error in gRPC call", failure);
        return Status.INTERNAL.withDescription("the server failed to process the request; see its log")
                .asRuntimeException();
    }

    /** The domain exception a client raises for a failed call to another stage named {@code stage}. */
    public static ServiceException fromStatus(String stage, Throwable failure) {
        failure = Failures.unwrap(failure);
        if (failure instanceof ServiceException se) {
            return se;
        }
        Status status = Status.fromThrowable(failure);
        String detail = stage + ": " + (status.getDescription() == null ? status.getCode().name() : status.getDescription());
        ErrorKind kind = switch (status.getCode()) {
            case INVALID_ARGUMENT, OUT_OF_RANGE -> ErrorKind.INVALID_ARGUMENT;
            case UNAUTHENTICATED -> ErrorKind.UNAUTHENTICATED;
            case NOT_FOUND -> ErrorKind.NOT_FOUND;
            case ALREADY_EXISTS -> ErrorKind.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> ErrorKind.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> ErrorKind.RESOURCE_EXHAUSTED;
            case DEADLINE_EXCEEDED -> ErrorKind.DEADLINE_EXCEEDED;
            case UNAVAILABLE, CANCELLED, ABORTED -> ErrorKind.UNAVAILABLE;
            default -> ErrorKind.INTERNAL;
        };
        return new ServiceException(kind, detail, failure);
    }

    static Status codeOf(ErrorKind kind) {
        return switch (kind) {
            case INVALID_ARGUMENT, PAYLOAD_TOO_LARGE -> Status.INVALID_ARGUMENT;
            case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
            case NOT_FOUND -> Status.NOT_FOUND;
            case ALREADY_EXISTS -> Status.ALREADY_EXISTS;
            case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
            case RESOURCE_EXHAUSTED -> Status.RESOURCE_EXHAUSTED;
            case UNAVAILABLE -> Status.UNAVAILABLE;
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED;
            case INTERNAL -> Status.INTERNAL;
        };
    }
}
