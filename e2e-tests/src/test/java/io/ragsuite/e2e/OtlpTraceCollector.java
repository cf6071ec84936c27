package io.ragsuite.e2e;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * A minimal OTLP/HTTP trace receiver ({@code POST /v1/traces}, protobuf), standing in for an OpenTelemetry
 * collector: it keeps every span the services export, with the service that sent it.
 */
final class OtlpTraceCollector implements AutoCloseable {
    /** One received span; ids in lower-case hex, parentSpanId "" for a root span. */
    record ReceivedSpan(String service, String name, String kind, String traceId, String spanId, String parentSpanId) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new ArrayList<>();
    private final List<String> errors = new ArrayList<>();
    private volatile int requests;

    OtlpTraceCollector() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                requests++;
                InputStream body = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    body = new GZIPInputStream(body);
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(body);
                keep(request);
                byte[] reply = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, reply.length);
                exchange.getResponseBody().write(reply);
            } catch (IOException | RuntimeException e) {
                synchronized (this) {
                    errors.add(e.toString());
                }
                throw e;
            }
        });
        server.start();
    }

    /** The endpoint to give the services (RAG_OTEL_ENDPOINT with RAG_OTEL_PROTOCOL=http/protobuf). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private synchronized void keep(ExportTraceServiceRequest request) {
        HexFormat hex = HexFormat.of();
        for (ResourceSpans resource : request.getResourceSpansList()) {
            String service = resource.getResource().getAttributesList().stream()
                    .filter(a -> a.getKey().equals("service.name")).map(KeyValue::getValue)
                    .map(v -> v.getStringValue()).findFirst().orElse("?");
            for (ScopeSpans scope : resource.getScopeSpansList()) {
                scope.getSpansList().forEach(s -> spans.add(new ReceivedSpan(service, s.getName(), s.getKind().name(),
                        hex.formatHex(s.getTraceId().toByteArray()), hex.formatHex(s.getSpanId().toByteArray()),
                        hex.formatHex(s.getParentSpanId().toByteArray()))));
            }
        }
    }

    synchronized List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    /** What arrived, for failure messages. */
    synchronized String summary() {
        return requests + " export requests, " + spans.size() + " spans in "
                + spans.stream().map(ReceivedSpan::traceId).distinct().count() + " traces, errors: " + errors + "; all spans:\n    "
                + String.join("\n    ", spans.stream().map(ReceivedSpan::toString).toList());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
