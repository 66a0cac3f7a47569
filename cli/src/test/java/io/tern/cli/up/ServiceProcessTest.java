package io.tern.cli.up;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ServiceProcessTest {
    @Test
    void aMissingJvmFlagsFileIsAClearErrorAndStartsNothing(@TempDir Path dir) throws IOException {
        Path jar = Files.createFile(dir.resolve("quarkus-run.jar"));
        IOException e = assertThrows(IOException.class,
                () -> ServiceProcess.start("worker-0", jar, dir.resolve("deploy/jvm/engine.args"), 0, Map.of(), dir.resolve("logs")));
        assertTrue(e.getMessage().contains("engine.args") && e.getMessage().contains("TERN_HOME"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve("logs")), "no log directory for a service that never started");
    }

    @Test
    void theRepositoryHoldsTheEngineJvmFlags() throws IOException {
        // What ./tern, `tern up` and the image read: the flags the Vector API kernel and the native kernels need.
        String args = Files.readString(Path.of("..", "deploy", "jvm", "engine.args"));
        for (String flag : new String[]{"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseCountedLoopSafepoints", "-XX:LoopStripMiningIter=1000"})
            assertTrue(args.lines().anyMatch(flag::equals), "deploy/jvm/engine.args lacks " + flag);
    }
}
