package io.segstream.inference;

/**
 * One loaded copy of the model.
 *
 * @param id unique within the pool, e.g. {@code cpu#0} or {@code gpu:1#2}
 * @param device where it runs: {@code cpu} or {@code gpu:N}
 * @param backend what runs its batches
 */
public record ModelInstance(String id, String device, BatchBackend backend) {}
