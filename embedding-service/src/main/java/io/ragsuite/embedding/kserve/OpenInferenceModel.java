package io.ragsuite.embedding.kserve;

import io.ragsuite.embedding.core.EmbeddingModel;
import io.ragsuite.support.error.Require;
import io.ragsuite.support.error.ServiceException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * How an embedding model looks through the Open Inference Protocol v2 (KServe, Triton), shared by the gRPC
 * and REST adapters: one BYTES input "text" of shape [N] (or [N, 1]) holding UTF-8 texts, one FP32 output
 * "embedding" of shape [N, dimension], and an optional boolean parameter "truncate".
 */
public final class OpenInferenceModel {
    public static final String INPUT = "text";
    public static final String OUTPUT = "embedding";
    public static final String BYTES = "BYTES";
    public static final String FP32 = "FP32";
    public static final String PLATFORM = "onnxruntime_onnx";
    public static final String VERSION = "1";
    public static final String TRUNCATE = "truncate";

    private OpenInferenceModel() {
    }

    public static List<Long> inputShape() {
        return List.of(-1L);
    }

    public static List<Long> outputShape(EmbeddingModel model) {
        return List.of(-1L, (long) model.dimension());
    }

    /** Checks the one input tensor's name, type and shape against the number of texts it holds. */
    public static void checkInput(String name, String datatype, List<Long> shape, int count) {
        Require.that(INPUT.equals(name), "unknown input '" + name + "'; the model's input is '" + INPUT + "'");
        Require.that(BYTES.equals(datatype), "input '" + INPUT + "' has datatype " + datatype + "; expected BYTES");
        boolean ok = shape.size() == 1 && shape.get(0) == count
                || shape.size() == 2 && shape.get(0) == count && shape.get(1) == 1;
        Require.that(ok, "input shape " + shape + " does not match its " + count + " element(s); use [N] or [N, 1]");
    }

    public static void checkOutputs(List<String> requested) {
        for (String name : requested) {
            Require.that(OUTPUT.equals(name), "unknown output '" + name + "'; the model's output is '" + OUTPUT + "'");
        }
    }

    /** FP32 values as little-endian bytes: the v2 raw tensor layout, and OpenAI's base64 payload. */
    public static byte[] littleEndian(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    /** Decodes one BYTES element as UTF-8, refusing malformed input instead of replacing it. */
    public static String utf8(byte[] bytes, int index) {
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes));
            return chars.toString();
        } catch (CharacterCodingException e) {
            throw ServiceException.invalid("input '" + INPUT + "' element " + index + " is not valid UTF-8");
        }
    }

    /** Splits raw BYTES contents: each element is a 4-byte little-endian length and that many bytes. */
    public static List<byte[]> splitRawBytes(ByteBuffer raw) {
        raw = raw.slice().order(ByteOrder.LITTLE_ENDIAN);
        ArrayList<byte[]> out = new ArrayList<>();
        while (raw.hasRemaining()) {
            Require.that(raw.remaining() >= 4, "raw input contents end inside an element length");
            int length = raw.getInt();
            Require.that(length >= 0 && length <= raw.remaining(),
                    "raw input element " + out.size() + " claims " + length + " bytes but " + raw.remaining() + " remain");
            byte[] element = new byte[length];
            raw.get(element);
            out.add(element);
        }
        return out;
    }
}
