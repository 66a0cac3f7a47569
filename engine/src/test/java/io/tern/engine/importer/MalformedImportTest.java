package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.engine.testmodel.TestModelGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Broken inputs fail with a message naming the problem, and leave nothing at the output path. */
class MalformedImportTest {
    @TempDir Path dir;
    Path hf;
    Path out;

    @BeforeEach
    void generate() throws Exception {
        Path source = dir.resolve("source.gguf");
        new TestModelGenerator(BitNetShape.tiny()).weightType(GgmlType.I2_S).seed(4).write(source);
        hf = dir.resolve("hf");
        new HfTestModel().write(source, hf);
        out = dir.resolve("out").resolve("model.gguf");
        Files.createDirectories(out.getParent());
    }

    private void assertFails(Path src, String... fragments) throws IOException {
        ImportException e = assertThrows(ImportException.class,
                () -> ModelImporter.importModel(src, out, ImportProgress.NONE));
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
        try (Stream<Path> left = Files.list(out.getParent())) {
            assertEquals(0, left.count(), "nothing is left in the output directory");
        }
    }

    private void editConfig(String from, String to) throws IOException {
        Path c = hf.resolve("config.json");
        String s = Files.readString(c);
        assertTrue(s.contains(from), from);
        Files.writeString(c, s.replace(from, to));
    }

    @Test
    void missingConfigKey() throws IOException {
        editConfig("\"num_hidden_layers\"", "\"n_layers\"");
        assertFails(hf, "config.json", "num_hidden_layers");
    }

    @Test
    void shapeMismatch() throws IOException {
        editConfig("\"intermediate_size\" : 768", "\"intermediate_size\" : 1024");
        assertFails(hf, "has shape", "expected", "config.json");
    }

    @Test
    void missingTensor() throws IOException {
        editConfig("\"num_hidden_layers\" : 3", "\"num_hidden_layers\" : 4");
        assertFails(hf, "missing tensor 'model.layers.3.");
    }

    @Test
    void truncatedSafetensors() throws IOException {
        Path f = hf.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        Files.write(f, java.util.Arrays.copyOf(b, b.length - 1000));
        assertFails(hf, "model.safetensors", "outside the data section");
    }

    @Test
    void unknownDtype() throws IOException {
        Path f = hf.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        String all = new String(b, StandardCharsets.ISO_8859_1);
        int at = all.indexOf("\"dtype\":\"F32\"");
        assertTrue(at > 0);
        byte[] bad = "\"dtype\":\"Q77\"".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(bad, 0, b, at, bad.length);
        Files.write(f, b);
        assertFails(hf, "unknown dtype 'Q77'");
    }

    @Test
    void packedWeightWithoutScale() throws IOException {
        Path f = hf.resolve("model.safetensors");
        byte[] b = Files.readAllBytes(f);
        String all = new String(b, StandardCharsets.ISO_8859_1);
        int at = all.indexOf("q_proj.weight_scale");
        byte[] renamed = "q_proj.weight_scalX".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(renamed, 0, b, at, renamed.length);
        Files.write(f, b);
        assertFails(hf, "has no", "q_proj.weight_scale");
    }

    @Test
    void notAModel() throws IOException {
        Path junk = dir.resolve("junk.bin");
        Files.writeString(junk, "hello");
        assertFails(junk, "not a GGUF file");
        assertFails(dir.resolve("nowhere"), "does not exist");
        assertFails(dir.resolve("out"), "neither");
    }

    @Test
    void shardIsNotImported() throws Exception {
        Path shard = dir.resolve("shard.gguf");
        try (var g = io.tern.engine.gguf.GgufFile.open(dir.resolve("source.gguf"))) {
            io.tern.engine.shard.ShardWriter.write(g, new io.tern.engine.model.LayerRange(0, 1), 0, 3, shard);
        }
        assertFails(shard, "is a shard");
    }
}
