package io.tern.store.service;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.gguf.GgufFormatException;
import io.tern.store.blob.BlobStore;
import io.tern.store.blob.Durable;
import io.tern.store.blob.Sha256;
import io.tern.store.catalog.Manifest;
import io.tern.store.catalog.Manifest.BlobRef;
import io.tern.store.catalog.Manifest.ShardEntry;
import io.tern.store.catalog.Manifest.ShardPlan;
import io.tern.store.core.Names;
import io.tern.store.core.Sizes;
import io.tern.store.core.StorageErrors;
import io.tern.store.core.StoreException;
import io.tern.store.ingest.GgufFacts;
import io.tern.store.ingest.ImportProgress;
import io.tern.store.ingest.ModelNormalizer;
import io.tern.store.ingest.NormalizedModel;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Import: source (an upload is first received into a work file) → canonical GGUF (normaliser: the engine's
 * importer hashes, converts and verifies) → tokenizer blob → blobs adopted → version committed. Everything before
 * the commit lives in a work directory under the store's scratch dir; a crash leaves only that directory and maybe
 * unreferenced blobs, both removed at the next start.
 */
final class Importer {
    private static final Logger LOG = Logger.getLogger(Importer.class);

    private final StoreIndex index;
    private final BlobStore blobs;
    private final ModelNormalizer normalizer;
    private final LongSupplier clock;

    Importer(StoreIndex index, BlobStore blobs, ModelNormalizer normalizer, LongSupplier clock) {
        this.index = index;
        this.blobs = blobs;
        this.normalizer = normalizer;
        this.clock = clock;
    }

    Manifest fromStream(String model, InputStream body, long declaredLength, String fileName, ImportProgress progress)
            throws IOException {
        Names.model(model);
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory(blobs.scratchDir(), "import-");
        try {
            Path local = Files.createDirectory(work.resolve("upload")).resolve(sourceName(fileName));
            long size;
            try {
                size = Upload.receive(body, local, declaredLength, progress);
            } catch (IOException e) {
                if (StorageErrors.isDiskFull(e)) {
                    throw e;
                }
                throw StoreException.invalid("upload broke off: " + e.getMessage());
            }
            if (size == 0) {
                throw StoreException.invalid("empty upload: no model bytes received");
            }
            if (declaredLength >= 0 && size != declaredLength) {
                throw StoreException.invalid("truncated upload: received " + size + " of " + declaredLength + " bytes");
            }
            return finish(model, local, size, work, progress, t0);
        } finally {
            Durable.deleteTree(work);
        }
    }

    /** Imports a GGUF file or a Hugging Face directory in place: the importer reads it and writes a new file. */
    Manifest fromPath(String model, Path source, ImportProgress progress) throws IOException {
        Names.model(model);
        if (!Files.exists(source)) {
            throw StoreException.invalid("no such file or directory on the store's host: " + source);
        }
        long t0 = System.nanoTime();
        Path work = Files.createTempDirectory(blobs.scratchDir(), "import-");
        try {
            return finish(model, source, sizeOf(source), work, progress, t0);
        } finally {
            Durable.deleteTree(work);
        }
    }

    private Manifest finish(String model, Path source, long sourceSize, Path work, ImportProgress progress, long t0)
            throws IOException {
        NormalizedModel normalized = normalizer.normalize(source, work, progress);
        Path canonical = normalized.canonicalGguf();
        String canonicalSha = Sha256.of(canonical);
        long canonicalSize = Files.size(canonical);
        Path tokenizer = work.resolve("tokenizer.gguf");
        GgufFacts facts;
        try (GgufFile file = GgufFile.open(canonical)) {
            facts = GgufFacts.of(file, normalized.tensors());
            GgufFacts.writeTokenizerBlob(file, tokenizer);
        } catch (GgufFormatException e) {
            throw StoreException.invalid("the canonical GGUF is not usable: " + e.getMessage());
        }
        String tokenizerSha = Sha256.of(tokenizer);
        long tokenizerSize = Files.size(tokenizer);
        int layers = Integer.parseInt(facts.hyperParams().get("n_layers"));
        String sourceName = normalized.sourceName();
        List<String> pinned = new ArrayList<>();
        try {
            index.pinAndAdopt(canonicalSha, canonical);
            pinned.add(canonicalSha);
            index.pinAndAdopt(tokenizerSha, tokenizer);
            pinned.add(tokenizerSha);
            ShardPlan whole = new ShardPlan(1, List.of(
                    new ShardEntry(0, 0, layers, canonicalSha, canonicalSize, true, true)));
            Manifest m = index.commitNew(model, version -> new Manifest(model, version, facts.architecture(),
                    facts.hyperParams(), facts.tensors(), sourceName, normalized.sourceSha256(), sourceSize,
                    clock.getAsLong(), new BlobRef(canonicalSha, canonicalSize), new BlobRef(tokenizerSha, tokenizerSize),
                    normalized.summary(), List.of(whole)));
            double seconds = (System.nanoTime() - t0) / 1e9;
            LOG.infof("imported %s version %d from %s (%s) in %.1f s (%s/s): %s", model, m.version(), sourceName,
                    Sizes.human(sourceSize), seconds, Sizes.human((long) (sourceSize / Math.max(seconds, 1e-3))),
                    normalized.summary());
            return m;
        } finally {
            index.unpin(pinned);
            index.collect(pinned);
        }
    }

    /** A file's size, or the total size of the regular files in a directory tree. */
    private static long sizeOf(Path source) throws IOException {
        if (!Files.isDirectory(source)) {
            return Files.size(source);
        }
        long total = 0;
        try (Stream<Path> files = Files.walk(source)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                total += Files.size(f);
            }
        }
        return total;
    }

    /** The uploaded file's base name, kept only for the record; anything odd becomes "upload.gguf". */
    private static String sourceName(String fileName) {
        if (fileName == null || fileName.isBlank()) {
            return "upload.gguf";
        }
        String base = fileName.replace('\\', '/');
        base = base.substring(base.lastIndexOf('/') + 1);
        return base.matches("[A-Za-z0-9._-]{1,200}") && !base.startsWith(".") ? base : "upload.gguf";
    }
}
