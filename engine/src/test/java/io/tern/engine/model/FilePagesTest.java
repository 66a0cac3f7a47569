package io.tern.engine.model;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.memory.PageAdvice;
import io.tern.engine.memory.ProcessMemory;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * After the int8 load the mapped file's pages of the repacked tensors leave the resident set, and the logits do not
 * change. A ~28 MB model (I2_S layers, tied F16 embedding) makes the difference plain against the JVM's own noise.
 * Memory is compared in RssFile deltas around each load, read from /proc/self/status (a memory check, not a timing).
 */
class FilePagesTest {
    /** 4 layers, 1024 wide, 2816 FFN, 16 / 4 heads, vocab 8192: 16.8 MB embedding + 11.3 MB of I2_S layers. */
    static final BitNetShape SHAPE = new BitNetShape(BitNetShape.LLAMA_CPP_ARCH, 4, 1024, 2816, 16, 4, 8192, 256, 500000f, 1e-5f);
    static final int[] PROMPT = {1, 8000, 42, 513, 7};
    static final int[] STEPS = {4095, 12, 8191};

    @TempDir static Path dir;
    static Path file;
    static long fileBytes;

    @BeforeAll
    static void writeModel() throws Exception {
        file = dir.resolve("rss.gguf");
        new TestModelGenerator(SHAPE).weightType(GgmlType.I2_S).seed(3).write(file);
        fileBytes = Files.size(file);
    }

    private static ModelOptions options(boolean release) {
        return ModelOptions.defaults().withPath(NumericPath.INT8).withThreads(2).withReleaseFilePages(release);
    }

    /** Prompt logits (last row) then one row per single-token step. */
    private static List<float[]> run(BitNetModel m) {
        ForwardPass pass = new ForwardPass(m, PROMPT.length);
        KvCache cache = pass.newCache(32);
        List<float[]> out = new ArrayList<>();
        out.add(pass.forward(PROMPT, cache, false).clone());
        for (int t : STEPS) out.add(pass.forward(new int[]{t}, cache, false).clone());
        return out;
    }

    private static long rssFile() {
        ProcessMemory pm = ProcessMemory.now();
        assumeTrue(pm.known() && pm.rssFileBytes() >= 0, "no /proc/self/status here");
        return pm.rssFileBytes();
    }

    private static final Pattern MAPPING = Pattern.compile("[0-9a-f]+-[0-9a-f]+ ");

    /** Resident bytes of this process's mappings of the model file (smaps), or skips the test without /proc. */
    private static long mappedResident() throws IOException {
        Path smaps = Path.of("/proc/self/smaps");
        assumeTrue(Files.isReadable(smaps), "no /proc/self/smaps here");
        long kb = 0;
        boolean ours = false;
        for (String line : Files.readAllLines(smaps)) {
            if (MAPPING.matcher(line).lookingAt()) {
                ours = line.endsWith(file.toString());
            } else if (ours && line.startsWith("Rss:")) {
                kb += Long.parseLong(line.substring(4).trim().split("\\s+")[0]);
            }
        }
        return kb * 1024;
    }

