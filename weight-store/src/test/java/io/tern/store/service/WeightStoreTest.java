package io.tern.store.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.LayerRange;
import io.tern.store.ShardChain;
import io.tern.store.TinyModels;
import io.tern.store.blob.Sha256;
import io.tern.store.catalog.AliasChange;
import io.tern.store.catalog.Manifest;
import io.tern.store.catalog.Manifest.ShardEntry;
import io.tern.store.catalog.Manifest.ShardPlan;
import io.tern.store.core.StoreException;
import io.tern.store.ingest.ImportProgress;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightStoreTest {
    private static final int[] PROMPT = {1, 17, 42, 7, 250};

    @TempDir
    static Path models;
    static Path tiny1;
    static Path tiny2;

    @TempDir
    Path root;

    @BeforeAll
    static void generate() throws IOException {
        tiny1 = TinyModels.write(models, 1);
        tiny2 = TinyModels.write(models, 2);
    }

    @Test
    void importsNumberedVersionsAndStoresIdenticalBlobsOnce() throws IOException {
        WeightStore store = TinyModels.open(root);
        Manifest v1 = store.importPath("tiny", tiny1, ImportProgress.NONE);
        Manifest v2 = store.importPath("tiny", tiny1, ImportProgress.NONE);
        assertEquals(1, v1.version());
        assertEquals(2, v2.version());
        assertEquals(Sha256.of(tiny1), v1.sourceSha256());
        assertEquals(Files.size(tiny1), v1.sourceSizeBytes());
        assertEquals("tiny-1.gguf", v1.sourceFile());
        assertEquals("bitnet", v1.architecture());
        assertEquals("3", v1.hyperParams().get("n_layers"));
        assertEquals("256", v1.hyperParams().get("n_embd"));
        assertEquals("I2_S", v1.hyperParams().get("linear_type"), "converted to the canonical type");
        assertTrue(v1.tensors().stream().anyMatch(t -> t.name().equals("blk.2.ffn_down.weight")));
        assertEquals(v1.canonical(), v2.canonical(), "same bytes, same blob");
        assertEquals(Set.of(v1.canonical().sha256(), v1.tokenizer().sha256()), store.blobs().list(),
                "two versions of the same file keep one canonical and one tokenizer blob");

        Manifest v3 = store.importPath("tiny", tiny2, ImportProgress.NONE);
        assertEquals(3, v3.version());
        assertEquals(v1.tokenizer(), v3.tokenizer(), "same tokenizer and hyper-parameters, different weights");
        assertEquals(3, store.blobs().list().size());
        assertEquals(List.of(1, 2, 3), store.model("tiny").versions().stream().map(ModelView.VersionSummary::version).toList());

        // A fresh store on the same root sees the same catalog.
        WeightStore reopened = TinyModels.open(root);
        assertEquals(v3, reopened.manifest("tiny", 3));
        assertEquals(3, reopened.blobs().list().size());
    }

    @Test
    void tq20GgufBecomesAnI2sCanonicalBlob() throws IOException {
        WeightStore store = TinyModels.open(root);
        Manifest m = store.importPath("tiny", tiny1, ImportProgress.NONE);
        List<Manifest.TensorEntry> linear = m.tensors().stream()
                .filter(t -> t.name().matches("blk\\.\\d+\\.(attn_[qkv]|attn_output|ffn_gate|ffn_up|ffn_down)\\.weight"))
                .toList();
        assertEquals(3 * 7, linear.size(), "seven linear weights in each of three layers");
        for (Manifest.TensorEntry t : linear) {
            assertEquals("I2_S", t.type(), t.name());
        }
        assertTrue(m.tensors().stream().noneMatch(t -> t.type().equals("TQ2_0")), "no source type left");
        try (GgufFile source = GgufFile.open(tiny1);
             GgufFile canonical = GgufFile.open(store.blobs().localFile(m.canonical().sha256()))) {
            assertEquals("TQ2_0", source.requireTensor("blk.0.attn_q.weight").type().toString());
            assertEquals(m.tensors().size(), canonical.tensors().size());
            for (Manifest.TensorEntry t : m.tensors()) {
                var info = canonical.requireTensor(t.name());
                assertEquals(info.type().toString(), t.type(), t.name());
                assertEquals(info.byteSize(), t.sizeBytes(), t.name());
                assertEquals(java.util.Arrays.stream(info.dims()).boxed().toList(), t.dims(), t.name());
            }
            assertEquals(m.sourceSha256(), canonical.metadata().requireString("tern.source.sha256"));
        }
        assertTrue(m.importSummary().contains("converted GGUF tiny-1.gguf"), m.importSummary());
    }

    @Test
    void tokenizerBlobHasTokenizerAndHyperParametersButNoTensors() throws IOException {
        WeightStore store = TinyModels.open(root);
        Manifest m = store.importPath("tiny", tiny1, ImportProgress.NONE);
        try (GgufFile tok = GgufFile.open(store.blobs().localFile(m.tokenizer().sha256()));
             GgufFile full = GgufFile.open(tiny1)) {
            assertTrue(tok.tensors().isEmpty());
            assertEquals("bitnet", tok.metadata().requireString("general.architecture"));
            assertEquals(full.metadata().getStringArray("tokenizer.ggml.tokens"), tok.metadata().getStringArray("tokenizer.ggml.tokens"));
            assertEquals(3, tok.metadata().requireInt("bitnet.block_count"));
            assertTrue(m.tokenizer().sizeBytes() < Files.size(tiny1) / 4);
        }
    }

    @Test
    void aliasesMoveWithHistoryAndProtectTheirVersions() throws IOException {
        WeightStore store = TinyModels.open(root);
        store.importPath("tiny", tiny1, ImportProgress.NONE);
        store.importPath("tiny", tiny2, ImportProgress.NONE);
        List<AliasEvent> seen = new ArrayList<>();
        store.events().subscribe(List::of, seen::add);

        assertNull(store.setAlias("tiny", "stable", 1).previousVersion());
        AliasChange move = store.setAlias("tiny", "stable", 2);
        assertEquals(1, move.previousVersion());
        store.setAlias("tiny", "canary", 2);
        assertEquals(2, store.resolveAlias("tiny", "stable"));
        assertEquals(List.of("stable:1", "stable:2", "canary:2"),
                store.model("tiny").aliasHistory().stream().map(c -> c.alias() + ":" + c.version()).toList());
        assertEquals(3, seen.size());
        assertEquals(new AliasEvent(AliasEvent.Kind.SET, "tiny", "stable", 2, 1, move.changedEpochMs()), seen.get(1));

        StoreException refused = assertThrows(StoreException.class, () -> store.deleteVersion("tiny", 2));
        assertEquals(StoreException.Kind.CONFLICT, refused.kind());
        assertTrue(refused.getMessage().contains("canary, stable"), refused.getMessage());
        assertThrows(StoreException.class, () -> store.setAlias("tiny", "stable", 9));

        store.deleteVersion("tiny", 1);
        assertThrows(StoreException.class, () -> store.manifest("tiny", 1));
        assertEquals(2, store.blobs().list().size(), "version 1's weights went with it; the shared tokenizer stayed");
        assertEquals(3, store.importPath("tiny", tiny1, ImportProgress.NONE).version(), "numbers are never reused");

        WeightStore reopened = TinyModels.open(root);
        assertEquals(2, reopened.resolveAlias("tiny", "canary"));
        assertEquals(3, reopened.model("tiny").aliasHistory().size());
        assertEquals(List.of(2, 3), reopened.model("tiny").versions().stream().map(ModelView.VersionSummary::version).toList());
    }

    @Test
    void shardChainsGiveExactlyTheLogitsOfTheWholeModel() throws IOException {
        WeightStore store = TinyModels.open(root);
        Manifest m = store.importPath("tiny", tiny1, ImportProgress.NONE);
        float[] whole = ShardChain.logits(List.of(store.blobs().localFile(m.canonical().sha256())), PROMPT, 99);
        for (int count = 1; count <= 3; count++) {
            ShardPlan plan = store.shardPlan("tiny", 1, count);
            assertEquals(count, plan.shards().size());
            assertEquals(0, plan.shards().get(0).layerStart());
            assertEquals(3, plan.shards().get(count - 1).layerEnd());
            List<Path> files = new ArrayList<>();
            for (int k = 0; k < count; k++) {
                ShardEntry s = plan.shards().get(k);
                assertEquals(k, s.index());
                assertEquals(k == 0, s.hasEmbedding());
                assertEquals(k == count - 1, s.hasOutputHead());
                if (k > 0) {
                    assertEquals(plan.shards().get(k - 1).layerEnd(), s.layerStart(), "contiguous");
                }
                Path f = store.blobs().localFile(s.blobSha256());
                assertEquals(s.sizeBytes(), Files.size(f));
                if (count > 1) {
                    try (GgufFile g = GgufFile.open(f)) {
                        assertEquals(s.layerStart(), g.metadata().requireInt(LayerRange.START_KEY));
                        assertEquals(s.layerEnd(), g.metadata().requireInt(LayerRange.END_KEY));
                    }
                }
                files.add(f);
            }
            assertArrayEquals(whole, ShardChain.logits(files, PROMPT, 99), count + " shards");
        }
        assertEquals(m.canonical().sha256(), store.shardPlan("tiny", 1, 1).shards().get(0).blobSha256());
        assertEquals(List.of(1, 2, 3), TinyModels.open(root).manifest("tiny", 1).shardPlans().stream()
                .map(ShardPlan::shardCount).toList(), "plans are kept");
        assertSame(store.shardPlan("tiny", 1, 2), store.shardPlan("tiny", 1, 2));
        StoreException tooMany = assertThrows(StoreException.class, () -> store.shardPlan("tiny", 1, 4));
        assertEquals(StoreException.Kind.INVALID, tooMany.kind());
    }

    private static void assertSame(ShardPlan a, ShardPlan b) {
        assertEquals(a, b);
    }

    @Test
    void corruptedBlobIsReportedAndNeverOpened() throws IOException {
        WeightStore store = TinyModels.open(root);
        Manifest m = store.importPath("tiny", tiny1, ImportProgress.NONE);
        String sha = m.canonical().sha256();
        Path file;
        try (Stream<Path> s = Files.walk(root.resolve("blobs"))) {
            file = s.filter(p -> p.getFileName().toString().equals(sha)).findFirst().orElseThrow();
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(raf.length() / 2);
            int b = raf.read();
            raf.seek(raf.length() / 2);
            raf.write(b ^ 0x01);
        }
        StoreException e = assertThrows(StoreException.class, () -> store.blobs().openVerified(sha, 0));
        assertEquals(StoreException.Kind.CORRUPT, e.kind());
        assertTrue(e.getMessage().contains(sha), e.getMessage());
        assertThrows(StoreException.class, () -> store.shardPlan("tiny", 1, 2), "no shards cut from corrupt bytes");
    }

    @Test
    void badNamesAreRefusedAndNothingLandsOutsideTheRoot() {
        WeightStore store = TinyModels.open(root);
        for (String bad : List.of("", "..", "../evil", "a/b", "UPPER", "a b", "-lead", ".hidden", "x".repeat(65), "a\\b")) {
            StoreException e = assertThrows(StoreException.class, () -> store.importPath(bad, tiny1, ImportProgress.NONE), bad);
            assertEquals(StoreException.Kind.INVALID, e.kind(), bad);
        }
        store.importPath("ok.name_1-2", tiny1, ImportProgress.NONE);
        StoreException e = assertThrows(StoreException.class, () -> store.setAlias("ok.name_1-2", "../stable", 1));
        assertEquals(StoreException.Kind.INVALID, e.kind());
        assertFalse(Files.exists(root.getParent().resolve("evil")));
        assertEquals(StoreException.Kind.NOT_FOUND, assertThrows(StoreException.class, () -> store.model("nope")).kind());
        assertEquals(StoreException.Kind.NOT_FOUND,
                assertThrows(StoreException.class, () -> store.manifest("ok.name_1-2", 7)).kind());
    }

    @Test
    void truncatedAndMalformedUploadsAreRefusedAndLeaveNothing() throws IOException {
        WeightStore store = TinyModels.open(root);
        byte[] bytes = Files.readAllBytes(tiny1);
        byte[] half = java.util.Arrays.copyOf(bytes, bytes.length / 2);

        StoreException shortBody = assertThrows(StoreException.class,
                () -> store.importStream("tiny", new ByteArrayInputStream(half), bytes.length, "t.gguf", ImportProgress.NONE));
        assertEquals(StoreException.Kind.INVALID, shortBody.kind());
        assertTrue(shortBody.getMessage().contains("truncated upload"), shortBody.getMessage());

        StoreException truncatedFile = assertThrows(StoreException.class,
                () -> store.importStream("tiny", new ByteArrayInputStream(half), -1, "t.gguf", ImportProgress.NONE));
        assertEquals(StoreException.Kind.INVALID, truncatedFile.kind());

        StoreException garbage = assertThrows(StoreException.class, () -> store.importStream("tiny",
                new ByteArrayInputStream("not a model".getBytes()), -1, "t.gguf", ImportProgress.NONE));
        assertEquals(StoreException.Kind.INVALID, garbage.kind());
        assertTrue(garbage.getMessage().contains("t.gguf is not a GGUF file"), garbage.getMessage());

        InputStream brokenOff = new InputStream() {
            int left = 1000;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0];
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new IOException("connection reset");
                }
                int n = Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 7);
                left -= n;
                return n;
            }
        };
        assertEquals(StoreException.Kind.INVALID, assertThrows(StoreException.class,
                () -> store.importStream("tiny", brokenOff, -1, "t.gguf", ImportProgress.NONE)).kind());

        assertTrue(store.blobs().list().isEmpty());
        assertTrue(store.models().isEmpty());
        try (Stream<Path> s = Files.list(root.resolve("tmp"))) {
            assertEquals(0, s.count(), "no work files left");
        }
        assertEquals(1, store.importStream("tiny", new ByteArrayInputStream(bytes), bytes.length, "t.gguf",
                ImportProgress.NONE).version());
    }
}
