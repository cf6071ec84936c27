package io.ragsuite.embedding.kserve;

import com.google.protobuf.ByteString;
import io.quarkus.grpc.GrpcService;
import io.ragsuite.api.kserve.v2.GRPCInferenceService;
import io.ragsuite.api.kserve.v2.InferParameter;
import io.ragsuite.api.kserve.v2.InferTensorContents;
import io.ragsuite.api.kserve.v2.ModelInferRequest;
import io.ragsuite.api.kserve.v2.ModelInferResponse;
import io.ragsuite.api.kserve.v2.ModelMetadataRequest;
import io.ragsuite.api.kserve.v2.ModelMetadataResponse;
import io.ragsuite.api.kserve.v2.ModelReadyRequest;
import io.ragsuite.api.kserve.v2.ModelReadyResponse;
import io.ragsuite.api.kserve.v2.ServerLiveRequest;
import io.ragsuite.api.kserve.v2.ServerLiveResponse;
import io.ragsuite.api.kserve.v2.ServerMetadataRequest;
import io.ragsuite.api.kserve.v2.ServerMetadataResponse;
import io.ragsuite.api.kserve.v2.ServerReadyRequest;
import io.ragsuite.api.kserve.v2.ServerReadyResponse;
import io.ragsuite.embedding.app.EmbeddingMetrics;
import io.ragsuite.embedding.app.ModelLoader;
import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.grpc.GrpcErrors;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * The KServe Open Inference Protocol v2 over gRPC ({@code inference.GRPCInferenceService}), so Triton and
 * KServe clients can use the embedding service as they would any v2 model server.
 */
@GrpcService
public class OpenInferenceGrpcService implements GRPCInferenceService {
    private final ModelLoader loader;
    private final EmbeddingMetrics metrics;

    public OpenInferenceGrpcService(ModelLoader loader, EmbeddingMetrics metrics) {
        this.loader = loader;
        this.metrics = metrics;
    }

    @Override
    public Uni<ServerLiveResponse> serverLive(ServerLiveRequest request) {
        return Uni.createFrom().item(ServerLiveResponse.newBuilder().setLive(true).build());
    }

    @Override
    public Uni<ServerReadyResponse> serverReady(ServerReadyRequest request) {
        return Uni.createFrom().item(ServerReadyResponse.newBuilder().setReady(loader.ready()).build());
    }

    @Override
    public Uni<ModelReadyResponse> modelReady(ModelReadyRequest request) {
        boolean ready = loader.ready() && loader.engine().models().containsKey(request.getName());
        return Uni.createFrom().item(ModelReadyResponse.newBuilder().setReady(ready).build());
    }

    @Override
    public Uni<ServerMetadataResponse> serverMetadata(ServerMetadataRequest request) {
        return Uni.createFrom().item(ServerMetadataResponse.newBuilder().setName("rag-embedding-service")
                .setVersion(getClass().getPackage().getImplementationVersion() == null ? "dev"
                        : getClass().getPackage().getImplementationVersion())
                .build());
    }

    @Override
    public Uni<ModelMetadataResponse> modelMetadata(ModelMetadataRequest request) {
        return Uni.createFrom().item(() -> {
            EmbeddingModel model = loader.engine().model(Require.nonBlank(request.getName(), "name"));
            return ModelMetadataResponse.newBuilder().setName(model.spec().name())
                    .addVersions(OpenInferenceModel.VERSION).setPlatform(OpenInferenceModel.PLATFORM)
                    .addInputs(ModelMetadataResponse.TensorMetadata.newBuilder().setName(OpenInferenceModel.INPUT)
                            .setDatatype(OpenInferenceModel.BYTES).addAllShape(OpenInferenceModel.inputShape()))
                    .addOutputs(ModelMetadataResponse.TensorMetadata.newBuilder().setName(OpenInferenceModel.OUTPUT)
                            .setDatatype(OpenInferenceModel.FP32).addAllShape(OpenInferenceModel.outputShape(model)))
                    .build();
        }).onFailure().transform(GrpcErrors::toStatus);
    }

    @Override
    public Uni<ModelInferResponse> modelInfer(ModelInferRequest request) {
        return Uni.createFrom().deferred(() -> {
            Require.that(request.getInputsCount() == 1, "the model takes exactly one input, '" + OpenInferenceModel.INPUT
                    + "'; got " + request.getInputsCount());
            ModelInferRequest.InferInputTensor input = request.getInputs(0);
            boolean raw = request.getRawInputContentsCount() > 0;
            List<byte[]> elements;
            if (raw) {
                Require.that(request.getRawInputContentsCount() == 1 && !input.hasContents(),
                        "use either raw_input_contents or contents, with one entry per input");
                elements = OpenInferenceModel.splitRawBytes(request.getRawInputContents(0).asReadOnlyByteBuffer());
            } else {
                elements = input.getContents().getBytesContentsList().stream().map(ByteString::toByteArray).toList();
            }
            OpenInferenceModel.checkInput(input.getName(), input.getDatatype(), input.getShapeList(), elements.size());
            OpenInferenceModel.checkOutputs(request.getOutputsList().stream()
                    .map(ModelInferRequest.InferRequestedOutputTensor::getName).toList());
            List<String> texts = new ArrayList<>(elements.size());
            for (int i = 0; i < elements.size(); i++) {
                texts.add(OpenInferenceModel.utf8(elements.get(i), i));
            }
            InferParameter truncate = request.getParametersOrDefault(OpenInferenceModel.TRUNCATE,
                    InferParameter.getDefaultInstance());
            return Uni.createFrom().completionStage(loader.engine().embed(texts, request.getModelName(),
                    truncate.getBoolParam())).map(result -> {
                        metrics.record("kserve-grpc", result);
                        ModelInferResponse.InferOutputTensor.Builder out = ModelInferResponse.InferOutputTensor.newBuilder()
                                .setName(OpenInferenceModel.OUTPUT).setDatatype(OpenInferenceModel.FP32)
                                .addShape(result.vectors().length).addShape(result.dimension());
                        ModelInferResponse.Builder response = ModelInferResponse.newBuilder()
                                .setModelName(result.model()).setModelVersion(OpenInferenceModel.VERSION)
                                .setId(request.getId());
                        float[] flat = result.flattened();
                        if (raw) {
                            // Answer in the form the client used: raw in, raw out (what tritonclient expects).
                            response.addOutputs(out).addRawOutputContents(
                                    ByteString.copyFrom(OpenInferenceModel.littleEndian(flat)));
                        } else {
                            InferTensorContents.Builder contents = InferTensorContents.newBuilder();
                            for (float x : flat) {
                                contents.addFp32Contents(x);
                            }
                            response.addOutputs(out.setContents(contents));
                        }
                        return response.build();
                    });
        }).onFailure().transform(GrpcErrors::toStatus);
    }
}
