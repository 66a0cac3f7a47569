package io.tern.store.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.store.TinyModels;
import io.tern.store.catalog.Manifest;
import io.tern.store.ingest.ImportProgress;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 a process in the middle of importing, several times at different moments; each time a fresh store on
 * the same root must be consistent (complete versions only, every referenced blob present and intact, no leftover
 * work files or unreferenced blobs) and able to import again.
 */
class CrashImportTest {

    @TempDir
    Path dir;

    @Test
    void killedImportsLeaveCompleteVersionsOrNone() throws Exception {
        Path source = TinyModels.write(dir, 5);
        Path root = dir.resolve("store");
        long[] delaysMs = {0, 37, 113, 251};
        int crashes = 0;
        for (long delay : delaysMs) {
            Process child = startChild(root, source);
            BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            assertEquals("opened", line, "child did not start");
            // Let it get at least one version in, then kill it at some point of a later import.
            String imported = out.readLine();
            assertTrue(imported != null && imported.startsWith("imported"), "child said " + imported);
            Thread.sleep(delay);
            child.destroyForcibly(); // SIGKILL
            assertTrue(child.waitFor(30, TimeUnit.SECONDS));
            crashes++;

            WeightStore store = TinyModels.open(root);
            assertConsistent(root, store);
        }
        WeightStore store = TinyModels.open(root);
        int before = store.model("crash").versions().size();
        int highest = store.model("crash").versions().getLast().version();
        Manifest next = store.importPath("crash", source, ImportProgress.NONE);
        assertTrue(next.version() > highest);
        assertEquals(before + 1, store.model("crash").versions().size());
        assertEquals(delaysMs.length, crashes);
    }

    private static Process startChild(Path root, Path source) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "--add-modules=jdk.incubator.vector",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                CrashImportMain.class.getName(), root.toString(), source.toString()));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    }

    private static void assertConsistent(Path root, WeightStore store) throws IOException {
        Set<String> referenced = new HashSet<>();
        List<ModelView.VersionSummary> versions = store.model("crash").versions();
        assertTrue(!versions.isEmpty());
        for (ModelView.VersionSummary v : versions) {
            Manifest m = store.manifest("crash", v.version());
            for (String sha : m.blobs()) {
                store.blobs().verify(sha);
                referenced.add(sha);
            }
        }
        assertEquals(referenced, store.blobs().list(), "exactly the referenced blobs are kept");
        try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
            assertEquals(List.of(), s.toList(), "no work files left");
        }
        try (Stream<Path> s = Files.walk(root)) {
            assertEquals(List.of(), s.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList());
        }
    }
}
