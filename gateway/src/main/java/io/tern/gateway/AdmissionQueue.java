package io.tern.gateway;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Bounds the work in the gateway: at most {@code tern.gateway.max-concurrent} requests generate at
 * once and at most {@code tern.gateway.max-queued} wait; a request beyond that is refused at once
 * with RESOURCE_EXHAUSTED (HTTP 429).
 */
@ApplicationScoped
public class AdmissionQueue {

    @Inject
    GatewayConfig config;

    private int maxConcurrent;
    private int maxQueued;
    private int running;
    private int waiting;

    /** A place in the gateway: admitted to run, or waiting for a slot. */
    public final class Ticket {
        private boolean admitted;
        private boolean left;

        private Ticket(boolean admitted) {
            this.admitted = admitted;
        }

        /** Waits for a run slot; interruption (cancellation) gives up the place in the queue. */
        public void awaitTurn() throws InterruptedException {
            synchronized (AdmissionQueue.this) {
                if (admitted) {
                    return;
                }
                try {
                    while (running >= maxConcurrent) {
                        AdmissionQueue.this.wait();
                    }
                } catch (InterruptedException e) {
                    waiting--;
                    left = true;
                    throw e;
                }
                waiting--;
                running++;
                admitted = true;
            }
        }

        /** Frees the run slot (or the queue place); idempotent. */
        public void leave() {
            synchronized (AdmissionQueue.this) {
                if (left) {
                    return;
                }
                left = true;
                if (admitted) {
                    running--;
                    AdmissionQueue.this.notifyAll();
                } else {
                    waiting--;
                }
            }
        }
    }

    @PostConstruct
    void init() {
        maxConcurrent = Math.max(1, config.maxConcurrent());
        maxQueued = Math.max(0, config.maxQueued());
    }

    public synchronized Ticket enter() {
        if (running < maxConcurrent && waiting == 0) {
            running++;
            return new Ticket(true);
        }
        if (waiting >= maxQueued) {
            throw new GatewayException(GatewayException.Kind.RESOURCE_EXHAUSTED, "the gateway is full: " + running
                    + " requests running and " + waiting + " waiting (tern.gateway.max-concurrent=" + maxConcurrent
                    + ", max-queued=" + maxQueued + "); retry later");
        }
        waiting++;
        return new Ticket(false);
    }

    public synchronized int running() {
        return running;
    }

    public synchronized int waiting() {
        return waiting;
    }
}
