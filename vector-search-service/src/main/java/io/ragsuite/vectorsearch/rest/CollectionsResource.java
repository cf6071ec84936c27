package io.ragsuite.vectorsearch.rest;

import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.vectorsearch.app.StoreHolder;
import io.ragsuite.vectorsearch.core.CollectionSpec;
import io.ragsuite.vectorsearch.core.VectorStore;
import io.ragsuite.vectorsearch.core.ScrollPage;
import io.ragsuite.vectorsearch.core.VectorCollection;
import io.ragsuite.vectorsearch.core.MetadataFilter;
import io.ragsuite.vectorsearch.core.Metric;
import io.ragsuite.vectorsearch.core.Point;
import io.ragsuite.vectorsearch.core.Quantization;
import io.ragsuite.vectorsearch.core.RankFusion;
import io.ragsuite.vectorsearch.core.SearchQuery;
import io.ragsuite.vectorsearch.core.SnapshotInfo;
import io.ragsuite.vectorsearch.core.ScoredPoint;
import io.smallrye.common.annotation.Blocking;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** REST adapter of the vector store, with the same semantics as gRPC {@code rag.v1.VectorSearchService}. */
@Path("/v1/collections")
@Consumes(MediaType.APPLICATION_JSON)
@Produces(MediaType.APPLICATION_JSON)
@Blocking
public class CollectionsResource {
    private final StoreHolder holder;

    public CollectionsResource(StoreHolder holder) {
        this.holder = holder;
    }

    public record Hnsw(int m, int efConstruction, int efSearch) {
    }

    /** {@code quantization}: none (default), int8, int4 or binary. */
    public record CreateBody(String name, int dimension, String metric, Hnsw hnsw, String quantization) {
    }

    public record CollectionReply(String name, int dimension, String metric, Hnsw hnsw, String quantization,
            long pointCount) {
        static CollectionReply of(VectorCollection c) {
            CollectionSpec s = c.spec();
            return new CollectionReply(s.name(), s.dimension(), s.metric().name().toLowerCase(Locale.ROOT),
                    new Hnsw(s.m(), s.efConstruction(), s.efSearch()), s.quantization().label(), c.count());
        }
    }

    public record PointBody(String id, float[] vector, String text, Map<String, String> metadata) {
        Point toPoint() {
            return new Point(id, vector, text, metadata);
        }

        static PointBody of(Point p) {
            return new PointBody(p.id(), p.vector(), p.text(), p.metadata());
        }
    }

    public record MatchBody(String key, List<String> anyOf) {
    }

    public record RangeBody(String key, Double gte, Double gt, Double lte, Double lt) {
    }

    public record ConditionBody(MatchBody match, FilterBody filter, RangeBody range) {
        MetadataFilter toFilter() {
            Require.that((match != null ? 1 : 0) + (filter != null ? 1 : 0) + (range != null ? 1 : 0) == 1,
                    "a filter condition must set exactly one of 'match', 'range' and 'filter'");
            if (range != null) {
                return new MetadataFilter.Range(range.key(), range.gte(), range.gt(), range.lte(), range.lt());
            }
            if (match != null) {
                List<String> values = match.anyOf() == null ? List.of() : match.anyOf();
                Require.that(!values.contains(null), "match.any_of must not hold null");
                return new MetadataFilter.Match(match.key(), new LinkedHashSet<>(values));
            }
            return filter.toFilter();
        }
    }

    public record FilterBody(List<ConditionBody> must, List<ConditionBody> should, List<ConditionBody> mustNot) {
        MetadataFilter toFilter() {
            return new MetadataFilter.Bool(map(must), map(should), map(mustNot));
        }

        private static List<MetadataFilter> map(List<ConditionBody> conditions) {
            if (conditions == null) {
                return List.of();
            }
            Require.that(!conditions.contains(null), "filter conditions must not be null");
            return conditions.stream().map(ConditionBody::toFilter).toList();
        }
    }

    public record CountBody(FilterBody filter) {
    }

    public record ScrollBody(FilterBody filter, int limit, String pageToken, Boolean withVectors) {
    }

    public record ScrollReply(List<PointBody> points, String nextPageToken) {
    }

    public record UpsertBody(List<PointBody> points) {
    }

    public record IdsBody(List<String> ids, Boolean withVectors, FilterBody filter) {
    }

