package io.ragsuite.support.error;

/**
 * The one exception type the domain code of every service throws for an expected failure. The adapters
 * turn it into a problem+json body (REST) or a status (gRPC); the message is written for the caller and
 * must never contain a stack trace or internal paths.
 */
public class ServiceException extends RuntimeException {
    private final ErrorKind kind;

    public ServiceException(ErrorKind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ServiceException(ErrorKind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public ErrorKind kind() {
        return kind;
    }

    public static ServiceException invalid(String message) {
        return new ServiceException(ErrorKind.INVALID_ARGUMENT, message);
    }

    public static ServiceException notFound(String message) {
        return new ServiceException(ErrorKind.NOT_FOUND, message);
    }

    public static ServiceException alreadyExists(String message) {
        return new ServiceException(ErrorKind.ALREADY_EXISTS, message);
    }

    public static ServiceException exhausted(String message) {
        return new ServiceException(ErrorKind.RESOURCE_EXHAUSTED, message);
    }

    public static ServiceException unavailable(String message, Throwable cause) {
        return new ServiceException(ErrorKind.UNAVAILABLE, message, cause);
    }
}
