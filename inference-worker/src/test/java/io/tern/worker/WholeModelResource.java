package io.tern.worker;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Serves the whole tiny model from a local file, with a small KV budget, short idle timeout and 32-token steps. */
public class WholeModelResource implements QuarkusTestResourceLifecycleManager {
    static final int MAX_BATCH_TOKENS = 32;
    static final int KV_BUDGET_MB = 8;

    @Override
    public Map<String, String> start() {
        return Map.of(
                "tern.worker.model-file", TestModels.whole().toAbsolutePath().toString(),
                "tern.worker.model", "tiny",
                "tern.worker.version", "v1",
                "tern.worker.max-batch-tokens", String.valueOf(MAX_BATCH_TOKENS),
                "tern.worker.kv-budget-mb", String.valueOf(KV_BUDGET_MB),
                "tern.worker.idle-timeout", "3s",
                "tern.worker.warmup-steps", "4",
                "tern.worker.threads", "2");
    }

    @Override
    public void stop() {
    }
}
