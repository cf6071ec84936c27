package io.ragsuite.vectorsearch.pgvector;

import com.fasterxml.jackson.core.type.TypeReference;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.PointChecks;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.RankFusion;
import io.ragsuite.vectorsearch.core.ScoredPoint;
import io.ragsuite.vectorsearch.core.ScrollPage;
import io.ragsuite.vectorsearch.core.SearchQuery;
import io.ragsuite.vectorsearch.core.VectorCollection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One collection as one table: {@code id text COLLATE "C"} (bytewise order, as Lucene's), {@code embedding
 * vector(d)}, {@code text}, {@code metadata jsonb}, {@code numbers jsonb} (the metadata values that are
 * numbers, for ranges) and a generated {@code tsvector} of the text. Indexes: HNSW over the vectors (or over
 * their sign bits for binary quantization, with exact rescoring), GIN over the text and over the metadata.
 *
 * <p>Text ranking is PostgreSQL's own ({@code ts_rank} with length normalisation over an English
 * {@code tsvector}; any term may match), not BM25: PostgreSQL has no BM25. Hybrid fuses ranks, so it only
 * needs the order. Dense scores are in the metric's terms, as in the Lucene backend.
 */
public final class PgVectorCollection implements VectorCollection {
    /** pgvector's upper limit for hnsw.ef_search. */
    static final int MAX_EF_SEARCH = 1000;
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private final PgVectorStore store;
    private final CollectionSpec spec;
    private final String table;

    PgVectorCollection(PgVectorStore store, CollectionSpec spec, String table) {
        this.store = store;
        this.spec = spec;
        this.table = table;
    }

    @Override
    public CollectionSpec spec() {
        return spec;
    }

    String table() {
        return table;
    }

    String qualifiedTable() {
        return store.schema() + "." + table;
    }

    String createTableSql() {
        return "CREATE TABLE " + qualifiedTable() + " (id text COLLATE \"C\" PRIMARY KEY, embedding vector("
                + spec.dimension() + ") NOT NULL, text text NOT NULL, metadata jsonb NOT NULL, numbers jsonb NOT NULL, "
                + "tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', text)) STORED)";
    }

    List<String> createIndexSql() {
        String graph = spec.quantization() == Quantization.BINARY
                ? "(" + binaryExpression("embedding") + ") bit_hamming_ops"
                : "embedding " + switch (spec.metric()) {
                    case COSINE -> "vector_cosine_ops";
                    case DOT -> "vector_ip_ops";
                    case L2 -> "vector_l2_ops";
                };
        return List.of(
                "CREATE INDEX " + table + "_hnsw ON " + qualifiedTable() + " USING hnsw (" + graph + ") WITH (m = "
                        + spec.m() + ", ef_construction = " + spec.efConstruction() + ")",
                "CREATE INDEX " + table + "_tsv ON " + qualifiedTable() + " USING gin (tsv)",
                "CREATE INDEX " + table + "_meta ON " + qualifiedTable() + " USING gin (metadata jsonb_path_ops)");
    }

    private String binaryExpression(String vector) {
        return "binary_quantize(" + vector + ")::bit(" + spec.dimension() + ")";
    }

    /** pgvector's distance operator for the metric: cosine distance, negative inner product, L2 distance. */
    private String distanceOperator() {
        return switch (spec.metric()) {
            case COSINE -> "<=>";
            case DOT -> "<#>";
            case L2 -> "<->";
        };
    }

    /** The metric's score from pgvector's distance. */
    private float score(double distance) {
        return (float) switch (spec.metric()) {
            case COSINE -> 1 - distance;
            case DOT -> -distance;
            case L2 -> distance;
        };
    }

    @Override
    public long count() {
        return count(null);
    }

