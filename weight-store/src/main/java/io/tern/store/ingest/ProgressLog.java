package io.tern.store.ingest;

import io.tern.store.core.Sizes;
import org.jboss.logging.Logger;

/** Logs progress every 10% (or every 256 MB when the total is unknown): "tiny: received 40% (480 MB / 1.2 GB)". */
public final class ProgressLog implements ImportProgress {
    private static final Logger LOG = Logger.getLogger(ProgressLog.class);

    private final String subject;
    private final ImportProgress next;
    private String phase = "";
    private long lastStep = -1;

    public ProgressLog(String subject, ImportProgress next) {
        this.subject = subject;
        this.next = next;
    }

    @Override
    public void report(String phase, long done, long total) {
        if (!phase.equals(this.phase)) {
            this.phase = phase;
            lastStep = -1;
        }
        long step = total > 0 ? done * 10 / total : done >> 28;
        if (step != lastStep) {
            lastStep = step;
            if (total > 0) {
                LOG.infof("%s: %s %d%% (%s / %s)", subject, phase, done * 100 / total, Sizes.human(done), Sizes.human(total));
            } else {
                LOG.infof("%s: %s %s", subject, phase, Sizes.human(done));
            }
        }
        next.report(phase, done, total);
    }
}
