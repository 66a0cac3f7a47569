package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RequestLogSpoolTest {

    @TempDir
    Path dir;

    private static byte[] v(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void recordsSurviveARestartAndSegmentsAreDeletedAfterSending() throws IOException {
        try (RequestLogSpool spool = new RequestLogSpool(dir, 1 << 20)) {
            assertTrue(spool.append("a", v("{\"n\":1}")));
            assertTrue(spool.append("b", v("{\"n\":2}")));
        }
        try (RequestLogSpool spool = new RequestLogSpool(dir, 1 << 20)) {
            assertTrue(spool.bytes() > 0);
            spool.append("c", v("{\"n\":3}"));
            Path old = spool.nextToSend().orElseThrow();
            var entries = spool.read(old);
            assertEquals(2, entries.size());
            assertEquals("a", entries.get(0).key());
            assertArrayEquals(v("{\"n\":2}"), entries.get(1).value());
            spool.delete(old);
            Path current = spool.nextToSend().orElseThrow();
            assertEquals("c", spool.read(current).getFirst().key());
            spool.delete(current);
            assertEquals(0, spool.bytes());
            assertTrue(spool.nextToSend().isEmpty());
        }
    }

    @Test
    void fullSpoolDropsAndATornTailIsIgnored() throws IOException {
        try (RequestLogSpool spool = new RequestLogSpool(dir, 64)) {
            assertTrue(spool.append("a", v("0123456789")));
            assertFalse(spool.append("b", v("0123456789012345678901234567890123456789")));
            assertEquals(1, spool.dropped());
            Path seg = spool.nextToSend().orElseThrow();
            Files.write(seg, new byte[] {0, 0, 0, 50, 1, 2}, StandardOpenOption.APPEND);
            assertEquals(1, spool.read(seg).size());
        }
    }

    @Test
    void oneProcessPerDirectory() throws IOException {
        try (RequestLogSpool spool = new RequestLogSpool(dir, 1024)) {
            assertThrows(IOException.class, () -> new RequestLogSpool(dir, 1024));
        }
    }
}
