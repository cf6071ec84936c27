package io.ragsuite.generation.core;

import io.ragsuite.support.error.ServiceException;
import java.util.Set;

/** One message of a conversation. */
public record ChatTurn(String role, String content) {
    public static final Set<String> ROLES = Set.of("system", "user", "assistant");

    public ChatTurn {
        if (role == null || !ROLES.contains(role)) {
            throw ServiceException.invalid("message role must be one of " + ROLES + ", got '" + role + "'");
        }
        content = content == null ? "" : content;
    }
}
