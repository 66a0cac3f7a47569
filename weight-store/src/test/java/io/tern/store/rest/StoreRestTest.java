package io.tern.store.rest;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import io.tern.engine.gguf.GgufFile;
import io.tern.engine.testmodel.HfTestModel;
import io.tern.store.ShardChain;
import io.tern.store.TinyModels;
import io.tern.store.blob.Sha256;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

@QuarkusTest
class StoreRestTest {
    static final String TOKEN = "test-admin-token";
    static Path tiny;
    static byte[] bytes;

    @BeforeAll
    static void model() throws IOException {
        tiny = TinyModels.write(Path.of("target/test-models"), 1);
        bytes = Files.readAllBytes(tiny);
    }

    static String uniqueName(String prefix) {
        return prefix + "-" + Long.toString(System.nanoTime(), 36);
    }

    static RequestSpecification admin() {
        return given().header("Authorization", "Bearer " + TOKEN);
    }

    @Test
    void uploadVersionsAliasesDeleteAndShards() {
        String name = uniqueName("rest");
        int v1 = admin().contentType(ContentType.BINARY).body(bytes).queryParam("filename", "tiny-1.gguf")
                .when().post("/v1/models/{name}/versions", name)
                .then().statusCode(201)
                .header("Location", endsWith("/v1/models/" + name + "/versions/1"))
                .body("model", equalTo(name))
                .body("sourceFile", equalTo("tiny-1.gguf"))
                .body("sourceSha256", equalTo(sha(bytes)))
                .body("hyperParams.n_layers", equalTo("3"))
                .body("tokenizer.sha256", notNullValue())
                .body("shardPlans[0].shardCount", equalTo(1))
                .extract().path("version");
        assertEquals(1, v1);
        admin().contentType(ContentType.JSON).body(Map.of("path", tiny.toAbsolutePath().toString(), "alias", "canary"))
                .when().post("/v1/models/{name}/import", name)
                .then().statusCode(201).body("version", equalTo(2));

        given().when().get("/v1/models").then().statusCode(200).body("name", hasItem(name));
        given().when().get("/v1/models/{name}", name).then().statusCode(200)
                .body("versions.version", equalTo(java.util.List.of(1, 2)))
                .body("aliases.canary", equalTo(2));

        admin().contentType(ContentType.JSON).body(Map.of("version", 1))
                .when().put("/v1/models/{name}/aliases/stable", name).then().statusCode(200)
                .body("alias", equalTo("stable")).body("version", equalTo(1));
        admin().contentType(ContentType.JSON).body(Map.of("version", 2))
                .when().put("/v1/models/{name}/aliases/stable", name).then().statusCode(200)
                .body("previousVersion", equalTo(1));
        given().when().get("/v1/models/{name}", name).then()
                .body("aliases.stable", equalTo(2))
                .body("aliasHistory", hasSize(3));

        admin().when().delete("/v1/models/{name}/versions/2", name).then().statusCode(409)
                .body("message", containsString("canary, stable"));
        admin().when().delete("/v1/models/{name}/versions/1", name).then().statusCode(204);
        given().when().get("/v1/models/{name}/versions/1", name).then().statusCode(404);

        given().queryParam("count", 3).when().get("/v1/models/{name}/versions/2/shards", name).then().statusCode(200)
                .body("shardCount", equalTo(3))
                .body("shards.layerStart", equalTo(java.util.List.of(0, 1, 2)))
                .body("shards.layerEnd", equalTo(java.util.List.of(1, 2, 3)))
                .body("shards.hasEmbedding", equalTo(java.util.List.of(true, false, false)));
        given().queryParam("count", 4).when().get("/v1/models/{name}/versions/2/shards", name).then().statusCode(400)
                .body("message", containsString("between 1 and 3"));
        given().when().get("/v1/models/{name}/versions/2/shards", name).then().statusCode(400);
    }

