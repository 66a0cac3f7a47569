package io.tern.gateway;

import io.tern.engine.gguf.GgufFile;
import io.tern.engine.model.GgufTokenizer;
import io.tern.engine.tokenizer.Tokenizer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * The tokenizer (and chat template) of each model version: from the weight-store's tokenizer blob
 * (a metadata-only GGUF), else from {@code tern.gateway.tokenizer-file}. Loaded once per version.
 */
@ApplicationScoped
public class TokenizerSource {

    private static final Logger LOG = Logger.getLogger(TokenizerSource.class);

    /** A loaded tokenizer with the chat format of its model. */
    public record ModelTokenizer(Tokenizer tokenizer, ChatTemplate chat) {
    }

    @Inject
    GatewayConfig config;

    @Inject
    WeightStore store;

    private final Map<String, ModelTokenizer> byVersion = new ConcurrentHashMap<>();

    public ModelTokenizer get(String model, String version) {
        return byVersion.computeIfAbsent(model + "@" + version, k -> load(model, version));
    }

    private ModelTokenizer load(String model, String version) {
        Optional<Path> file = Optional.empty();
        if (store.client().isPresent()) {
            try {
                file = fromStore(store.client().get(), model, version);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("tokenizer of %s@%s not available from the store: %s", model, version, e.getMessage());
            }
        }
        Path path = file.or(() -> config.tokenizerFile().map(Path::of)).orElseThrow(() -> new GatewayException(
                GatewayException.Kind.UNAVAILABLE, "no tokenizer for " + model + "@" + version
                + ": the store has none and tern.gateway.tokenizer-file is not set"));
        try (GgufFile gguf = GgufFile.open(path)) {
            var md = gguf.metadata();
            return new ModelTokenizer(GgufTokenizer.load(md),
                    ChatTemplate.forTemplate(md.getString("tokenizer.chat_template").orElse(null)));
        } catch (IOException e) {
            throw new GatewayException(GatewayException.Kind.UNAVAILABLE, "cannot load tokenizer from " + path + ": " + e.getMessage());
        }
    }

    private Optional<Path> fromStore(StoreClient client, String model, String version) throws IOException {
        Optional<String> sha = client.tokenizerBlob(model, version);
        if (sha.isEmpty()) {
            return Optional.empty();
        }
        Path dir = Path.of(config.tokenizerCacheDir().orElse(System.getProperty("java.io.tmpdir") + "/tern-gateway/tokenizers"));
        Path target = dir.resolve(sha.get() + ".gguf");
        client.download(sha.get(), target);
        return Optional.of(target);
    }
}