    @Override
    public long count(MetadataFilter filter) {
        PgFilterSql where = PgFilterSql.of(filter);
        return run("count", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + qualifiedTable() + " WHERE "
                    + where.sql())) {
                bind(ps, 1, where.params());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            }
        });
    }

    @Override
    public int upsert(List<Point> points) {
        Require.size(points, 1, store.limits().maxBatch(), "points");
        for (int i = 0; i < points.size(); i++) {
            PointChecks.check(points.get(i), spec, store.limits(), "points[" + i + "]");
        }
        return run("upsert", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + qualifiedTable()
                    + " (id, embedding, text, metadata, numbers) VALUES (?, ?::vector, ?, ?::jsonb, ?::jsonb) "
                    + "ON CONFLICT (id) DO UPDATE SET embedding = EXCLUDED.embedding, text = EXCLUDED.text, "
                    + "metadata = EXCLUDED.metadata, numbers = EXCLUDED.numbers")) {
                for (Point p : points) {
                    Map<String, Double> numbers = new TreeMap<>();
                    p.metadata().forEach((k, v) -> {
                        Double n = PointChecks.asNumber(v);
                        if (n != null) {
                            numbers.put(k, n);
                        }
                    });
                    ps.setString(1, p.id());
                    ps.setString(2, vectorLiteral(p.vector()));
                    ps.setString(3, p.text());
                    ps.setString(4, PgFilterSql.json(p.metadata()));
                    ps.setString(5, PgFilterSql.json(numbers));
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            return points.size();
        });
    }

    @Override
    public List<Point> get(List<String> ids, boolean withVectors) {
        checkIds(ids);
        return run("get", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + columns(withVectors) + " FROM " + qualifiedTable()
                    + " WHERE id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("text", ids.toArray()));
                return points(ps, withVectors);
            }
        });
    }

    @Override
    public long deleteIds(List<String> ids) {
        checkIds(ids);
        return run("delete", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + qualifiedTable() + " WHERE id = ANY (?)")) {
                ps.setArray(1, c.createArrayOf("text", ids.toArray()));
                return (long) ps.executeUpdate();
            }
        });
    }

    @Override
    public long deleteMatching(MetadataFilter filter) {
        PgFilterSql where = PgFilterSql.of(filter);
        Require.that(!where.params().isEmpty(), "a delete filter must hold at least one condition");
        return run("delete", c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + qualifiedTable() + " WHERE " + where.sql())) {
                bind(ps, 1, where.params());
                return (long) ps.executeUpdate();
            }
        });
    }

    @Override
    public List<ScoredPoint> search(SearchQuery q) {
        int ef = q.checkedEfSearch(spec, store.limits());
        SearchQuery.Mode mode = q.effectiveMode();
        PgFilterSql where = PgFilterSql.of(q.filter());
        float[] vector = mode == SearchQuery.Mode.BM25 ? null : q.vector();
        if (vector != null) {
            PointChecks.checkVector(vector, spec, "vector");
        }
        int window = Math.max(ef, q.topK());
        return run("search", c -> {
            List<ScoredPoint> ranked = switch (mode) {
                case DENSE -> dense(c, vector, q.topK(), ef, where, q.withVectors());
                case BM25 -> text(c, q.text(), q.topK(), where, q.withVectors());
                case HYBRID -> {
                    List<ScoredPoint> dense = dense(c, vector, window, ef, where, q.withVectors());
                    List<ScoredPoint> text = text(c, q.text(), window, where, q.withVectors());
                    Map<String, Point> byId = new HashMap<>();
                    dense.forEach(h -> byId.put(h.point().id(), h.point()));
                    text.forEach(h -> byId.putIfAbsent(h.point().id(), h.point()));
                    boolean distance = spec.metric() == Metric.L2;
                    yield RankFusion.fuse(q.fusionMethod(), ids(dense, distance), ids(text, false), q.fusionDenseWeight(),
                            q.fusionTextWeight(), q.topK())
                            .stream().map(f -> new ScoredPoint(byId.get(f.key()), f.score())).toList();
                }
            };
            List<ScoredPoint> out = new ArrayList<>(ranked.size());
            for (ScoredPoint hit : ranked) {
                if (q.belowMinScore(hit.score(), spec.metric())) {
                    break; // best first: every later one misses too
                }
                out.add(hit);
            }
            return out;
        });
    }

    /**
     * Nearest points by the HNSW index. With a filter, pgvector's iterative scan (strict order) keeps walking
     * the graph until enough rows pass it, instead of filtering a fixed candidate list down to too few.
     * Binary: candidates by Hamming distance of the sign bits from the bit index, re-ranked exactly.
     */
    private List<ScoredPoint> dense(Connection c, float[] vector, int k, int ef, PgFilterSql where, boolean withVectors)
            throws SQLException {
        int candidates = k * spec.quantization().oversample();
        setLocal(c, "hnsw.ef_search", Integer.toString(Math.min(MAX_EF_SEARCH, Math.max(ef, candidates))));
        setLocal(c, "hnsw.iterative_scan", where.params().isEmpty() ? "off" : "strict_order");
        String op = distanceOperator();
        String sql;
        if (spec.quantization() == Quantization.BINARY) {
            sql = "SELECT " + columns(withVectors) + ", embedding " + op + " ?::vector AS distance FROM (SELECT * FROM "
                    + qualifiedTable() + " WHERE " + where.sql() + " ORDER BY " + binaryExpression("embedding") + " <~> "
                    + binaryExpression("?::vector") + " LIMIT ?) AS candidates ORDER BY distance LIMIT ?";
        } else {
            sql = "SELECT " + columns(withVectors) + ", embedding " + op + " ?::vector AS distance FROM "
                    + qualifiedTable() + " WHERE " + where.sql() + " ORDER BY embedding " + op + " ?::vector LIMIT ?";
        }
        String literal = vectorLiteral(vector);
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            int i = 1;
            ps.setString(i++, literal);
            i = bind(ps, i, where.params());
            ps.setString(i++, literal);
            if (spec.quantization() == Quantization.BINARY) {
                ps.setInt(i++, candidates);
            }
            ps.setInt(i, k);
            return scored(ps, withVectors, true);
        }
    }

    /** Text ranking: any analysed term of the query may match ({@code plainto_tsquery}'s AND turned into OR). */
    private List<ScoredPoint> text(Connection c, String text, int k, PgFilterSql where, boolean withVectors)
            throws SQLException {
        String sql = "SELECT " + columns(withVectors) + ", ts_rank(tsv, query, 1) AS rank FROM " + qualifiedTable()
                + ", (SELECT replace(plainto_tsquery('english', ?)::text, '&', '|')::tsquery AS query) AS q "
                + "WHERE tsv @@ query AND " + where.sql() + " ORDER BY rank DESC, id LIMIT ?";
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, text);
            int i = bind(ps, 2, where.params());
            ps.setInt(i, k);
            return scored(ps, withVectors, false);
        }
    }

    @Override
    public ScrollPage scroll(MetadataFilter filter, int limit, String afterId, boolean withVectors) {
        int pageSize = limit == 0 ? DEFAULT_SCROLL_LIMIT
                : Require.inRange(limit, 1, store.limits().maxBatch(), "limit");
        PgFilterSql where = PgFilterSql.of(filter);
        return run("scroll", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT " + columns(withVectors) + " FROM " + qualifiedTable()
                    + " WHERE id > ? AND " + where.sql() + " ORDER BY id LIMIT ?")) {
                ps.setString(1, afterId == null ? "" : afterId);
                int i = bind(ps, 2, where.params());
                ps.setInt(i, pageSize);
                return ScrollPage.of(points(ps, withVectors), pageSize);
            }
        });
    }

    /** VACUUM ANALYZE: reclaims dead rows (replaced or deleted points) and refreshes the planner's statistics. */
    @Override
    public Optimized optimize() {
        long start = System.nanoTime();
        try (Connection c = store.dataSource().getConnection();
                java.sql.Statement st = c.createStatement()) {
            c.setAutoCommit(true); // VACUUM cannot run inside a transaction
            st.execute("VACUUM ANALYZE " + qualifiedTable());
        } catch (SQLException e) {
            if ("42P01".equals(e.getSQLState())) {
                store.evict(this);
                throw ServiceException.notFound("collection '" + spec.name() + "' does not exist");
            }
            throw PgVectorStore.translate("optimize of collection '" + spec.name() + "'", e);
        }
        return new Optimized(1, 1, (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public long diskBytes() {
        return bytesByPart().values().stream().mapToLong(Long::longValue).sum();
    }

    /** The HNSW index holds the searched vectors (full or sign bits) with the graph; it should stay cached. */
    @Override
    public long searchMemoryBytes() {
        return bytesByPart().getOrDefault("graph", 0L);
    }

    /** table (rows, TOAST included: vectors, text, metadata), graph (HNSW), text_index, other (id, metadata). */
    @Override
    public Map<String, Long> bytesByPart() {
        return run("sizes", c -> {
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_table_size(to_regclass(?)), "
                    + "pg_relation_size(to_regclass(?)), pg_relation_size(to_regclass(?)), "
                    + "pg_indexes_size(to_regclass(?))")) {
                String t = qualifiedTable();
                ps.setString(1, t);
                ps.setString(2, t + "_hnsw");
                ps.setString(3, t + "_tsv");
                ps.setString(4, t);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    Map<String, Long> parts = new LinkedHashMap<>();
                    parts.put("table", rs.getLong(1));
                    parts.put("graph", rs.getLong(2));
                    parts.put("text_index", rs.getLong(3));
                    parts.put("other", Math.max(0, rs.getLong(4) - rs.getLong(2) - rs.getLong(3)));
                    return parts;
                }
            }
        });
    }

    private void checkIds(List<String> ids) {
        Require.size(ids, 1, store.limits().maxBatch(), "ids");
        ids.forEach(id -> Require.nonBlank(id, "id"));
    }

    private String columns(boolean withVectors) {
        return "id, text, metadata::text AS metadata" + (withVectors ? ", embedding::text AS embedding" : "");
    }

    private List<Point> points(PreparedStatement ps, boolean withVectors) throws SQLException {
        List<Point> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(point(rs, withVectors));
            }
        }
        return out;
    }

    private List<ScoredPoint> scored(PreparedStatement ps, boolean withVectors, boolean dense) throws SQLException {
        List<ScoredPoint> out = new ArrayList<>();
        try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                float score = dense ? score(rs.getDouble("distance")) : rs.getFloat("rank");
                out.add(new ScoredPoint(point(rs, withVectors), score));
            }
        }
        return out;
    }

    private static Point point(ResultSet rs, boolean withVectors) throws SQLException {
        Map<String, String> metadata;
        try {
            metadata = PgFilterSql.JSON.readValue(rs.getString("metadata"), STRING_MAP);
        } catch (IOException e) {
            throw new UncheckedIOException("metadata of point " + rs.getString("id"), e);
        }
        float[] vector = withVectors ? parseVector(rs.getString("embedding")) : null;
        return new Point(rs.getString("id"), vector, rs.getString("text"), metadata);
    }

    /** Ids with "higher is better" scores for fusion ({@code distance}: the scores are L2 distances, negated). */
    private static List<RankFusion.Scored<String>> ids(List<ScoredPoint> hits, boolean distance) {
        return hits.stream().map(h -> new RankFusion.Scored<>(h.point().id(), distance ? -h.score() : h.score())).toList();
    }

    /** pgvector's text form, "[1,2.5,-3]"; Float.toString round-trips every float exactly. */
    static String vectorLiteral(float[] v) {
        StringBuilder sb = new StringBuilder(v.length * 12).append('[');
        for (int i = 0; i < v.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(v[i]);
        }
        return sb.append(']').toString();
    }

    static float[] parseVector(String text) {
        String body = text.substring(1, text.length() - 1);
        if (body.isEmpty()) {
            return new float[0];
        }
        String[] parts = body.split(",");
        float[] v = new float[parts.length];
        for (int i = 0; i < parts.length; i++) {
            v[i] = Float.parseFloat(parts[i]);
        }
        return v;
    }

    private static int bind(PreparedStatement ps, int first, List<Object> params) throws SQLException {
        int i = first;
        for (Object p : params) {
            ps.setObject(i++, p);
        }
        return i;
    }

    private static void setLocal(Connection c, String setting, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT set_config(?, ?, true)")) {
            ps.setString(1, setting);
            ps.setString(2, value);
            ps.execute();
        }
    }

    /** One transaction; a table dropped meanwhile (by another replica) is NOT_FOUND, and forgotten here. */
    private <T> T run(String what, PgVectorStore.SqlWork<T> work) {
        try {
            return store.inTransaction(what + " in collection '" + spec.name() + "'", work);
        } catch (ServiceException e) {
            if (e.getCause() instanceof SQLException sql && "42P01".equals(sql.getSQLState())) {
                store.evict(this);
                throw ServiceException.notFound("collection '" + spec.name() + "' does not exist");
            }
            throw e;
        }
    }
}
