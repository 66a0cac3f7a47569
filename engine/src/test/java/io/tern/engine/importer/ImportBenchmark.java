package io.tern.engine.importer;

import io.tern.engine.gguf.GgmlType;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.engine.testmodel.TestModelGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Import throughput on the BitNet 2B4T shape (not a test: prints figures). Writes a bitnet-b1.58 I2_S GGUF and a
 * packed Hugging Face directory of the same weights into the given work directory, then imports each.
 * {@code java ... ImportBenchmark /tmp/work}
 */
public final class ImportBenchmark {
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/tmp/tern-import-bench");
        Files.createDirectories(work);
        Path gguf = work.resolve("2b4t-i2s.gguf");
        long t0 = System.nanoTime();
        if (!Files.exists(gguf)) {
            new TestModelGenerator(BitNetShape.b2b4t().withArch(BitNetShape.BITNET_CPP_ARCH))
                    .weightType(GgmlType.I2_S).seed(1).write(gguf);
            System.out.printf(Locale.ROOT, "generated %s in %.1f s%n", gguf, (System.nanoTime() - t0) / 1e9);
        }
        Path hf = work.resolve("2b4t-hf");
        if (!Files.exists(hf.resolve("model.safetensors"))) {
            t0 = System.nanoTime();
            new HfTestModel().write(gguf, hf);
            System.out.printf(Locale.ROOT, "wrote %s in %.1f s%n", hf, (System.nanoTime() - t0) / 1e9);
        }
        run("gguf (I2_S, bitnet-b1.58)", gguf, work.resolve("out-gguf.gguf"));
        run("hf (packed uint8)", hf, work.resolve("out-hf.gguf"));
    }

    private static void run(String what, Path source, Path out) throws Exception {
        long t0 = System.nanoTime();
        long[] last = new long[2];
        ImportResult r = ModelImporter.importModel(source, out, (d, t) -> {
            last[0] = d;
            last[1] = t;
        });
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d tensors, %.0f MB read (incl. hashing), %.0f MB written in %.1f s "
                        + "= %.0f MB/s of source%n", what, r.tensors().size(), last[1] / 1e6, r.outBytes() / 1e6, s,
                last[1] / 1e6 / s);
    }
}
