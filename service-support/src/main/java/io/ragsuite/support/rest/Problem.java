package io.ragsuite.support.rest;

import io.ragsuite.support.error.ErrorKind;

/**
 * An RFC 9457 problem detail, the JSON body of every REST error the suite returns.
 *
 * @param type   a URI naming the kind of problem (a stable "urn:rag:error:..." name)
 * @param title  short summary of the kind
 * @param status the HTTP status, repeated for clients that only see the body
 * @param detail what went wrong with this request, written for the caller
 */
public record Problem(String type, String title, int status, String detail) {
    public static final String MEDIA_TYPE = "application/problem+json";

    public static Problem of(ErrorKind kind, String detail) {
        return new Problem("urn:rag:error:" + kind.name().toLowerCase(), kind.title(), kind.httpStatus(), detail);
    }

    public static Problem ofStatus(int status, String title, String detail) {
        return new Problem("about:blank", title, status, detail);
    }
}
