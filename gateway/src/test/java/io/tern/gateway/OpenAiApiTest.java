package io.tern.gateway;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.errors.BadRequestException;
import com.openai.errors.NotFoundException;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.Completion;
import com.openai.models.completions.CompletionCreateParams;
import com.openai.models.completions.CompletionUsage;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.tern.engine.generate.Generator;
import io.tern.engine.sampler.SamplingParams;
import io.tern.engine.tokenizer.Tokenizer;
import io.tern.gateway.testworker.TinyModels;
import io.tern.gateway.testworker.WorkerPipelineResource;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible HTTP API, driven by the official OpenAI Java SDK and by raw HTTP. */
@QuarkusTest
@WithTestResource(LocalKafkaResource.class)
@WithTestResource(WorkerPipelineResource.class)
class OpenAiApiTest {

    @TestHTTPResource("/v1")
    URL v1;

    @Inject
    WorkerDiscovery discovery;

    private OpenAIClient client;

    @BeforeEach
    void connect() {
        discovery.round();
        client = OpenAIOkHttpClient.builder().baseUrl(v1.toString()).apiKey("not-checked").maxRetries(0)
                .timeout(Duration.ofMinutes(2)).build();
    }

    @Test
    void officialClientCompletions() {
        Generator.Result expected = EngineReference.generate(GenerationTest.PROMPT, 16, SamplingParams.GREEDY);
        CompletionCreateParams params = CompletionCreateParams.builder().model(TinyModels.MODEL)
                .prompt(GenerationTest.PROMPT).maxTokens(16).temperature(0.0).build();

        Completion whole = client.completions().create(params);
        assertEquals(EngineReference.visibleText(expected), whole.choices().getFirst().text());
        CompletionUsage usage = whole.usage().orElseThrow();
        assertEquals(expected.promptIds().length, usage.promptTokens());
        assertEquals(expected.tokens().length, usage.completionTokens());

        StringBuilder streamed = new StringBuilder();
        AtomicReference<String> finish = new AtomicReference<>();
        try (StreamResponse<Completion> stream = client.completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(c -> {
                streamed.append(c.text());
                c._finishReason().asKnown().ifPresent(f -> finish.set(f.asString()));
            }));
        }
        assertEquals(EngineReference.visibleText(expected), streamed.toString());
        assertEquals(expected.finish() == Generator.FinishReason.STOP ? "stop" : "length", finish.get());
    }

    @Test
    void officialClientChatCompletions() {
        List<ChatTemplate.Message> messages = List.of(new ChatTemplate.Message("system", "You are brief."),
                new ChatTemplate.Message("user", "hello world"));
        Tokenizer t = EngineReference.tokenizer();
        int[] body = t.encode(ChatTemplate.forTemplate(null).render(messages), true);
        int[] ids = new int[body.length + 1];
        ids[0] = t.bos();
        System.arraycopy(body, 0, ids, 1, body.length);
        SamplingParams sampling = new SamplingParams(0.8f, 0, 1f, 11);
        Generator.Result expected = EngineReference.generate(ids, 12, sampling);

        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder().model(TinyModels.MODEL)
                .addSystemMessage("You are brief.").addUserMessage("hello world")
                .maxCompletionTokens(12).temperature(0.8).seed(11).build();
        ChatCompletion whole = client.chat().completions().create(params);
        assertEquals(EngineReference.visibleText(expected), whole.choices().getFirst().message().content().orElse(""));
        assertEquals(ids.length, whole.usage().orElseThrow().promptTokens());
        assertEquals(expected.tokens().length, whole.usage().orElseThrow().completionTokens());

        StringBuilder streamed = new StringBuilder();
        AtomicReference<CompletionUsage> usage = new AtomicReference<>();
        ChatCompletionCreateParams streaming = params.toBuilder()
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build()).build();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(streaming)) {
            stream.stream().forEach(chunk -> {
                chunk.choices().forEach(c -> c.delta().content().ifPresent(streamed::append));
                chunk.usage().ifPresent(usage::set);
            });
        }
        assertEquals(EngineReference.visibleText(expected), streamed.toString());
        assertEquals(expected.tokens().length, usage.get().completionTokens());
    }

    @Test
    void officialClientSeesOpenAiErrors() {
        var notFound = assertThrows(NotFoundException.class, () -> client.completions().create(CompletionCreateParams.builder()
                .model("no-such-model").prompt("hi").maxTokens(2).build()));
        assertTrue(notFound.getMessage().contains("no-such-model"), notFound.getMessage());
        var bad = assertThrows(BadRequestException.class, () -> client.completions().create(CompletionCreateParams.builder()
                .model(TinyModels.MODEL).prompt("hi").maxTokens(-1).build()));
        assertEquals("max_tokens", bad.param().orElse(""));
    }

    @Test
    void modelsAndRawHttpErrors() {
        given().when().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItem(TinyModels.MODEL))
                .body("data.id", hasItem(TinyModels.MODEL + "@" + TinyModels.VERSION));

        java.io.ByteArrayOutputStream invalid = new java.io.ByteArrayOutputStream();
        invalid.writeBytes("{\"model\":\"tiny\",\"prompt\":\"hi ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        invalid.write(0xFF);
        invalid.writeBytes("\"}".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] invalidUtf8 = invalid.toByteArray();
        given().contentType("application/json").body(invalidUtf8).when().post("/v1/completions")
                .then().statusCode(400)
                .body("error.type", equalTo("invalid_request_error"))
                .body("error.message", containsString("UTF-8"));

        given().contentType("application/json").body("{\"model\":\"tiny\",\"prompt\":\"hi\",\"temperature\":-0.5}")
                .when().post("/v1/completions")
                .then().statusCode(400).body("error.param", equalTo("temperature"));

        String longPrompt = "hello ".repeat(600);
        given().contentType("application/json")
                .body("{\"model\":\"tiny\",\"messages\":[{\"role\":\"user\",\"content\":\"" + longPrompt + "\"}]}")
                .when().post("/v1/chat/completions")
                .then().statusCode(400)
                .body("error.param", equalTo("messages"))
                .body("error.message", containsString("context of tiny@v1 is 512 tokens"));

        given().contentType("application/json").body("{\"model\":\"ghost\",\"prompt\":\"hi\"}")
                .when().post("/v1/completions")
                .then().statusCode(404).body("error.code", equalTo("model_not_found"));
    }

    @Test
    void streamIsServerSentEventsEndingInDone() {
        given().contentType("application/json")
                .body("{\"model\":\"tiny\",\"prompt\":\"hello\",\"max_tokens\":5,\"temperature\":0,\"stream\":true}")
                .when().post("/v1/completions")
                .then().statusCode(200)
                .header("Content-Type", startsWith("text/event-stream"))
                .body(startsWith("data: {"))
                .body(endsWith("data: [DONE]\n\n"));
    }
}
