package io.tern.gateway;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Serving metrics, tagged with model and version (names as Prometheus shows them are listed in
 * gateway/README.md, "Metrics").
 */
@ApplicationScoped
public class GatewayMetrics {

    @Inject
    MeterRegistry registry;

    private final Map<Tags, AtomicInteger> running = new ConcurrentHashMap<>();
    private final Map<Tags, AtomicInteger> waiting = new ConcurrentHashMap<>();

    private static Tags tags(PreparedRequest r) {
        return Tags.of("model", r.model(), "version", r.version());
    }

    private AtomicInteger gauge(Map<Tags, AtomicInteger> map, String name, Tags tags) {
        return map.computeIfAbsent(tags, t -> registry.gauge(name, t, new AtomicInteger()));
    }

    private Timer timer(String name, String description, Tags tags) {
        return Timer.builder(name).description(description).tags(tags)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofMinutes(5))
                .register(registry);
    }

    void queued(PreparedRequest r) {
        gauge(waiting, "tern.gateway.requests.waiting", tags(r)).incrementAndGet();
    }

    void admitted(PreparedRequest r, long queueNanos) {
        gauge(waiting, "tern.gateway.requests.waiting", tags(r)).decrementAndGet();
        gauge(running, "tern.gateway.requests.running", tags(r)).incrementAndGet();
        timer("tern.gateway.queue.time", "Time from arrival until a generation slot is free", tags(r))
                .record(queueNanos, TimeUnit.NANOSECONDS);
    }

    void left(PreparedRequest r, boolean admitted) {
        gauge(admitted ? running : waiting, admitted ? "tern.gateway.requests.running" : "tern.gateway.requests.waiting",
                tags(r)).decrementAndGet();
    }

    void firstToken(PreparedRequest r, long nanos) {
        timer("tern.gateway.time.to.first.token", "Time from arrival to the first generated token", tags(r))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void interToken(PreparedRequest r, long nanos) {
        timer("tern.gateway.inter.token.latency", "Time between consecutive generated tokens of a request", tags(r))
                .record(nanos, TimeUnit.NANOSECONDS);
    }

    void finished(RequestTrace trace) {
        PreparedRequest r = trace.request();
        Tags t = tags(r);
        Counter.builder("tern.gateway.prompt.tokens").description("Prompt tokens of finished requests").tags(t)
                .register(registry).increment(r.promptIds().length);
        Counter.builder("tern.gateway.completion.tokens").description("Generated tokens").tags(t)
                .register(registry).increment(trace.completionTokens());
        Counter.builder("tern.gateway.requests").description("Finished requests")
                .tags(t.and("api", r.call().api().label(), "finish_reason", trace.finish().label(), "status", trace.status()))
                .register(registry).increment();
        timer("tern.gateway.request.duration", "Time from arrival to the end of the request", t)
                .record(trace.totalNanos(), TimeUnit.NANOSECONDS);
    }
}
