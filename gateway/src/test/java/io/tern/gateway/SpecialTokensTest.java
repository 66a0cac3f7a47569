package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import io.grpc.ManagedChannel;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.generate.Generator;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.engine.tokenizer.Vocabulary;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
import io.tern.proto.gateway.v1.FinishReason;
import io.tern.proto.gateway.v1.GenerateRequest;
import io.tern.proto.gateway.v1.GenerateResponse;
import io.tern.proto.gateway.v1.TernGatewayGrpc;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Special tokens the model generates (the test vocabulary's control tokens, e.g.
 * {@code <|reserved_special_token_3|>}) are left out of the text by default and kept on request, over
 * the Tern gRPC API and the OpenAI API; ids and counts always include them.
 */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class SpecialTokensTest {

    static final int MAX_TOKENS = 32;

    @TestHTTPResource("/")
    URL baseUrl;

    @TestHTTPResource("/v1")
    URL v1;

    @Inject
    WorkerDiscovery discovery;

    private ManagedChannel channel;
    private TernGatewayGrpc.TernGatewayBlockingStub gateway;

    /** A sampled completion with a control token between two runs of text, and its text both ways. */
    record Case(SamplingParams sampling, Generator.Result engine, String withSpecial, String skipped, int specialAt) {
    }

    @BeforeEach
    void connect() {
        discovery.round();
        channel = TestChannels.open(baseUrl);
        gateway = TernGatewayGrpc.newBlockingStub(channel).withDeadlineAfter(120, TimeUnit.SECONDS);
    }

    @AfterEach
    void disconnect() throws InterruptedException {
        TestChannels.close(channel);
    }

    @Test
    void grpcTextLeavesSpecialTokensOutUnlessAskedToKeepThem() {
        Case c = findCase();
        GenerateResponse plain = gateway.generateUnary(GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling).build());
        assertArrayEquals(c.engine.tokens(), GenerationTest.ints(plain.getTokenIdsList()), "ids include the special token");
        assertEquals(c.engine.tokens().length, plain.getUsage().getCompletionTokens());
        assertEquals(c.skipped, plain.getText());
        assertFalse(plain.getText().contains("<|"), plain.getText());

        GenerateResponse kept = gateway.generateUnary(keep(GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling)));
        assertArrayEquals(c.engine.tokens(), GenerationTest.ints(kept.getTokenIdsList()));
        assertEquals(c.withSpecial, kept.getText(), "with skip_special_tokens=false the text is the engine's");
        assertTrue(kept.getText().contains("<|"), kept.getText());
    }

    @Test
    void grpcStreamAddsUpToTheSameTextBothWays() {
        Case c = findCase();
        assertEquals(c.skipped, streamedText(GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling).build()));
        assertEquals(c.withSpecial, streamedText(keep(GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling))));
    }

    @Test
    void stopStringMatchesAcrossASkippedToken() {
        Case c = findCase();
        // One character either side of where the special token was: it matches only once the token is left out.
        String stop = c.skipped.substring(c.specialAt - 1, c.specialAt + 1);
        var sampling = GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling).getSampling().toBuilder().addStop(stop);
        GenerateResponse got = gateway.generateUnary(GenerationTest.request(GenerationTest.PROMPT, MAX_TOKENS, c.sampling)
                .setSampling(sampling).build());
        assertEquals(c.skipped.substring(0, c.skipped.indexOf(stop)), got.getText());
        assertEquals(FinishReason.STOP, got.getFinishReason());
    }

    @Test
    void openAiCompletionsSkipByDefaultAndKeepWithTheVllmField() {
        Case c = findCase();
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("not-checked").maxRetries(0)
                .timeout(Duration.ofMinutes(2)).build();
        CompletionCreateParams params = CompletionCreateParams.builder().model(TinyModels.MODEL)
                .prompt(GenerationTest.PROMPT).maxTokens(MAX_TOKENS).temperature((double) c.sampling.temperature())
                .topP((double) c.sampling.topP()).seed(c.sampling.seed()).build();
        CompletionCreateParams keep = params.toBuilder()
                .putAdditionalBodyProperty("skip_special_tokens", JsonValue.from(false)).build();

        Completion plain = client.completions().create(params);
        assertEquals(c.skipped, plain.choices().getFirst().text());
        assertEquals(c.engine.tokens().length, plain.usage().orElseThrow().completionTokens());
        assertEquals(c.withSpecial, client.completions().create(keep).choices().getFirst().text());
        assertEquals(c.skipped, streamed(client, params));
        assertEquals(c.withSpecial, streamed(client, keep));
    }

    private static String streamed(OpenAIClient client, CompletionCreateParams params) {
        StringBuilder text = new StringBuilder();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> text.append(choice.text())));
        }
        return text.toString();
    }

    private String streamedText(GenerateRequest request) {
        StringBuilder text = new StringBuilder();
        gateway.generate(request).forEachRemaining(chunk -> text.append(chunk.getTextDelta()));
        return text.toString();
    }

    private static GenerateRequest keep(GenerateRequest.Builder request) {
        return request.setSampling(request.getSampling().toBuilder().setSkipSpecialTokens(false)).build();
    }

    private static Case found;

    /**
     * Samples with the single engine, seed after seed, until the completion holds a control token
     * with text on both sides, the text before it whole UTF-8 on its own (so no character spans it).
     */
    static synchronized Case findCase() {
        if (found != null) {
            return found;
        }
        Tokenizer t = EngineReference.tokenizer();
        for (long seed = 1; seed <= 500; seed++) {
            SamplingParams p = new SamplingParams(1.0f, 0, 1f, seed);
            Generator.Result r = EngineReference.generate(GenerationTest.PROMPT, MAX_TOKENS, p);
            int[] ids = r.tokens();
            int at = IntStream.range(0, ids.length).filter(i -> EngineReference.isControl(ids[i])).findFirst().orElse(-1);
            if (at < 1) {
                continue;
            }
            byte[] before = bytes(t, ids, 0, at);
            String skipped = EngineReference.visibleText(r);
            if (!isUtf8(before) || skipped.length() <= new String(before, StandardCharsets.UTF_8).length()) {
                continue;
            }
            String beforeText = new String(before, StandardCharsets.UTF_8);
            assertTrue(skipped.startsWith(beforeText));
            assertTrue(r.text().startsWith(beforeText + new String(t.tokenBytes(ids[at]), StandardCharsets.UTF_8)),
                    "the engine's text keeps the special token: " + r.text());
            found = new Case(p, r, r.text(), skipped, beforeText.length());
            return found;
        }
        throw new AssertionError("no seed in 1..500 made the test model generate a control token inside its text");
    }

    private static byte[] bytes(Tokenizer t, int[] ids, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = from; i < to; i++) {
            out.writeBytes(t.tokenBytes(ids[i]));
        }
        return out.toByteArray();
    }

    private static boolean isUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }
}
