/**
 * gRPC clients of the three stage services, implementing the pipeline's ports. Each client maps the
 * stage's status codes back into the suite's error kinds ({@code GrpcErrors.fromStatus}), so a caller of
 * the orchestrator sees, say, INVALID_ARGUMENT from the embedding stage as INVALID_ARGUMENT with the stage
 * named in the message, and an unreachable stage as UNAVAILABLE.
 */
package io.ragsuite.orchestrator.clients;
