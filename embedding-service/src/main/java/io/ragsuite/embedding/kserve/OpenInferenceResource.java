package io.ragsuite.embedding.kserve;

import io.ragsuite.embedding.app.EmbeddingMetrics;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.support.error.ErrorKind;
import io.ragsuite.support.error.Failures;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import io.ragsuite.support.rest.Problem;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The KServe Open Inference Protocol v2 over REST ({@code /v2/...}), JSON tensors only (the binary-data
 * extension is not supported). Errors carry the spec's {@code "error"} field beside the problem+json ones.
 */
@Path("/v2")
@Produces(MediaType.APPLICATION_JSON)
public class OpenInferenceResource {
    private final ModelLoader loader;
    private final EmbeddingMetrics metrics;

    public OpenInferenceResource(ModelLoader loader, EmbeddingMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    public record TensorMetadata(String name, String datatype, List<Long> shape) {
    }

    public record ModelMetadata(String name, List<String> versions, String platform, List<TensorMetadata> inputs,
            List<TensorMetadata> outputs) {
    }

    public record InputTensor(String name, List<Long> shape, String datatype, Map<String, Object> parameters,
            List<Object> data) {
    }

    public record RequestedOutput(String name, Map<String, Object> parameters) {
    }

    public record InferBody(String id, Map<String, Object> parameters, List<InputTensor> inputs,
            List<RequestedOutput> outputs) {
    }

    public record OutputTensor(String name, String datatype, List<Long> shape, float[] data) {
    }

    public record InferReply(String modelName, String modelVersion, String id, List<OutputTensor> outputs) {
    }

    /** problem+json with the v2 spec's "error" field, which v2 clients read. */
    public record V2Problem(String type, String title, int status, String detail, String error) {
    }

    @ServerExceptionMapper
    public Response mapServiceException(ServiceException e) {
        Problem p = Problem.of(e.kind(), e.getMessage());
        return Response.status(p.status()).type(Problem.MEDIA_TYPE)
                .entity(new V2Problem(p.type(), p.title(), p.status(), p.detail(), p.detail())).build();
    }

    @ServerExceptionMapper
    public Response mapCompletion(CompletionException e) {
        return Failures.unwrap(e) instanceof ServiceException se ? mapServiceException(se)
                : mapServiceException(new ServiceException(ErrorKind.INTERNAL, "the server failed to process the request"));
    }

    @GET
    public Map<String, Object> serverMetadata() {
        return Map.of("name", "rag-embedding-service", "version", "1", "extensions", List.of());
    }

    @GET
    @Path("/health/live")
    public Map<String, Boolean> live() {
        return Map.of("live", true);
    }

    @GET
    @Path("/health/ready")
    public Response ready() {
        return Response.status(loader.ready() ? 200 : 503).entity(Map.of("ready", loader.ready())).build();
    }

    @GET
    @Path("/models/{name}")
    public ModelMetadata modelMetadata(@PathParam("name") String name) {
        EmbeddingModel model = loader.engine().model(name);
        return new ModelMetadata(model.spec().name(), List.of(OpenInferenceModel.VERSION), OpenInferenceModel.PLATFORM,
                List.of(new TensorMetadata(OpenInferenceModel.INPUT, OpenInferenceModel.BYTES, OpenInferenceModel.inputShape())),
                List.of(new TensorMetadata(OpenInferenceModel.OUTPUT, OpenInferenceModel.FP32,
                        OpenInferenceModel.outputShape(model))));
    }

    @GET
    @Path("/models/{name}/ready")
    public Response modelReady(@PathParam("name") String name) {
        boolean ready = loader.ready() && loader.engine().models().containsKey(name);
        return Response.status(ready ? 200 : loader.ready() ? 404 : 503).entity(Map.of("name", name, "ready", ready))
                .build();
    }

    @POST
    @Path("/models/{name}/infer")
    @Consumes(MediaType.APPLICATION_JSON)
    public Uni<InferReply> infer(@PathParam("name") String name, InferBody body) {
        Require.that(body != null, "request body is required");
        Require.that(body.inputs() != null && body.inputs().size() == 1,
                "the model takes exactly one input, '" + OpenInferenceModel.INPUT + "'");
        InputTensor input = body.inputs().get(0);
        List<Object> data = input.data() == null ? List.of() : input.data();
        OpenInferenceModel.checkInput(input.name(), input.datatype(), input.shape() == null ? List.of() : input.shape(),
                data.size());
        if (body.outputs() != null) {
            OpenInferenceModel.checkOutputs(body.outputs().stream().map(RequestedOutput::name).toList());
        }
        List<String> texts = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            Require.that(data.get(i) instanceof String, "input '" + OpenInferenceModel.INPUT + "' element " + i
                    + " must be a string");
            // JSON strings are already Unicode; the round trip rejects lone surrogates the way UTF-8 decoding would.
            String text = (String) data.get(i);
            texts.add(OpenInferenceModel.utf8(text.getBytes(StandardCharsets.UTF_8), i));
        }
        boolean truncate = body.parameters() != null && Boolean.TRUE.equals(body.parameters().get(OpenInferenceModel.TRUNCATE));
        return Uni.createFrom().completionStage(loader.engine().embed(texts, name, truncate)).map(result -> {
            metrics.record("kserve-rest", result);
            return new InferReply(result.model(), OpenInferenceModel.VERSION, body.id(),
                    List.of(new OutputTensor(OpenInferenceModel.OUTPUT, OpenInferenceModel.FP32,
                            List.of((long) result.vectors().length, (long) result.dimension()), result.flattened())));
        });
    }
}