    private static void assertSameLogits(List<float[]> expected, List<float[]> actual) {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++) assertArrayEquals(expected.get(i), actual.get(i), "step " + i);
    }

    @Test
    void releasedLoadKeepsFilePagesOut() throws Exception {
        assumeTrue(PageAdvice.supported(), "madvise is not available here");
        long before = rssFile();
        try (BitNetModel m = ModelLoader.load(file, options(true))) {
            long after = rssFile();
            // Everything but the norms was copied off-heap: layers repacked, tied embedding quantised for the head.
            assertTrue(m.copiedFileBytes() > fileBytes * 9 / 10, "copied " + m.copiedFileBytes() + " of " + fileBytes);
            assertTrue(m.releasedFileBytes() > m.copiedFileBytes() * 9 / 10,
                    "released " + m.releasedFileBytes() + " of " + m.copiedFileBytes() + " copied bytes");
            assertTrue(after - before < fileBytes / 5,
                    "RssFile grew by " + (after - before) + " bytes over a load that released the file's pages (file " + fileBytes + ")");
            assertTrue(m.offHeapBytes() > 0 && m.residentWeightBytes() < fileBytes,
                    "off-heap " + m.offHeapBytes() + ", resident weights " + m.residentWeightBytes());
            assertEquals(0, m.mappedWeightBytes(), "the int8 path copies even the norms off the mapping");
            long mappedAfterLoad = mappedResident();
            run(m);
            // Decoding maps not one page of the file: embedding rows come by pread, norms from their copies. (Read
            // through the mapping, 2B4T's 121 norms brought 213 MB of the file back on a kernel that maps a whole
            // page-cache folio per fault.)
            assertEquals(mappedAfterLoad, mappedResident(), "resident bytes of the model file's mapping after decoding");
            long decoded = rssFile();
            assertTrue(decoded - before < fileBytes / 5, "RssFile grew by " + (decoded - before) + " bytes after decoding");
            // Every row of the vocabulary looked up (a long-running server sees most of them): still no pages mapped.
            float[] row = new float[SHAPE.nEmbd()];
            for (int t = 0; t < SHAPE.vocab(); t++) m.embedding().lookup(t, row, 0);
            long everyRow = rssFile();
            assertTrue(everyRow - before < fileBytes / 5, "RssFile grew by " + (everyRow - before) + " bytes after looking up every token");
        }
    }

    @Test
    void loadNeverHoldsTheWholeFile() throws Exception {
        assumeTrue(PageAdvice.supported(), "madvise is not available here");
        long before = rssFile();
        // Sample RssFile while loading: copied tensors are released as they go, so it never nears the file size.
        java.util.concurrent.atomic.AtomicLong highest = new java.util.concurrent.atomic.AtomicLong(before);
        java.util.concurrent.atomic.AtomicBoolean loading = new java.util.concurrent.atomic.AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (loading.get()) {
                highest.accumulateAndGet(ProcessMemory.now().rssFileBytes(), Math::max);
                Thread.onSpinWait();
            }
        });
        try (BitNetModel m = ModelLoader.load(file, options(true))) {
            loading.set(false);
            sampler.join();
            assertTrue(highest.get() - before < fileBytes / 2,
                    "RssFile reached " + (highest.get() - before) + " bytes above the start during the load (file " + fileBytes + ")");
        } finally {
            loading.set(false);
        }
    }

    @Test
    void keptLoadStaysResidentAndReleaseLaterChangesNoLogit() throws Exception {
        assumeTrue(PageAdvice.supported(), "madvise is not available here");
        long before = rssFile();
        List<float[]> kept;
        try (BitNetModel m = ModelLoader.load(file, options(false))) {
            long loaded = rssFile();
            assertEquals(0, m.releasedFileBytes());
            // The repack and the head quantisation read every page: they stay mapped and resident.
            assertTrue(loaded - before > fileBytes * 7 / 10,
                    "RssFile grew by only " + (loaded - before) + " bytes over a load without release (file " + fileBytes + ")");
            kept = run(m);

            long released = m.releaseFilePages();
            long after = rssFile();
            assertTrue(released > fileBytes * 8 / 10, "released " + released);
            assertTrue(loaded - after > released * 8 / 10,
                    "RssFile fell by only " + (loaded - after) + " bytes after releasing " + released);
            // The tied embedding rows are read back from the page cache: same logits.
            assertSameLogits(kept, run(m));
        }
        try (BitNetModel m = ModelLoader.load(file, options(true))) {
            assertSameLogits(kept, run(m));
        }
    }

    @Test
    void floatPathReleasesNothing() throws Exception {
        try (BitNetModel m = ModelLoader.load(file, options(true).withPath(NumericPath.FLOAT))) {
            assertEquals(0, m.copiedFileBytes());
            assertEquals(0, m.releasedFileBytes());
            assertEquals(0, m.offHeapBytes());
            long layerBytes = fileBytes - (long) SHAPE.vocab() * SHAPE.nEmbd() * 2;
            assertTrue(m.mappedWeightBytes() > layerBytes * 9 / 10, "float path reads " + m.mappedWeightBytes() + " bytes of the file per token");
        }
    }

    @Test
    void releaseAfterCloseIsRefused() throws Exception {
        BitNetModel m = ModelLoader.load(file, options(false));
        m.close();
        assertThrows(IllegalStateException.class, m::releaseFilePages);
    }
}
