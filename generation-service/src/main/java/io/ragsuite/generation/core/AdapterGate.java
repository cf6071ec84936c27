package io.ragsuite.generation.core;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * Lets requests of one adapter group (one LoRA adapter, or the base model) into the engine at a time, taking
 * turns between groups in the order they started waiting.
 *
 * <p>Why: llama.cpp decodes a batch with one set of adapter scales, so its server loop batches a slot only with
 * slots of the same adapter as the first busy slot, in slot order. Left alone, a steady stream of requests for
 * one adapter starves every other adapter (and the base model) for as long as it lasts. Requests of the same
 * group still share decode steps (continuous batching); different groups alternate request by request.
 */
final class AdapterGate {
    private String active;
    private int running;
    private final Deque<Waiter> waiting = new ArrayDeque<>();

    private record Waiter(String group) {
    }

    /**
     * Waits until {@code group} may run; returns false (without entering) when {@code cancelled} turns true.
     *
     * @param group an adapter name, or null for the base model
     */
    synchronized boolean enter(String group, BooleanSupplier cancelled) throws InterruptedException {
        Waiter me = new Waiter(group);
        if (mayEnter(me)) {
            admit(group);
            return true;
        }
        waiting.addLast(me);
        try {
            while (!mayEnter(me)) {
                if (cancelled.getAsBoolean()) {
                    return false;
                }
                wait(50);
            }
            admit(group);
            return true;
        } finally {
            waiting.remove(me);
            notifyAll();
        }
    }

    synchronized void exit() {
        if (--running == 0) {
            active = null;
        }
        notifyAll();
    }

    /** Idle engine: the longest waiter's group goes next; busy: the same group, unless another group waits longer. */
    private boolean mayEnter(Waiter me) {
        Waiter first = waiting.peekFirst();
        if (running == 0) {
            return first == null || first == me || Objects.equals(first.group(), me.group());
        }
        if (!Objects.equals(active, me.group())) {
            return false;
        }
        // Same group as the one running: join it only if no other group has been waiting before us.
        for (Waiter w : waiting) {
            if (w == me) {
                return true;
            }
            if (!Objects.equals(w.group(), me.group())) {
                return false;
            }
        }
        return true;
    }

    private void admit(String group) {
        active = group;
        running++;
    }
}
