package io.tern.gateway;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The gateway's settings, all under {@code tern.gateway.*}; gateway/README.md lists them with examples. */
@ConfigMapping(prefix = "tern.gateway")
public interface GatewayConfig {

    /** Worker addresses or DNS names, {@code host:port}; every address a name resolves to is a worker. */
    Optional<List<String>> workers();

    /** How often names are re-resolved and workers re-checked. */
    @WithDefault("5s")
    Duration discoveryInterval();

    /** Models that must have a pipeline before the gateway reports ready; unset = any discovered model. */
    Optional<List<String>> models();

    /** Weight-store address {@code host:port}: aliases and tokenizers come from it when set. */
    Optional<String> store();

    /** GGUF file whose tokenizer serves every model when no store is set (or the store has none). */
    Optional<String> tokenizerFile();

    /** Where tokenizer blobs downloaded from the store are kept. */
    Optional<String> tokenizerCacheDir();

    /** Requests generating at the same time; more wait in the queue. */
    @WithDefault("64")
    int maxConcurrent();

    /** Requests allowed to wait; beyond that the gateway answers RESOURCE_EXHAUSTED / HTTP 429. */
    @WithDefault("256")
    int maxQueued();

    /** max_tokens when a request does not say. */
    @WithDefault("256")
    int defaultMaxTokens();

    /** Prompt tokens per prefill Forward call. */
    @WithDefault("256")
    int prefillChunk();

    /** Deadline of one Forward call. */
    @WithDefault("120s")
    Duration workerTimeout();

    /**
     * Traffic splits by model: {@code tern.gateway.routes.chat=stable:90,canary:10} sends requests for
     * model "chat" that pin no version to alias (or version) "stable" 90% and "canary" 10% of the time.
     */
    Map<String, String> routes();

    RequestLogConfig requestLog();

    interface RequestLogConfig {
        /** Kafka topic of the request log. */
        @WithDefault("tern.request-log")
        String topic();

        /** Put prompt and completion text into records. */
        @WithDefault("false")
        boolean includeText();

        /** Directory of the on-disk spool that holds records until Kafka acknowledges them. */
        Optional<String> spoolDir();

        /** Spool size limit; records beyond it are dropped (and counted). */
        @WithDefault("268435456")
        long spoolMaxBytes();

        /** Produce to Kafka at all (records still pass through the spool). */
        @WithDefault("true")
        boolean enabled();
    }
}
