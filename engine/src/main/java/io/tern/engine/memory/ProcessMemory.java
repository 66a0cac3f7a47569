package io.tern.engine.memory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * This process's memory, from {@code /proc/self/status} (Linux) and the Java heap: resident set (total, anonymous,
 * file-backed), its peak, and the heap in use. Figures the OS does not give are -1.
 */
public record ProcessMemory(long rssBytes, long rssAnonBytes, long rssFileBytes, long peakRssBytes, long heapUsedBytes) {
    private static final Path STATUS = Path.of("/proc/self/status");

    public static ProcessMemory now() {
        long rss = -1, anon = -1, file = -1, peak = -1;
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith("VmRSS:")) rss = kib(line);
                else if (line.startsWith("RssAnon:")) anon = kib(line);
                else if (line.startsWith("RssFile:")) file = kib(line);
                else if (line.startsWith("VmHWM:")) peak = kib(line);
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or /proc is hidden: the figures stay unknown.
        }
        Runtime rt = Runtime.getRuntime();
        return new ProcessMemory(rss, anon, file, peak, rt.totalMemory() - rt.freeMemory());
    }

    /** "RssFile:     1234 kB" → bytes. */
    private static long kib(String line) {
        String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
        return Long.parseLong(parts[0]) * 1024;
    }

    public boolean known() { return rssBytes >= 0; }
}
