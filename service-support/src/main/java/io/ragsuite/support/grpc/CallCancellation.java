package io.ragsuite.support.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * Lets a unary gRPC method see that its caller went away (cancelled the call, or its deadline passed).
 *
 * <p>Why this exists: Quarkus subscribes to a unary method's {@code Uni} and drops the subscription handle,
 * so a cancelled call never cancels the {@code Uni}, and under the Vert.x-based server the method's
 * {@link Context} is not cancelled either. Streams are cancelled as they should be. This interceptor marks
 * each call's context with a flag that the call's {@code onCancel} sets; a method reads it with
 * {@link #ofCurrentCall()} (on the thread it was called on) and polls it where it can stop, e.g. at every
 * generated token.
 */
@ApplicationScoped
@GlobalInterceptor
public class CallCancellation implements ServerInterceptor {
    private static final Context.Key<AtomicBoolean> CANCELLED = Context.key("rag-call-cancelled");

    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        AtomicBoolean cancelled = new AtomicBoolean();
        ServerCall.Listener<Q> listener = Contexts.interceptCall(Context.current().withValue(CANCELLED, cancelled), call,
                headers, next);
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onCancel() {
                cancelled.set(true);
                super.onCancel();
            }
        };
    }

    /** Whether the call being handled on this thread has been cancelled since; false outside a gRPC call. */
    public static BooleanSupplier ofCurrentCall() {
        AtomicBoolean cancelled = CANCELLED.get();
        return cancelled == null ? () -> false : cancelled::get;
    }
}
