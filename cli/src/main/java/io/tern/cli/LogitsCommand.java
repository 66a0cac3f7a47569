package io.tern.cli;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.ModelLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;

@Command(name = "logits", mixinStandardHelpOptions = true,
        description = "Feed token ids and print {\"pos\", \"input\", \"logits\"} per position, one JSON object per line.")
final class LogitsCommand implements Callable<Integer> {
    @Mixin ModelArgs modelArgs;

    @Option(names = "--tokens", required = true, split = ",", description = "comma-separated token ids")
    int[] tokens;

    @Option(names = "--batch", description = "feed all ids in one step instead of one per step")
    boolean batch;

    @Override
    public Integer call() throws Exception {
        PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
        try (BitNetModel model = ModelLoader.load(modelArgs.model, modelArgs.options())) {
            int vocab = model.config().vocab();
            ForwardPass pass = new ForwardPass(model, batch ? tokens.length : 1);
            KvCache cache = pass.newCache(tokens.length);
            if (batch) {
                float[] logits = pass.forward(tokens, cache, true);
                for (int p = 0; p < tokens.length; p++) print(out, p, tokens[p], logits, p * vocab, vocab);
            } else {
                for (int p = 0; p < tokens.length; p++) {
                    float[] logits = pass.forward(new int[]{tokens[p]}, cache, false);
                    print(out, p, tokens[p], logits, 0, vocab);
                }
            }
        }
        out.flush();
        return 0;
    }

    private static void print(PrintStream out, int pos, int input, float[] logits, int off, int vocab) {
        StringBuilder sb = new StringBuilder(vocab * 12);
        sb.append("{\"pos\": ").append(pos).append(", \"input\": ").append(input).append(", \"logits\": [");
        for (int i = 0; i < vocab; i++) {
            if (i > 0) sb.append(", ");
            sb.append(Float.toString(logits[off + i]));
        }
        out.println(sb.append("]}"));
    }

}
