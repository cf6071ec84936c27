package io.ragsuite.support.error;

import java.util.Collection;

/** Argument checks that fail with {@link ErrorKind#INVALID_ARGUMENT} and a message naming the field. */
public final class Require {
    private Require() {
    }

    public static void that(boolean condition, String message) {
        if (!condition) {
            throw ServiceException.invalid(message);
        }
    }

    public static String nonBlank(String value, String field) {
        if (value == null || value.isBlank()) {
            throw ServiceException.invalid(field + " must not be empty");
        }
        return value;
    }

    public static String maxLength(String value, int max, String field) {
        if (value != null && value.length() > max) {
            throw ServiceException.invalid(field + " has " + value.length() + " characters; the limit is " + max);
        }
        return value;
    }

    public static int inRange(int value, int min, int max, String field) {
        if (value < min || value > max) {
            throw ServiceException.invalid(field + " must be between " + min + " and " + max + ", got " + value);
        }
        return value;
    }

    public static <T extends Collection<?>> T size(T items, int min, int max, String field) {
        int n = items == null ? 0 : items.size();
        if (n < min) {
            throw ServiceException.invalid(field + " must hold at least " + min + " item(s)");
        }
        if (n > max) {
            throw ServiceException.invalid(field + " holds " + n + " items; the limit is " + max);
        }
        return items;
    }
}
