package io.ragsuite.orchestrator.rest;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.ragsuite.api.v1.Filter;
import io.ragsuite.orchestrator.pipeline.RagQuery;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Reads a query's options from a JSON body, strictly: a field this endpoint does not know, or a value of the wrong
 * type, is a 400 that names it, never silently ignored. Shared by {@code /v1/rag/query}, {@code /stream},
 * {@code /v1/rag/retrieve} and the OpenAI chat route (which reads its question from {@code messages}).
 *
 * <p>The filter has the vector search service's JSON shape, which is the protobuf JSON of {@code rag.v1.Filter}:
 * {@code {"must": [{"match": {"key": "lang", "any_of": ["en"]}}, {"range": {"key": "year", "gte": 2020}}]}};
 * it is parsed by protobuf's own JSON parser, which also rejects unknown fields.
 */
public final class QueryJson {
    /** The options every query endpoint takes, besides its question. */
    public static final Set<String> OPTIONS = Set.of("top_k", "filter", "retrieval", "fusion", "dense_weight", "bm25_weight",
            "min_score", "rerank", "max_tokens", "temperature", "seed", "model");

    private QueryJson() {
    }

    /** A body of the RAG endpoints: {@code question} and the options. */
    public static RagQuery query(JsonNode body) {
        Require.that(body != null && !body.isNull(), "request body is required: {\"question\": \"...\"}");
        Require.that(body.isObject(), "the request body must be a JSON object");
        checkFields(body, OPTIONS, Set.of("question"));
        return options(body, text(body, "question"));
    }

    /** The options of {@code body} (fields may be absent or null), for a question read elsewhere. */
    public static RagQuery options(JsonNode body, String question) {
        return new RagQuery(question, integer(body, "top_k"), filter(body.get("filter")),
                choice(body, "retrieval", RagQuery.Retrieval.class), choice(body, "fusion", RagQuery.Fusion.class),
                number(body, "dense_weight"), number(body, "bm25_weight"), number(body, "min_score"),
                choice(body, "rerank", RagQuery.RerankMode.class), integer(body, "max_tokens"),
                number(body, "temperature"), seed(body), text(body, "model"));
    }

    /** Fails naming every field of {@code body} that is in neither set. */
    public static void checkFields(JsonNode body, Set<String> options, Set<String> others) {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = body.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!options.contains(name) && !others.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            List<String> known = new ArrayList<>(others);
            known.addAll(options);
            throw ServiceException.invalid("unknown field" + (unknown.size() > 1 ? "s " : " ") + String.join(", ", unknown)
                    + " (this endpoint takes " + String.join(", ", known.stream().sorted().toList()) + ")");
        }
    }

    public static String text(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        Require.that(v.isTextual(), field + " must be a string");
        return v.asText();
    }

    private static int integer(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return 0;
        }
        Require.that(v.isIntegralNumber() && v.canConvertToInt(), field + " must be an integer, not " + v);
        int value = v.intValue();
        // 0 would silently mean "the default"; a client that sends it means something else.
        Require.that(value >= 1, field + " must be >= 1, not " + value);
        return value;
    }

    private static Float number(JsonNode body, String field) {
        JsonNode v = body.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        Require.that(v.isNumber(), field + " must be a number, not " + v);
        return v.floatValue();
    }

    private static Long seed(JsonNode body) {
        JsonNode v = body.get("seed");
        if (v == null || v.isNull()) {
            return null;
        }
        Require.that(v.isIntegralNumber() && v.canConvertToLong(), "seed must be an integer, not " + v);
        return v.longValue();
    }

    private static <E extends Enum<E>> E choice(JsonNode body, String field, Class<E> type) {
        String v = text(body, field);
        return v == null ? null : RagQuery.parse(type, v, field);
    }

    private static Filter filter(JsonNode v) {
        if (v == null || v.isNull()) {
            return null;
        }
        Require.that(v.isObject(), "filter must be an object: {\"must\": [...], \"should\": [...], \"must_not\": [...]}");
        Filter.Builder filter = Filter.newBuilder();
        try {
            JsonFormat.parser().merge(v.toString(), filter);
        } catch (InvalidProtocolBufferException e) {
            throw ServiceException.invalid("filter: " + e.getMessage());
        }
        return filter.build();
    }
}
