package io.ragsuite.support.audit;

import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * The audit log of administrative actions and document changes: one JSON object per line on the logger
 * {@code rag.audit}, so operators can route it apart from the service log (a handler or category level in
 * {@code quarkus.log.category."rag.audit"}). Every action is logged, refused or done.
 */
public final class AuditLog {
    private static final Logger LOG = Logger.getLogger("rag.audit");

    private AuditLog() {
    }

    /**
     * @param action  what was asked, e.g. "delete_document"
     * @param fields  what it was about and by whom, in order
     * @param outcome "done", "refused: ..." or "failed: ..."
     */
    public static void record(String action, Map<String, String> fields, String outcome) {
        Map<String, String> all = new LinkedHashMap<>();
        all.put("action", action);
        all.putAll(fields);
        all.put("outcome", outcome);
        StringBuilder line = new StringBuilder("{");
        all.forEach((k, v) -> {
            if (line.length() > 1) {
                line.append(',');
            }
            line.append('"').append(escape(k)).append("\":\"").append(escape(v == null ? "" : v)).append('"');
        });
        LOG.info(line.append('}'));
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