    @Test
    void blobDownloadWithRanges() {
        String name = uniqueName("blob");
        String sha = admin().contentType(ContentType.BINARY).body(bytes)
                .when().post("/v1/models/{name}/versions", name).then().statusCode(201)
                .body("sourceSha256", equalTo(sha(bytes)))
                .extract().path("canonical.sha256");
        byte[] whole = given().when().get("/v1/blobs/{sha}", sha).then().statusCode(200)
                .header("Accept-Ranges", "bytes").extract().asByteArray();
        assertEquals(sha, sha(whole), "the blob's bytes hash to its name");
        assertEquals("GGUF", new String(whole, 0, 4, java.nio.charset.StandardCharsets.US_ASCII));
        byte[] part = given().header("Range", "bytes=100-1099").when().get("/v1/blobs/{sha}", sha).then()
                .statusCode(206).header("Content-Range", "bytes 100-1099/" + whole.length)
                .extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 100, 1100), part);
        byte[] tail = given().header("Range", "bytes=" + (whole.length - 10) + "-").when().get("/v1/blobs/{sha}", sha)
                .then().statusCode(206).extract().asByteArray();
        assertArrayEquals(Arrays.copyOfRange(whole, whole.length - 10, whole.length), tail);
        given().header("Range", "bytes=" + whole.length + "-").when().get("/v1/blobs/{sha}", sha).then().statusCode(416);
        given().when().get("/v1/blobs/{sha}", "0".repeat(64)).then().statusCode(404);
        given().when().get("/v1/blobs/{sha}", "not-a-sha").then().statusCode(400);
    }

    @Test
    void huggingFaceDirectoryImportsByPathAndItsShardsGiveTheSameLogits() throws IOException {
        Path hf = TinyModels.writeHf(Path.of("target/test-models"), 4).toAbsolutePath();
        String name = uniqueName("hf");
        String canonicalSha = admin().contentType(ContentType.JSON)
                .body(Map.of("path", hf.toString(), "alias", "stable"))
                .when().post("/v1/models/{name}/import", name)
                .then().statusCode(201)
                .body("version", equalTo(1))
                .body("architecture", equalTo("bitnet"))
                .body("sourceFile", equalTo(hf.getFileName().toString()))
                .body("sourceSha256", org.hamcrest.Matchers.matchesPattern("[0-9a-f]{64}"))
                .body("hyperParams.linear_type", equalTo("I2_S"))
                .body("importSummary", containsString("Hugging Face directory"))
                .body("tensors.find { it.name == 'blk.1.ffn_down.weight' }.type", equalTo("I2_S"))
                .extract().path("canonical.sha256");
        given().when().get("/v1/models/{name}", name).then().statusCode(200).body("aliases.stable", equalTo(1));

        Path canonical = download(canonicalSha);
        try (GgufFile g = GgufFile.open(canonical)) {
            assertEquals(HfTestModel.CHAT_TEMPLATE, g.metadata().requireString("tokenizer.chat_template"));
        }
        var shards = given().queryParam("count", 2).when().get("/v1/models/{name}/versions/1/shards", name)
                .then().statusCode(200).body("shardCount", equalTo(2))
                .extract().jsonPath().getList("shards.blobSha256", String.class);
        List<Path> chain = new ArrayList<>();
        for (String sha : shards) {
            chain.add(download(sha));
        }
        int[] prompt = {1, 17, 42, 7, 250};
        assertArrayEquals(ShardChain.logits(List.of(canonical), prompt, 99), ShardChain.logits(chain, prompt, 99),
                "two shards in a chain give the canonical file's logits exactly");
    }

    /** A blob fetched over REST into target/, checked against its sha256. */
    private static Path download(String sha) throws IOException {
        byte[] b = given().when().get("/v1/blobs/{sha}", sha).then().statusCode(200).extract().asByteArray();
        assertEquals(sha, sha(b));
        Path out = Files.createDirectories(Path.of("target/test-downloads")).resolve(sha + ".gguf");
        Files.write(out, b);
        return out;
    }

    @Test
    void writesNeedTheAdminToken() {
        String name = uniqueName("auth");
        given().contentType(ContentType.BINARY).body(bytes).when().post("/v1/models/{name}/versions", name)
                .then().statusCode(401).body("message", containsString("Authorization: Bearer"));
        given().header("Authorization", "Bearer wrong").contentType(ContentType.BINARY).body(bytes)
                .when().post("/v1/models/{name}/versions", name).then().statusCode(403);
        given().contentType(ContentType.JSON).body(Map.of("version", 1))
                .when().put("/v1/models/{name}/aliases/stable", name).then().statusCode(401);
        given().when().delete("/v1/models/{name}/versions/1", name).then().statusCode(401);
        given().when().get("/v1/models/{name}", name).then().statusCode(404);
    }

    @Test
    void badInputsAreRefusedWithTheReason() throws IOException {
        admin().contentType(ContentType.BINARY).body(bytes).when().post("/v1/models/{name}/versions", "Bad_Name")
                .then().statusCode(400).body("message", containsString("must match"));
        admin().contentType(ContentType.BINARY).body(bytes).when().post("/v1/models/{name}/versions", "x".repeat(65))
                .then().statusCode(400).body("message", containsString("at most 64"));
        admin().contentType(ContentType.BINARY).body(bytes).when().post("/v1/models/{name}/versions", "a..b")
                .then().statusCode(400).body("message", containsString("'..'"));
        // Dot segments are resolved by the HTTP layer before routing: they never reach the store.
        admin().contentType(ContentType.BINARY).body(bytes).urlEncodingEnabled(false)
                .when().post("/v1/models/%2E%2E/versions").then().statusCode(org.hamcrest.Matchers.anyOf(
                        equalTo(400), equalTo(404)));
        admin().contentType(ContentType.BINARY).body(bytes).urlEncodingEnabled(false)
                .when().post("/v1/models/..%2F..%2Fetc/versions").then().statusCode(org.hamcrest.Matchers.anyOf(
                        equalTo(400), equalTo(404)));
        admin().contentType(ContentType.JSON).body(Map.of("version", 1))
                .when().put("/v1/models/{name}/aliases/{alias}", "tiny", "-bad").then().statusCode(400);
        given().when().get("/v1/models/{name}", "nope-never-made").then().statusCode(404)
                .body("error", equalTo("not_found"));
        given().when().get("/v1/models/{name}/versions/{v}", "nope-never-made", "abc").then().statusCode(400);
        admin().contentType(ContentType.JSON).body(Map.of("path", "/no/such/file.gguf"))
                .when().post("/v1/models/{name}/import", uniqueName("imp")).then().statusCode(400)
                .body("message", containsString("no such file"));

        String name = uniqueName("trunc");
        admin().contentType(ContentType.BINARY).body(Arrays.copyOf(bytes, bytes.length / 2))
                .when().post("/v1/models/{name}/versions", name).then().statusCode(400)
                .body("message", containsString("extends beyond the end of the file"));
        given().when().get("/v1/models/{name}", name).then().statusCode(404);
        try (var s = Files.list(Path.of("target/test-store/tmp"))) {
            assertEquals(java.util.List.of(), s.toList(), "nothing left behind");
        }
    }

    @Test
    void openApiDocumentIsServed() {
        given().when().get("/q/openapi").then().statusCode(200)
                .body(containsString("/v1/models/{name}/versions"))
                .body(containsString("/v1/blobs/{sha256}"));
    }

    private static String sha(byte[] b) {
        java.security.MessageDigest d = Sha256.digest();
        return java.util.HexFormat.of().formatHex(d.digest(b));
    }
}
