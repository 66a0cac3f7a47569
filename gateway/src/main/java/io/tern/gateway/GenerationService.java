package io.tern.gateway;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Runs generation requests for every API: validate and tokenize, take a place in the queue (both
 * at once, so refusals reach the caller before any output), then on a virtual thread wait for a
 * slot, pick the least-loaded pipeline, run the {@link InferenceLoop}, release the sequence on its
 * workers, and write the request-log record and metrics.
 */
@ApplicationScoped
public class GenerationService {

    private static final Logger LOG = Logger.getLogger(GenerationService.class);

    @Inject
    GatewayConfig config;

    @Inject
    RequestValidator validator;

    @Inject
    AdmissionQueue queue;

    @Inject
    PipelineRegistry registry;

    @Inject
    RequestLog requestLog;

    @Inject
    GatewayMetrics metrics;

    /** A running generation; cancel() stops it (the listener still gets finished()). */
    public static final class Handle {
        private Thread thread;
        private boolean cancelled;
        private boolean done;

        /** Interrupts the generation unless it is already done (its clean-up must not be interrupted). */
        public synchronized void cancel() {
            if (!done) {
                cancelled = true;
                if (thread != null) {
                    thread.interrupt();
                }
            }
        }

        synchronized boolean cancelled() {
            return cancelled;
        }

        /** Called by the generation thread when it stops generating; clears a pending interrupt. */
        synchronized void done() {
            done = true;
            Thread.interrupted();
        }

        synchronized void attach(Thread t) {
            thread = t;
        }
    }

    /** Validates and enqueues; throws {@link GatewayException} at once when the request is refused. */
    public Handle start(GenerateCall call, GenerationListener listener) {
        RequestTrace trace = new RequestTrace(call.requestId() == null || call.requestId().isEmpty()
                ? RequestValidator.newRequestId() : call.requestId(), call);
        PreparedRequest request;
        AdmissionQueue.Ticket ticket;
        try {
            request = validator.prepare(call, trace.requestId());
            trace.prepared(request);
            ticket = queue.enter();
        } catch (RuntimeException e) {
            GatewayException error = GatewayException.of(e);
            trace.finish(FinishReason.ERROR, 0, "", error);
            record(trace);
            throw error;
        }
        metrics.queued(request);
        Handle handle = new Handle();
        Thread thread = Thread.ofVirtual().name("generate-" + trace.requestId())
                .unstarted(() -> run(request, ticket, listener, handle, trace));
        handle.attach(thread);
        thread.start();
        return handle;
    }

    private void run(PreparedRequest request, AdmissionQueue.Ticket ticket, GenerationListener listener,
                     Handle handle, RequestTrace trace) {
        GenerationListener measured = new MeasuringListener(listener, trace, metrics, request);
        boolean admitted = false;
        try {
            ticket.awaitTurn();
            admitted = true;
            trace.admitted();
            metrics.admitted(request, trace.queueNanos());
            Pipeline pipeline = registry.pick(request.model(), request.version()).orElseThrow(() -> new GatewayException(
                    GatewayException.Kind.UNAVAILABLE, "no pipeline for " + request.model() + "@" + request.version()
                    + " right now (its workers went away)"));
            String sequenceId = request.requestId() + "/" + UUID.randomUUID();
            Route route = pipeline.route();
            try {
                trace.workers(route.addresses());
                measured.started(request);
                InferenceLoop.Result r = new InferenceLoop(request, route, sequenceId, config.workerTimeout(),
                        config.prefillChunk()).run(measured);
                trace.finish(r.finish(), r.completionTokens(), r.text(), null);
            } finally {
                route.release(sequenceId);
                route.close();
            }
        } catch (InterruptedException e) {
            trace.finish(FinishReason.CANCELLED, trace.completionTokens(), trace.text(),
                    new GatewayException(GatewayException.Kind.CANCELLED, "the client cancelled the request"));
        } catch (RuntimeException e) {
            GatewayException error = handle.cancelled()
                    ? new GatewayException(GatewayException.Kind.CANCELLED, "the client cancelled the request")
                    : GatewayException.of(e);
            if (error.kind() == GatewayException.Kind.INTERNAL) {
                LOG.warnf(e, "request %s failed", request.requestId());
            }
            trace.finish(error.kind() == GatewayException.Kind.CANCELLED ? FinishReason.CANCELLED : FinishReason.ERROR,
                    trace.completionTokens(), trace.text(), error);
        } finally {
            handle.done();
            ticket.leave();
            metrics.left(request, admitted);
        }
        try {
            listener.finished(trace.outcome());
        } catch (RuntimeException e) {
            LOG.debugf("listener of %s failed at the end: %s", request.requestId(), e);
        }
        metrics.finished(trace);
        record(trace);
    }

    private void record(RequestTrace trace) {
        try {
            requestLog.append(trace.requestId(), trace.toRecord(config.requestLog().includeText()));
        } catch (RuntimeException e) {
            LOG.warnf("request-log record of %s not written: %s", trace.requestId(), e.getMessage());
        }
    }

    /** Forwards to the API's listener while noting time to first token, inter-token gaps and the text so far. */
    private static final class MeasuringListener implements GenerationListener {
        private final GenerationListener inner;
        private final RequestTrace trace;
        private final GatewayMetrics metrics;
        private final PreparedRequest request;
        private long lastTokenNanos;

        MeasuringListener(GenerationListener inner, RequestTrace trace, GatewayMetrics metrics, PreparedRequest request) {
            this.inner = inner;
            this.trace = trace;
            this.metrics = metrics;
            this.request = request;
        }

        @Override
        public void started(PreparedRequest r) {
            inner.started(r);
        }

        @Override
        public void tokens(int[] ids, String text) {
            long now = System.nanoTime();
            if (ids.length > 0) {
                if (lastTokenNanos == 0) {
                    trace.firstToken(now);
                    metrics.firstToken(request, trace.timeToFirstTokenNanos());
                } else {
                    metrics.interToken(request, now - lastTokenNanos);
                }
                lastTokenNanos = now;
            }
            trace.generated(ids.length, text);
            inner.tokens(ids, text);
        }

        @Override
        public void finished(Outcome outcome) {
            inner.finished(outcome);
        }
    }
}
