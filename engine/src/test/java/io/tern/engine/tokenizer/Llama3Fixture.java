package io.tern.engine.tokenizer;

import java.io.IOException;
import java.nio.file.Path;

/** The LLaMA-3 tokenizer from test resources, loaded once per test JVM. */
final class Llama3Fixture {

    private static Tokenizer tokenizer;

    private Llama3Fixture() {}

    static synchronized Tokenizer tokenizer() throws IOException {
        if (tokenizer == null) {
            long start = System.nanoTime();
            tokenizer = Tokenizer.fromHuggingFace(Path.of("src/test/resources/tokenizer/llama3/tokenizer.json.gz"));
            System.out.printf("loaded tokenizer.json.gz in %d ms%n", (System.nanoTime() - start) / 1_000_000);
        }
        return tokenizer;
    }
}
