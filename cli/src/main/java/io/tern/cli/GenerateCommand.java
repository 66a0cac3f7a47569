package io.tern.cli;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.generate.Generator;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.Tokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.Callable;

@Command(name = "generate", mixinStandardHelpOptions = true, description = "Generate text from a prompt with a local model.")
final class GenerateCommand implements Callable<Integer> {
    @Mixin ModelArgs modelArgs;

    @Option(names = "--prompt", required = true) String prompt;
    @Option(names = "--max-tokens", defaultValue = "128") int maxTokens;
    @Option(names = "--temperature", defaultValue = "0", description = "0 = greedy") float temperature;
    @Option(names = "--top-k", defaultValue = "0", description = "0 = off") int topK;
    @Option(names = "--top-p", defaultValue = "1") float topP;
    @Option(names = "--seed", defaultValue = "42") long seed;
    @Option(names = "--batch", defaultValue = "256", description = "prompt tokens per prefill step") int batch;
    @Option(names = "--special", description = "print control tokens too (default: left out, as the gateway does)") boolean special;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 0) throw new IllegalArgumentException("--max-tokens must be >= 0");
        SamplingParams params = new SamplingParams(temperature, topK, topP, seed);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        try (BitNetModel model = ModelLoader.load(modelArgs.model, modelArgs.options())) {
            Tokenizer tokenizer = GgufTokenizer.load(model.file().metadata());
            int[] ids = tokenizer.encodeWithBos(prompt, false);
            Generator generator = new Generator(new ForwardPass(model, Math.max(1, batch)), tokenizer, !special);
            out.print(prompt);
            Generator.Result r = generator.generate(ids, maxTokens, params, out::print);
            out.println();
            System.err.printf(Locale.ROOT, "prompt: %d tokens, %.1f tok/s | decode: %d tokens, %.1f tok/s | finish: %s | kernel: %s%n",
                    ids.length, r.prefillTokensPerSecond(), r.tokens().length, r.decodeTokensPerSecond(),
                    r.finish().name().toLowerCase(Locale.ROOT), model.kernelName());
        }
        return 0;
    }
}
