package io.ragsuite.orchestrator.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import io.ragsuite.orchestrator.security.ApiKeys;
import io.ragsuite.orchestrator.security.RateLimiter;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.rest.Problem;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Applies API keys and rate limits to every public call: REST (a filter ahead of every route) and gRPC (a global
 * interceptor). Left open: {@code /q/*} (health, metrics, OpenAPI) and the gRPC health and reflection services,
 * which probes and tools call without keys. Refusals: 401 problem+json with {@code WWW-Authenticate} /
 * UNAUTHENTICATED, 429 with {@code Retry-After} / RESOURCE_EXHAUSTED.
 */
@ApplicationScoped
public class ApiAccess implements ServerInterceptor {
    private static final Logger LOG = Logger.getLogger(ApiAccess.class);
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> API_KEY = Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

    private final ApiKeys keys;
    private final RateLimiter limiter;
    private final ObjectMapper json;

    public ApiAccess(OrchestratorConfig config, ObjectMapper json) {
        this.json = json;
        OrchestratorConfig.Auth auth = config.auth();
        this.limiter = new RateLimiter(auth.requestsPerMinute(), auth.burst());
        switch (auth.mode().strip().toLowerCase(Locale.ROOT)) {
            case "off" -> this.keys = null;
            case "api-key" -> {
                var file = auth.keysFile().orElseThrow(() -> new IllegalArgumentException(
                        "rag.orchestrator.auth.mode=api-key needs rag.orchestrator.auth.keys-file (RAG_ORCHESTRATOR_AUTH_KEYS_FILE)"));
                try {
                    this.keys = ApiKeys.load(file);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read the API keys file " + file, e);
                }
                LOG.infof("API keys required on every public endpoint (%d keys)", keys.size());
            }
            default -> throw new IllegalArgumentException("rag.orchestrator.auth.mode must be off or api-key, got '"
                    + auth.mode() + "'");
        }
    }

    /** Who is calling, or null when a key is required and missing or unknown. */
    private String caller(String authorization, String apiKey, String address) {
        if (keys == null) {
            return "address " + address;
        }
        String presented = apiKey;
        if (presented == null && authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            presented = authorization.substring(7).strip();
        }
        return keys.identify(presented).map(name -> "key " + name).orElse(null);
    }

    void register(@Observes Router router) {
        router.route().order(-100).handler(this::filter);
    }

    private void filter(RoutingContext ctx) {
        String path = ctx.normalizedPath();
        String type = ctx.request().getHeader("content-type");
        if (path.startsWith("/q/") || (type != null && type.startsWith("application/grpc"))) {
            ctx.next();
            return;
        }
        String caller = caller(ctx.request().getHeader("authorization"), ctx.request().getHeader("x-api-key"),
                String.valueOf(ctx.request().remoteAddress() == null ? "unknown" : ctx.request().remoteAddress().hostAddress()));
        if (caller == null) {
            refuse(ctx, ErrorKind.UNAUTHENTICATED, "an API key is required: send 'Authorization: Bearer <key>'", 0);
            return;
        }
        long wait = limiter.tryAcquire(caller);
        if (wait > 0) {
            refuse(ctx, ErrorKind.RESOURCE_EXHAUSTED, "rate limit reached for this caller; retry in " + wait + " s", wait);
            return;
        }
        ctx.next();
    }

    private void refuse(RoutingContext ctx, ErrorKind kind, String detail, long retryAfter) {
        var response = ctx.response().setStatusCode(kind.httpStatus()).putHeader("content-type", Problem.MEDIA_TYPE);
        if (kind == ErrorKind.UNAUTHENTICATED) {
            response.putHeader("www-authenticate", "Bearer");
        }
        if (retryAfter > 0) {
            response.putHeader("retry-after", Long.toString(retryAfter));
        }
        try {
            response.end(json.writeValueAsString(Problem.of(kind, detail)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
        String service = call.getMethodDescriptor().getServiceName();
        if (service == null || service.startsWith("grpc.health.") || service.startsWith("grpc.reflection.")) {
            return next.startCall(call, headers);
        }
        var address = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        String caller = caller(headers.get(AUTHORIZATION), headers.get(API_KEY), String.valueOf(address));
        if (caller == null) {
            call.close(Status.UNAUTHENTICATED.withDescription("an API key is required: metadata 'authorization: Bearer <key>'"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        long wait = limiter.tryAcquire(caller);
        if (wait > 0) {
            call.close(Status.RESOURCE_EXHAUSTED.withDescription("rate limit reached for this caller; retry in " + wait + " s"),
                    new Metadata());
            return new ServerCall.Listener<>() {
            };
        }
        return next.startCall(call, headers);
    }

    /** The interceptor as Quarkus' gRPC server picks it up for every service. */
    @ApplicationScoped
    @GlobalInterceptor
    public static class Grpc implements ServerInterceptor {
        private final ApiAccess access;

        public Grpc(ApiAccess access) {
            this.access = access;
        }

        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                ServerCallHandler<Q, A> next) {
            return access.interceptCall(call, headers, next);
        }
    }
}
