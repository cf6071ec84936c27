/**
 * Who may call the orchestrator and how often: API keys stored hashed ({@link io.ragsuite.orchestrator.security.ApiKeys})
 * and a token bucket per key ({@link io.ragsuite.orchestrator.security.RateLimiter}). No Quarkus types; the HTTP
 * filter and the gRPC interceptor in {@code app/ApiAccess} apply them. The stage services are internal (reached only
 * by the orchestrator, which the NetworkPolicies enforce) and take no keys.
 */
package io.ragsuite.orchestrator.security;
