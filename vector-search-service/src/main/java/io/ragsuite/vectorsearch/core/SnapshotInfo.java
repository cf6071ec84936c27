package io.ragsuite.vectorsearch.core;

import io.ragsuite.support.error.Require;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * A stored snapshot of a collection.
 *
 * @param collection the collection it was taken from
 * @param id         its name, unique per collection, sortable by time
 * @param createdAt  when it was taken
 * @param pointCount points in it
 * @param sizeBytes  bytes it takes in storage
 */
public record SnapshotInfo(String collection, String id, Instant createdAt, long pointCount, long sizeBytes) {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);
    private static final Pattern ID = Pattern.compile("[0-9]{8}T[0-9]{9}Z-[0-9a-f]{8}");

    /** A new snapshot id: UTC time to the millisecond and 8 random hex digits, e.g. 20261127T101500123Z-1a2b3c4d. */
    public static String newId(Instant now) {
        return TIME.format(now) + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /** Whether {@code id} has the shape of an id this server makes (so it is safe as a file name). */
    public static boolean isId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** The id, or INVALID_ARGUMENT when it is not one this server makes. */
    public static String checkId(String id) {
        Require.that(isId(id), "snapshot id '" + id + "' is not one this server makes");
        return id;
    }

    /** When the snapshot with this id was taken. */
    public static Instant createdAt(String id) {
        return ZonedDateTime.parse(id.substring(0, id.indexOf('-')), TIME).toInstant();
    }
}
