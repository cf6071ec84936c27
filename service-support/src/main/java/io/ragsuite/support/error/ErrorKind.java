package io.ragsuite.support.error;

/**
 * What went wrong, in terms both transports understand. Each kind maps to one HTTP status and one
 * gRPC status code, so a REST client and a gRPC client see the same failure for the same request.
 */
public enum ErrorKind {
    INVALID_ARGUMENT(400, "Invalid argument"),
    UNAUTHENTICATED(401, "Unauthenticated"),
    NOT_FOUND(404, "Not found"),
    ALREADY_EXISTS(409, "Already exists"),
    FAILED_PRECONDITION(409, "Failed precondition"),
    PAYLOAD_TOO_LARGE(413, "Payload too large"),
    RESOURCE_EXHAUSTED(429, "Resource exhausted"),
    UNAVAILABLE(503, "Unavailable"),
    DEADLINE_EXCEEDED(504, "Deadline exceeded"),
    INTERNAL(500, "Internal error");

    private final int httpStatus;
    private final String title;

    ErrorKind(int httpStatus, String title) {
        this.httpStatus = httpStatus;
        this.title = title;
    }

    public int httpStatus() {
        return httpStatus;
    }

    public String title() {
        return title;
    }
}
