package io.ragsuite.vectorsearch.pgvector;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.MetadataFilters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A metadata filter as a SQL condition with bind parameters, over the {@code metadata} (string values)
 * and {@code numbers} (the values that are numbers) jsonb columns. Equality is jsonb containment
 * ({@code metadata @> '{"k":"v"}'}), which the GIN index on {@code metadata} serves; ranges compare the
 * number stored for the key. Every leaf is true or false, never SQL NULL, so NOT and missing keys behave
 * as in the Lucene backend (a point without the key does not match, and does match its negation).
 *
 * @param sql    the condition ("TRUE" for no filter)
 * @param params values for its {@code ?} placeholders, in order
 */
record PgFilterSql(String sql, List<Object> params) {
    static final ObjectMapper JSON = new ObjectMapper();

    static PgFilterSql of(MetadataFilter filter) {
        MetadataFilter checked = MetadataFilters.checked(filter);
        List<Object> params = new ArrayList<>();
        return new PgFilterSql(checked == null ? "TRUE" : build(checked, params), params);
    }

    private static String build(MetadataFilter filter, List<Object> params) {
        return switch (filter) {
            case MetadataFilter.Match match -> {
                List<String> any = new ArrayList<>();
                for (String value : match.anyOf()) {
                    any.add("metadata @> ?::jsonb");
                    params.add(json(Map.of(match.key(), value)));
                }
                yield "(" + String.join(" OR ", any) + ")";
            }
            case MetadataFilter.Range range -> {
                List<String> bounds = new ArrayList<>();
                addBound(bounds, params, range.key(), ">=", range.gte());
                addBound(bounds, params, range.key(), ">", range.gt());
                addBound(bounds, params, range.key(), "<=", range.lte());
                addBound(bounds, params, range.key(), "<", range.lt());
                yield "COALESCE(" + String.join(" AND ", bounds) + ", FALSE)";
            }
            case MetadataFilter.Bool bool -> {
                List<String> parts = new ArrayList<>();
                for (MetadataFilter f : bool.must()) {
                    parts.add(build(f, params));
                }
                if (!bool.should().isEmpty()) {
                    List<String> any = new ArrayList<>();
                    for (MetadataFilter f : bool.should()) {
                        any.add(build(f, params));
                    }
                    parts.add("(" + String.join(" OR ", any) + ")");
                }
                for (MetadataFilter f : bool.mustNot()) {
                    parts.add("NOT " + build(f, params));
                }
                yield "(" + String.join(" AND ", parts) + ")";
            }
        };
    }

    private static void addBound(List<String> bounds, List<Object> params, String key, String op, Double value) {
        if (value != null) {
            bounds.add("(numbers ->> ?)::float8 " + op + " ?");
            params.add(key);
            params.add(value);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot happen for maps of strings and numbers", e);
        }
    }
}
