package io.tern.worker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Shard blob download against a gRPC store peer: resume, sha256 check, reuse of a verified cached file. */
class BlobDownloaderTest {
    private static final Path CACHE = TestModels.DIR.resolve("download-cache");

    private final TestWeightStore store = new TestWeightStore("tiny", "default", "v1");
    private ManagedChannel channel;
    private BlobDownloader downloader;
    private byte[] blob;
    private String sha;

    @BeforeEach
    void startStore() throws IOException {
        Path file = TestModels.whole();
        blob = Files.readAllBytes(file);
        sha = store.addShard(0, 4, 4, file);
        int port = store.start();
        channel = Grpc.newChannelBuilder("localhost:" + port, InsecureChannelCredentials.create()).build();
        downloader = new BlobDownloader(CACHE, TernWeightStoreGrpc.newBlockingStub(channel));
        if (Files.exists(CACHE)) {
            try (Stream<Path> files = Files.walk(CACHE)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @AfterEach
    void stopStore() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        store.stop();
    }

    @Test
    void downloadsVerifiesAndRenames() throws IOException {
        BlobDownloader.Result r = downloader.fetch(sha, blob.length);
        assertEquals(CACHE.resolve(sha + ".gguf"), r.file());
        assertArrayEquals(blob, Files.readAllBytes(r.file()));
        assertFalse(Files.exists(CACHE.resolve(sha + ".gguf.part")));
        assertEquals(List.of(0L), store.downloadOffsets);
        assertEquals(blob.length, r.downloadedBytes());
    }

    @Test
    void resumesFromThePartialFile() throws IOException {
        Files.createDirectories(CACHE);
        int have = blob.length / 3;
        Files.write(CACHE.resolve(sha + ".gguf.part"), Arrays.copyOf(blob, have));
        BlobDownloader.Result r = downloader.fetch(sha, blob.length);
        assertEquals(List.of((long) have), store.downloadOffsets);
        assertEquals(have, r.resumedFrom());
        assertEquals(blob.length - have, r.downloadedBytes());
        assertArrayEquals(blob, Files.readAllBytes(r.file()));
    }

    @Test
    void rejectsBytesThatDoNotMatchTheSha() throws IOException {
        byte[] corrupt = blob.clone();
        corrupt[corrupt.length / 2] ^= 1;
        String claimed = "ab".repeat(32);
        store.putBlob(claimed, corrupt);
        IOException e = assertThrows(IOException.class, () -> downloader.fetch(claimed, corrupt.length));
        assertTrue(e.getMessage().contains("expected " + claimed), e.getMessage());
        assertFalse(Files.exists(CACHE.resolve(claimed + ".gguf")));
        assertFalse(Files.exists(CACHE.resolve(claimed + ".gguf.part")));
    }

    @Test
    void reusesAVerifiedCachedFileWithoutDownloading() throws IOException {
        downloader.fetch(sha, blob.length);
        store.downloadOffsets.clear();
        BlobDownloader.Result again = downloader.fetch(sha, blob.length);
        assertTrue(again.reused());
        assertEquals(List.of(), store.downloadOffsets);
    }

    @Test
    void replacesACorruptCachedFile() throws IOException {
        Files.createDirectories(CACHE);
        byte[] corrupt = blob.clone();
        corrupt[7] ^= 1;
        Files.write(CACHE.resolve(sha + ".gguf"), corrupt);
        BlobDownloader.Result r = downloader.fetch(sha, blob.length);
        assertFalse(r.reused());
        assertEquals(List.of(0L), store.downloadOffsets);
        assertArrayEquals(blob, Files.readAllBytes(r.file()));
    }
}
