package io.tern.gateway;

import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Checks a request and turns it into token ids: model and version exist, sampling settings are in
 * range, the prompt fits the context. Every refusal names the field at fault.
 */
@ApplicationScoped
public class RequestValidator {

    @Inject
    GatewayConfig config;

    @Inject
    VersionResolver versions;

    @Inject
    TokenizerSource tokenizers;

    @Inject
    PipelineRegistry registry;

    public static String newRequestId() {
        return "req-" + UUID.randomUUID();
    }

    public PreparedRequest prepare(GenerateCall call, String requestId) {
        GenerateCall.Sampling s = call.sampling() == null ? GenerateCall.Sampling.DEFAULTS : call.sampling();
        long maxTokens = s.maxTokens() == null ? config.defaultMaxTokens() : s.maxTokens();
        if (maxTokens < 0) {
            throw GatewayException.invalid("max_tokens", "max_tokens must be >= 0, got " + maxTokens);
        }
        double temperature = s.temperature() == null ? call.defaultTemperature() : s.temperature();
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw GatewayException.invalid("temperature", "temperature must be a finite number >= 0, got " + temperature);
        }
        double topP = s.topP() == null ? 1.0 : s.topP();
        if (!(topP > 0 && topP <= 1)) {
            throw GatewayException.invalid("top_p", "top_p must be in (0, 1], got " + topP);
        }
        long topK = s.topK() == null ? 0 : s.topK();
        if (topK < 0 || topK > Integer.MAX_VALUE) {
            throw GatewayException.invalid("top_k", "top_k must be >= 0, got " + topK);
        }
        long seed = s.seed() == null ? ThreadLocalRandom.current().nextLong() : s.seed();
        List<String> stop = s.stop() == null ? List.of() : s.stop().stream().filter(x -> !x.isEmpty()).toList();
        if ((call.prompt() == null) == (call.chat() == null)) {
            throw GatewayException.invalid("prompt", "give either a prompt or chat messages");
        }

        VersionResolver.Resolution resolution = versions.resolve(call.model(), nonNull(call.version()), nonNull(call.alias()));
        TokenizerSource.ModelTokenizer mt = tokenizers.get(resolution.model(), resolution.version());
        Tokenizer tokenizer = mt.tokenizer();
        String promptText;
        int[] ids;
        String param;
        if (call.prompt() != null) {
            param = "prompt";
            promptText = call.prompt();
            ids = tokenizer.encodeWithBos(promptText, false);
        } else {
            param = "messages";
            promptText = mt.chat().render(call.chat());
            int[] body = tokenizer.encode(promptText, true);
            ids = withBos(tokenizer, body);
        }
        if (ids.length == 0) {
            throw GatewayException.invalid(param, "the prompt is empty");
        }
        int context = registry.pick(resolution.model(), resolution.version()).map(Pipeline::contextLength)
                .filter(c -> c > 0).orElse(Integer.MAX_VALUE);
        if (ids.length >= context) {
            throw GatewayException.invalid(param, "the prompt has " + ids.length + " tokens but the context of "
                    + resolution.model() + "@" + resolution.version() + " is " + context
                    + " tokens (the prompt must leave room for at least 1 generated token)");
        }
        int budget = (int) Math.min(maxTokens, context - ids.length);
        SamplingParams params = new SamplingParams((float) temperature, (int) topK, (float) topP, seed);
        return new PreparedRequest(requestId, call, resolution, mt, ids, promptText, params,
                (int) Math.min(maxTokens, Integer.MAX_VALUE), budget, stop,
                s.skipSpecialTokens() == null || s.skipSpecialTokens());
    }

    private static int[] withBos(Tokenizer tokenizer, int[] body) {
        if (tokenizer.bos() < 0) {
            return body;
        }
        int[] ids = new int[body.length + 1];
        ids[0] = tokenizer.bos();
        System.arraycopy(body, 0, ids, 1, body.length);
        return ids;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
