package io.ragsuite.support.grpc;

import java.util.List;

/** Protobuf's {@code repeated float} arrives as a boxed list; engines want a primitive array. */
public final class ProtoFloats {
    private ProtoFloats() {
    }

    public static float[] toArray(List<Float> values) {
        float[] out = new float[values.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = values.get(i);
        }
        return out;
    }
}
