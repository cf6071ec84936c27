package io.ragsuite.orchestrator.clients;

import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.ChannelOption;
import io.quarkus.arc.Unremovable;
import io.quarkus.grpc.api.ChannelBuilderCustomizer;
import io.quarkus.grpc.runtime.config.GrpcClientConfiguration;
import io.ragsuite.orchestrator.app.OrchestratorConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Bounds the TCP connect of every stage channel by {@code rag.orchestrator.connect-timeout}, which Quarkus' gRPC
 * client configuration has no key for. Without it Netty waits 30 s: after a stage pod is replaced, a connection
 * opened before the node's Service rules caught up goes to an address nobody answers, and the query hung until its
 * deadline instead of failing over to the retry (seen on deploy/cluster.sh's node; StageConnectTimeoutTest).
 * Quarkus looks the customizers up as {@code ChannelBuilderCustomizer<?>} at channel creation, which build-time
 * bean removal does not see (hence {@code @Unremovable}), and builds every channel of this service with Netty (no
 * in-process channels here).
 */
@ApplicationScoped
@Unremovable
public class StageConnectTimeout implements ChannelBuilderCustomizer<NettyChannelBuilder> {
    private static final Logger LOG = Logger.getLogger(StageConnectTimeout.class);
    private final int connectTimeoutMs;

    public StageConnectTimeout(OrchestratorConfig config) {
        this.connectTimeoutMs = Math.toIntExact(Math.max(1, config.connectTimeout().toMillis()));
    }

    @Override
    public Map<String, Object> customize(String name, GrpcClientConfiguration config, NettyChannelBuilder builder) {
        builder.withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, connectTimeoutMs);
        LOG.debugf("stage channel %s: connect timeout %d ms", name, connectTimeoutMs);
        return Map.of();
    }
}