    /**
     * {@code mode}: dense, bm25 or hybrid; omitted, it follows from which of vector and text are given.
     * {@code fusion} (hybrid): rrf (default), relative_score or dbsf.
     */
    public record SearchBody(float[] vector, String text, int topK, FilterBody filter, Boolean withVectors,
            int efSearch, Float minScore, String mode, float denseWeight, float bm25Weight, String fusion) {
        SearchQuery toQuery() {
            SearchQuery.Mode m = null;
            if (mode != null) {
                try {
                    m = SearchQuery.Mode.valueOf(mode.strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw ServiceException.invalid("mode must be one of dense, bm25, hybrid; got '" + mode + "'");
                }
            }
            RankFusion.Fusion f = null;
            if (fusion != null) {
                try {
                    f = RankFusion.Fusion.valueOf(fusion.strip().toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw ServiceException.invalid("fusion must be one of rrf, relative_score, dbsf; got '" + fusion + "'");
                }
            }
            return new SearchQuery(vector, text, topK, filter == null ? null : filter.toFilter(),
                    Boolean.TRUE.equals(withVectors), efSearch, minScore, m, denseWeight, bm25Weight, f);
        }
    }

    public record Hit(String id, float score, String text, Map<String, String> metadata, float[] vector) {
        static Hit of(ScoredPoint sp) {
            Point p = sp.point();
            return new Hit(p.id(), sp.score(), p.text(), p.metadata(), p.vector());
        }
    }

    private VectorStore store() {
        return holder.store();
    }

    private static <T> T body(T body) {
        Require.that(body != null, "request body is required");
        return body;
    }

    @POST
    public Response create(CreateBody body) {
        body(body);
        Metric metric;
        try {
            metric = body.metric() == null ? Metric.COSINE : Metric.valueOf(body.metric().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ServiceException.invalid("metric must be one of cosine, dot, l2; got '" + body.metric() + "'");
        }
        Hnsw hnsw = body.hnsw() == null ? new Hnsw(0, 0, 0) : body.hnsw();
        CollectionSpec spec = CollectionSpec.of(body.name(), body.dimension(), metric, hnsw.m(), hnsw.efConstruction(),
                hnsw.efSearch(), Quantization.parse(body.quantization()), store().limits().maxDimension());
        return Response.status(Response.Status.CREATED).entity(CollectionReply.of(store().create(spec))).build();
    }

    @GET
    public Map<String, List<CollectionReply>> list() {
        return Map.of("collections", store().list().stream().map(CollectionReply::of).toList());
    }

    @GET
    @Path("/{name}")
    public CollectionReply get(@PathParam("name") String name) {
        return CollectionReply.of(store().get(name));
    }

    @DELETE
    @Path("/{name}")
    public Response delete(@PathParam("name") String name) {
        store().delete(name);
        return Response.noContent().build();
    }

    @PUT
    @Path("/{name}/points")
    public Map<String, Integer> upsert(@PathParam("name") String name, UpsertBody body) {
        VectorCollection c = store().get(name);
        List<PointBody> points = body(body).points() == null ? List.of() : body.points();
        Require.that(!points.contains(null), "points must not hold null");
        return Map.of("upserted", c.upsert(points.stream().map(PointBody::toPoint).toList()));
    }

    @POST
    @Path("/{name}/points/get")
    public Map<String, List<PointBody>> getPoints(@PathParam("name") String name, IdsBody body) {
        VectorCollection c = store().get(name);
        return Map.of("points", c.get(body(body).ids(), Boolean.TRUE.equals(body.withVectors())).stream()
                .map(PointBody::of).toList());
    }

    @POST
    @Path("/{name}/points/delete")
    public Map<String, Long> deletePoints(@PathParam("name") String name, IdsBody body) {
        VectorCollection c = store().get(name);
        boolean hasIds = body(body).ids() != null && !body.ids().isEmpty();
        Require.that(hasIds ^ body.filter() != null, "set exactly one of 'ids' and 'filter'");
        long n = hasIds ? c.deleteIds(body.ids()) : c.deleteMatching(body.filter().toFilter());
        return Map.of("deleted", n);
    }

    @POST
    @Path("/{name}/points/count")
    public Map<String, Long> count(@PathParam("name") String name, CountBody body) {
        VectorCollection c = store().get(name);
        return Map.of("count", c.count(body == null || body.filter() == null ? null : body.filter().toFilter()));
    }

    @POST
    @Path("/{name}/points/scroll")
    public ScrollReply scroll(@PathParam("name") String name, ScrollBody body) {
        VectorCollection c = store().get(name);
        ScrollBody b = body == null ? new ScrollBody(null, 0, null, null) : body;
        ScrollPage page = c.scroll(b.filter() == null ? null : b.filter().toFilter(), b.limit(),
                b.pageToken(), Boolean.TRUE.equals(b.withVectors()));
        return new ScrollReply(page.points().stream().map(PointBody::of).toList(), page.nextAfterId());
    }

    public record RestoreBody(String collection) {
    }

    @POST
    @Path("/{name}/snapshots")
    @Consumes(MediaType.WILDCARD) // no body: a bare POST must work
    public Response createSnapshot(@PathParam("name") String name) {
        return Response.status(Response.Status.CREATED).entity(store().snapshot(name)).build();
    }

    @GET
    @Path("/{name}/snapshots")
    public Map<String, List<SnapshotInfo>> listSnapshots(@PathParam("name") String name) {
        return Map.of("snapshots", store().snapshots(name));
    }

    /** Creates collection {@code body.collection} from the snapshot. */
    @POST
    @Path("/{name}/snapshots/{snapshot}/restore")
    public Response restoreSnapshot(@PathParam("name") String name, @PathParam("snapshot") String snapshot,
            RestoreBody body) {
        VectorCollection restored = store().restore(name, snapshot, body(body).collection());
        return Response.status(Response.Status.CREATED).entity(CollectionReply.of(restored)).build();
    }

    @DELETE
    @Path("/{name}/snapshots/{snapshot}")
    public Response deleteSnapshot(@PathParam("name") String name, @PathParam("snapshot") String snapshot) {
        store().deleteSnapshot(name, snapshot);
        return Response.noContent().build();
    }

    /** Compacts the collection after a bulk load (see the Optimize RPC). */
    @POST
    @Path("/{name}/optimize")
    @Consumes(MediaType.WILDCARD) // no body: a bare POST must work
    public VectorCollection.Optimized optimize(@PathParam("name") String name) {
        return store().get(name).optimize();
    }

    @POST
    @Path("/{name}/search")
    public Map<String, List<Hit>> search(@PathParam("name") String name, SearchBody body) {
        VectorCollection c = store().get(name);
        body(body);
        var hits = c.search(body.toQuery());
        return Map.of("results", hits.stream().map(Hit::of).toList());
    }
}
