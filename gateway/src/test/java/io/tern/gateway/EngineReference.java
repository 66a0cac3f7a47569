package io.tern.gateway;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.generate.Generator;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.engine.tokenizer.Vocabulary;
import io.tern.gateway.testworker.TinyModels;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;

/** The single-engine answer (as `tern generate` computes it) for the whole, unsharded test model. */
final class EngineReference {

    private static BitNetModel model;
    private static Tokenizer tokenizer;

    private EngineReference() {
    }

    static synchronized Tokenizer tokenizer() {
        load();
        return tokenizer;
    }

    static synchronized Generator.Result generate(String prompt, int maxTokens, SamplingParams params) {
        load();
        return generate(tokenizer.encodeWithBos(prompt, false), maxTokens, params);
    }

    static synchronized Generator.Result generate(int[] ids, int maxTokens, SamplingParams params) {
        load();
        return new Generator(new ForwardPass(model, 256), tokenizer).generate(ids, maxTokens, params, piece -> { });
    }

    /** The completion text the gateway returns by default: the engine's, without special (control) tokens. */
    static synchronized String visibleText(Generator.Result r) {
        load();
        return tokenizer.decode(Arrays.stream(r.tokens()).filter(id -> !isControl(id)).toArray());
    }

    static synchronized boolean isControl(int id) {
        load();
        return tokenizer.vocabulary().typeOf(id) == Vocabulary.TYPE_CONTROL;
    }

    private static void load() {
        if (model == null) {
            try {
                model = ModelLoader.load(TinyModels.full(), ModelOptions.defaults().withThreads(1));
                tokenizer = GgufTokenizer.load(model.file().metadata());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
