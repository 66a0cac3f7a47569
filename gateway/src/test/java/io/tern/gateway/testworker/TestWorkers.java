package io.tern.gateway.testworker;

import java.util.List;

/** The workers a test runs against, first shard first; in-process ones can be held (see InProcessWorker). */
public record TestWorkers(List<String> addresses, List<InProcessWorker> inProcess) {

    public boolean canHold() {
        return !inProcess.isEmpty();
    }

    /** Makes every Forward call wait until resume(). */
    public void hold() {
        inProcess.forEach(InProcessWorker::hold);
    }

    public void resume() {
        inProcess.forEach(InProcessWorker::resume);
    }

    /** Sequences holding KV cache on the in-process workers (0 once all are released). */
    public int liveSequences() {
        return inProcess.stream().mapToInt(InProcessWorker::sequences).sum();
    }
}
