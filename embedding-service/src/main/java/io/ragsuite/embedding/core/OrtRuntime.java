package io.ragsuite.embedding.core;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtProvider;
import ai.onnxruntime.OrtSession;
import java.util.Locale;

/**
 * How ONNX Runtime runs a model: intra-op threads and the execution provider.
 *
 * <p>CUDA needs the {@code onnxruntime_gpu} build of ONNX Runtime (Maven profile {@code gpu}), an NVIDIA
 * driver, CUDA 12 and cuDNN 9. When any of that is missing, {@link #configure} falls back to the CPU
 * provider and says why, unless {@code fallbackToCpu} is false: a GPU deployment that must never run on
 * CPU by accident never becomes ready instead (the model fails to load, with the reason).
 *
 * @param threads       intra-op threads; 0 lets ONNX Runtime choose (one per physical core)
 * @param provider      the execution provider asked for
 * @param cudaDeviceId  which GPU, for {@link ExecutionProvider#CUDA}
 * @param fallbackToCpu run on CPU when the requested provider cannot be used
 */
public record OrtRuntime(int threads, ExecutionProvider provider, int cudaDeviceId, boolean fallbackToCpu) {
    public static final OrtRuntime CPU = new OrtRuntime(0, ExecutionProvider.CPU, 0, true);

    public OrtRuntime {
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be >= 0, got " + threads);
        }
        if (cudaDeviceId < 0) {
            throw new IllegalArgumentException("CUDA device id must be >= 0, got " + cudaDeviceId);
        }
    }

    /** Execution providers this service knows how to configure. */
    public enum ExecutionProvider {
        CPU, CUDA;

        /** Parses a config value such as "cpu" or "CUDA". */
        public static ExecutionProvider parse(String value) {
            try {
                return valueOf(value.strip().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown execution provider '" + value + "'; known: cpu, cuda");
            }
        }

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * What {@link #configure} chose.
     *
     * @param requested      the provider asked for
     * @param active         the provider the session runs on
     * @param fallbackReason why {@code active} differs from {@code requested}; null when it does not
     */
    public record ProviderChoice(ExecutionProvider requested, ExecutionProvider active, String fallbackReason) {
        public boolean fellBack() {
            return fallbackReason != null;
        }
    }

    /** Applies threads and provider to {@code options}. */
    public ProviderChoice configure(OrtSession.SessionOptions options) throws OrtException {
        if (threads > 0) {
            options.setIntraOpNumThreads(threads);
        }
        if (provider == ExecutionProvider.CPU) {
            return new ProviderChoice(provider, ExecutionProvider.CPU, null);
        }
        String reason;
        if (!OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA)) {
            reason = "this ONNX Runtime build has no CUDA provider (available: "
                    + OrtEnvironment.getAvailableProviders() + "); build the GPU variant with -Pgpu";
        } else {
            try {
                options.addCUDA(cudaDeviceId);
                return new ProviderChoice(provider, ExecutionProvider.CUDA, null);
            } catch (OrtException | RuntimeException | LinkageError e) {
                // Typically libcudart / libcudnn missing or no device: the provider library exists but
                // cannot start.
                reason = "CUDA provider failed to start on device " + cudaDeviceId + ": " + e.getMessage();
            }
        }
        if (!fallbackToCpu) {
            throw new IllegalStateException("execution provider " + provider.label()
                    + " requested and CPU fallback is disabled: " + reason);
        }
        return new ProviderChoice(provider, ExecutionProvider.CPU, reason);
    }
}
