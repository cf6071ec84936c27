package io.ragsuite.vectorsearch.pgvector;

import io.agroal.api.AgroalDataSource;
import io.agroal.api.configuration.supplier.AgroalDataSourceConfigurationSupplier;
import io.agroal.api.security.NamePrincipal;
import io.agroal.api.security.SimplePassword;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.SnapshotInfo;
import io.ragsuite.vectorsearch.core.StoreLimits;
import io.ragsuite.vectorsearch.core.VectorStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Collections kept in PostgreSQL with the pgvector extension, one table per collection, all in one schema
 * with two catalog tables ({@code collections}, {@code snapshots}). Several service replicas may share a
 * database: the catalog is the truth, and a collection dropped by another replica answers NOT_FOUND here
 * (see {@link PgVectorCollection}).
 */
public final class PgVectorStore implements VectorStore {
    /** pgvector indexes {@code vector} columns of up to 2,000 dimensions, and bit strings up to 64,000. */
    static final int MAX_INDEXED_DIMENSION = 2000;
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final AutoCloseable ownedPool;
    private final String schema;
    private final StoreLimits limits;
    private final String location;
    private final Map<String, PgVectorCollection> collections = new ConcurrentHashMap<>();

    /**
     * Connects and creates the schema and catalog if missing.
     *
     * @param ownedPool closed with the store (the pool behind {@code dataSource}), or null
     */
    public PgVectorStore(DataSource dataSource, AutoCloseable ownedPool, String schema, StoreLimits limits)
            throws SQLException {
        Require.that(schema != null && SCHEMA.matcher(schema).matches(),
                "pgvector schema '" + schema + "' must be lower-case letters, digits and '_'");
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.schema = schema;
        this.limits = limits;
        try (Connection c = dataSource.getConnection()) {
            // The driver's URL carries no password (it is passed apart), so it is safe to show.
            this.location = c.getMetaData().getURL().replaceAll("password=[^&]*", "password=***") + " schema " + schema;
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                // Replicas starting together must not race on CREATE ... IF NOT EXISTS.
                st.execute("SELECT pg_advisory_xact_lock(hashtext('rag-suite:' || " + literal(schema) + "))");
                ensureExtension(st);
                st.execute("CREATE SCHEMA IF NOT EXISTS " + schema);
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".collections (name text PRIMARY KEY, "
                        + "table_name text NOT NULL UNIQUE, dimension int NOT NULL, metric text NOT NULL, "
                        + "m int NOT NULL, ef_construction int NOT NULL, ef_search int NOT NULL, "
                        + "quantization text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())");
                st.execute("CREATE TABLE IF NOT EXISTS " + schema + ".snapshots (collection text NOT NULL, "
                        + "id text NOT NULL, table_name text NOT NULL UNIQUE, dimension int NOT NULL, "
                        + "metric text NOT NULL, m int NOT NULL, ef_construction int NOT NULL, ef_search int NOT NULL, "
                        + "quantization text NOT NULL, created_at timestamptz NOT NULL, point_count bigint NOT NULL, "
                        + "PRIMARY KEY (collection, id))");
            }
            c.commit();
        }
    }

    /**
     * A pooled data source (Agroal) for a JDBC URL.
     *
     * @param user     null to take it from the URL
     * @param password null for none (trust or the URL)
     */
    public static AgroalDataSource pool(String jdbcUrl, String user, String password, int maxSize) throws SQLException {
        Require.that(jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:"),
                "pgvector url must be a jdbc:postgresql: URL, got '" + jdbcUrl + "'");
        return AgroalDataSource.from(new AgroalDataSourceConfigurationSupplier()
                .connectionPoolConfiguration(pool -> pool.maxSize(maxSize).minSize(0).initialSize(0)
                        .acquisitionTimeout(Duration.ofSeconds(10))
                        .validationTimeout(Duration.ofSeconds(30))
                        .connectionFactoryConfiguration(cf -> {
                            cf.jdbcUrl(jdbcUrl).connectionProviderClass(org.postgresql.Driver.class)
                                    .jdbcProperty("ApplicationName", "rag-vector-search")
                                    // Server-side prepared statements from the first use: searches repeat.
                                    .jdbcProperty("prepareThreshold", "1");
                            if (user != null && !user.isBlank()) {
                                cf.principal(new NamePrincipal(user));
                            }
                            if (password != null && !password.isEmpty()) {
                                cf.credential(new SimplePassword(password));
                            }
                            return cf;
                        })));
    }

    private static void ensureExtension(Statement st) throws SQLException {
        try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'vector'")) {
            if (rs.next()) {
                return;
            }
        }
        // Needs a superuser or a database owner where pgvector is trusted; otherwise an operator runs it once.
        st.execute("CREATE EXTENSION IF NOT EXISTS vector");
    }

    @Override
    public String backend() {
        return "pgvector";
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public StoreLimits limits() {
        return limits;
    }

    String schema() {
        return schema;
    }

    DataSource dataSource() {
        return dataSource;
    }

    @Override
    public PgVectorCollection create(CollectionSpec spec) {
        return install(spec, null);
    }

    /** Creates a collection, empty or filled from a snapshot table, in one transaction. */
    private PgVectorCollection install(CollectionSpec spec, String fromSnapshotTable) {
        checkSupported(spec);
        String table = "c_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        PgVectorCollection collection = new PgVectorCollection(this, spec, table);
        inTransaction("creating collection '" + spec.name() + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".collections (name, table_name, "
                    + "dimension, metric, m, ef_construction, ef_search, quantization) VALUES (?,?,?,?,?,?,?,?) "
                    + "ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, spec.name());
                ps.setString(2, table);
                setSpec(ps, 3, spec);
                if (ps.executeUpdate() == 0) {
                    throw ServiceException.alreadyExists("collection '" + spec.name() + "' already exists");
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute(collection.createTableSql());
                if (fromSnapshotTable != null) {
                    // Indexes are built after the copy: one bulk HNSW build is faster than row-by-row inserts.
                    st.execute("INSERT INTO " + collection.qualifiedTable() + " (id, embedding, text, metadata, numbers) "
                            + "SELECT id, embedding, text, metadata, numbers FROM " + schema + "." + fromSnapshotTable);
                }
                for (String index : collection.createIndexSql()) {
                    st.execute(index);
                }
            }
            return null;
        });
        collections.put(spec.name(), collection);
        return collection;
    }

    /** What pgvector cannot index is refused before anything is written. */
    private static void checkSupported(CollectionSpec spec) {
        Require.that(spec.quantization() == Quantization.NONE || spec.quantization() == Quantization.BINARY,
                "the pgvector backend offers quantization none or binary (pgvector has no " + spec.quantization().label()
                        + " index); use the lucene backend for int8 and int4");
        Require.that(spec.quantization() == Quantization.BINARY || spec.dimension() <= MAX_INDEXED_DIMENSION,
                "pgvector indexes vectors of up to " + MAX_INDEXED_DIMENSION + " dimensions, got " + spec.dimension()
                        + "; use quantization binary for more");
        Require.that(spec.efSearch() <= PgVectorCollection.MAX_EF_SEARCH, "pgvector's hnsw.ef_search is at most "
                + PgVectorCollection.MAX_EF_SEARCH + ", got " + spec.efSearch());
    }

    @Override
    public PgVectorCollection get(String name) {
        CollectionSpec.checkName(name);
        PgVectorCollection cached = collections.get(name);
        if (cached != null) {
            return cached;
        }
        PgVectorCollection loaded = inTransaction("reading the catalog", c -> {
            try (PreparedStatement ps = c.prepareStatement(catalogQuery("collections") + " WHERE name = ?")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? fromCatalog(rs, name) : null;
                }
            }
        });
        if (loaded == null) {
            throw ServiceException.notFound("collection '" + name + "' does not exist");
        }
        PgVectorCollection raced = collections.putIfAbsent(name, loaded);
        return raced != null ? raced : loaded;
    }

    @Override
    public List<PgVectorCollection> list() {
        return inTransaction("reading the catalog", c -> {
            List<PgVectorCollection> out = new ArrayList<>();
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery(catalogQuery("collections") + " ORDER BY name")) {
                while (rs.next()) {
                    String name = rs.getString("name");
                    PgVectorCollection cached = collections.get(name);
                    out.add(cached != null && cached.table().equals(rs.getString("table_name")) ? cached
                            : fromCatalog(rs, name));
                }
            }
            return out;
        });
    }

    @Override
    public void delete(String name) {
        CollectionSpec.checkName(name);
        inTransaction("deleting collection '" + name + "'", c -> {
            String table;
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema + ".collections WHERE name = ? "
                    + "RETURNING table_name")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ServiceException.notFound("collection '" + name + "' does not exist");
                    }
                    table = rs.getString(1);
                }
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + schema + "." + table);
            }
            return null;
        });
        collections.remove(name);
    }

    /**
     * Copies the collection's table in one statement ({@code CREATE TABLE AS}), which reads one MVCC snapshot:
     * every transaction committed before it (every acknowledged write) is in, nothing later, no half batch.
     * Writes go on meanwhile; the catalog row is locked FOR SHARE so the collection cannot be dropped under it.
     */
    @Override
    public SnapshotInfo snapshot(String name) {
        CollectionSpec.checkName(name);
        String id = SnapshotInfo.newId(Instant.now());
        String table = "s_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        return inTransaction("snapshot of '" + name + "'", c -> {
            PgVectorCollection live;
            try (PreparedStatement ps = c.prepareStatement(catalogQuery("collections") + " WHERE name = ? FOR SHARE")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    if (!rs.next()) {
                        throw ServiceException.notFound("collection '" + name + "' does not exist");
                    }
                    live = fromCatalog(rs, name);
                }
            }
            long points;
            try (Statement st = c.createStatement()) {
                points = st.executeUpdate("CREATE TABLE " + schema + "." + table + " AS SELECT id, embedding, text, "
                        + "metadata, numbers FROM " + live.qualifiedTable());
            }
            CollectionSpec spec = live.spec();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + schema + ".snapshots (collection, id, "
                    + "table_name, dimension, metric, m, ef_construction, ef_search, quantization, created_at, "
                    + "point_count) VALUES (?,?,?,?,?,?,?,?,?,?,?)")) {
                ps.setString(1, name);
                ps.setString(2, id);
                ps.setString(3, table);
                setSpec(ps, 4, spec);
                ps.setTimestamp(10, java.sql.Timestamp.from(SnapshotInfo.createdAt(id)));
                ps.setLong(11, points);
                ps.executeUpdate();
            }
            return new SnapshotInfo(name, id, SnapshotInfo.createdAt(id), points, relationBytes(c, table));
        });
    }

    @Override
    public List<SnapshotInfo> snapshots(String name) {
        CollectionSpec.checkName(name);
        return inTransaction("listing snapshots of '" + name + "'", c -> {
            List<SnapshotInfo> out = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT id, point_count, table_name FROM " + schema
                    + ".snapshots WHERE collection = ? ORDER BY id")) {
                ps.setString(1, name);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = rs.getString(1);
                        out.add(new SnapshotInfo(name, id, SnapshotInfo.createdAt(id), rs.getLong(2),
                                relationBytes(c, rs.getString(3))));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public PgVectorCollection restore(String name, String snapshotId, String target) {
        CollectionSpec.checkName(target);
        SnapshotRow row = snapshotRow(name, snapshotId);
        CollectionSpec from = row.spec();
        return install(new CollectionSpec(target, from.dimension(), from.metric(), from.m(), from.efConstruction(),
                from.efSearch(), from.quantization()), row.table());
    }

    @Override
    public void deleteSnapshot(String name, String snapshotId) {
        SnapshotRow row = snapshotRow(name, snapshotId);
        inTransaction("deleting snapshot " + snapshotId, c -> {
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + schema + ".snapshots WHERE collection = ? "
                    + "AND id = ?")) {
                ps.setString(1, name);
                ps.setString(2, snapshotId);
                ps.executeUpdate();
            }
            try (Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + schema + "." + row.table());
            }
            return null;
        });
    }

    private record SnapshotRow(CollectionSpec spec, String table) {
    }

    private SnapshotRow snapshotRow(String name, String snapshotId) {
        CollectionSpec.checkName(name);
        SnapshotInfo.checkId(snapshotId);
        SnapshotRow row = inTransaction("reading snapshot " + snapshotId, c -> {
            try (PreparedStatement ps = c.prepareStatement(catalogQuery("snapshots")
                    + " WHERE collection = ? AND id = ?")) {
                ps.setString(1, name);
                ps.setString(2, snapshotId);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next() ? new SnapshotRow(specOf(rs, name), rs.getString("table_name")) : null;
                }
            }
        });
        if (row == null) {
            throw ServiceException.notFound("collection '" + name + "' has no snapshot '" + snapshotId + "'");
        }
        return row;
    }

    /** Forgets a cached collection whose table is gone (dropped by another replica). */
    void evict(PgVectorCollection stale) {
        collections.remove(stale.spec().name(), stale);
    }

    private String catalogQuery(String catalog) {
        return "SELECT * FROM " + schema + "." + catalog;
    }

    private PgVectorCollection fromCatalog(ResultSet rs, String name) throws SQLException {
        return new PgVectorCollection(this, specOf(rs, name), rs.getString("table_name"));
    }

    private static CollectionSpec specOf(ResultSet rs, String name) throws SQLException {
        return new CollectionSpec(name, rs.getInt("dimension"), Metric.valueOf(rs.getString("metric")), rs.getInt("m"),
                rs.getInt("ef_construction"), rs.getInt("ef_search"), Quantization.valueOf(rs.getString("quantization")));
    }

    private static void setSpec(PreparedStatement ps, int first, CollectionSpec spec) throws SQLException {
        ps.setInt(first, spec.dimension());
        ps.setString(first + 1, spec.metric().name());
        ps.setInt(first + 2, spec.m());
        ps.setInt(first + 3, spec.efConstruction());
        ps.setInt(first + 4, spec.efSearch());
        ps.setString(first + 5, spec.quantization().name());
    }

    private long relationBytes(Connection c, String table) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_total_relation_size(to_regclass(?))")) {
            ps.setString(1, schema + "." + table);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0;
            }
        }
    }

    private static String literal(String s) {
        return "'" + s.replace("'", "''") + "'";
    }

    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction and commits it; PostgreSQL's commit returns once the WAL record is
     * flushed (synchronous_commit on, the default), which is what makes an acknowledged write durable.
     */
    <T> T inTransaction(String what, SqlWork<T> work) {
        try (Connection c = dataSource.getConnection()) {
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw translate(what, e);
        }
    }

    private static void rollbackQuietly(Connection c, Exception cause) {
        try {
            c.rollback();
        } catch (SQLException rollback) {
            cause.addSuppressed(rollback);
        }
    }

    /** SQL errors as service errors: unreachable database -> UNAVAILABLE, bad data -> INVALID_ARGUMENT. */
    static ServiceException translate(String what, SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("08") || state.equals("57P01") || state.equals("57P03") || state.equals("53300")) {
            return ServiceException.unavailable(what + ": PostgreSQL is unreachable: " + e.getMessage(), e);
        }
        if (state.startsWith("22")) {
            return new ServiceException(ErrorKind.INVALID_ARGUMENT, what + ": " + e.getMessage(), e);
        }
        if (state.equals("57014")) {
            return new ServiceException(ErrorKind.DEADLINE_EXCEEDED, what + ": statement timed out", e);
        }
        return new ServiceException(ErrorKind.INTERNAL, what + ": PostgreSQL error " + state + ": " + e.getMessage(), e);
    }

    @Override
    public void close() {
        collections.clear();
        if (ownedPool != null) {
            try {
                ownedPool.close();
            } catch (Exception e) {
                // Closing the pool at shutdown; nothing left to do with the error.
            }
        }
    }
}
