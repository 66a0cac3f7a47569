package io.tern.store.rest;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.tern.store.TinyModels;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * REST uploads over a deliberately small {@code tern.store.max-upload-bytes} (1 MiB): refused with 413
 * and nothing left on disk, whether the body declares its length or is chunked; and an upload is
 * written to disk while it arrives, not gathered on the heap first. Requests are written by hand on a
 * socket so the test decides when each byte is sent.
 */
@QuarkusTest
@TestProfile(UploadLimitTest.SmallCap.class)
class UploadLimitTest {

    static final long CAP = 1 << 20;
    static final Path ROOT = Path.of("target/upload-limit-store");

    public static class SmallCap implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("tern.store.max-upload-bytes", Long.toString(CAP), "tern.store.root", ROOT.toString());
        }
    }

    @TestHTTPResource("/")
    URL base;

    static byte[] model;

    @BeforeAll
    static void model() throws IOException {
        model = Files.readAllBytes(TinyModels.write(Path.of("target/test-models"), 1));
        assertTrue(model.length < CAP, "the test model fits under the cap: " + model.length);
    }

    @Test
    void declaredLengthOverTheCapIs413BeforeAnythingIsStored() throws IOException {
        String name = StoreRestTest.uniqueName("too-big");
        Set<Path> before = files();
        byte[] body = Arrays.copyOf(model, (int) CAP + 1);
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head(name, "Content-Length: " + body.length));
            out.write(body);
            out.flush();
            assertTooLarge(readResponse(s.getInputStream()));
        }
        assertEquals(before, files(), "nothing is left under the store root");
        given().when().get("/v1/models/{name}", name).then().statusCode(404);
    }

    @Test
    void chunkedBodyPastTheCapIs413AndItsPartialFileIsDeleted() throws IOException {
        String name = StoreRestTest.uniqueName("too-big-chunked");
        Set<Path> before = files();
        byte[] chunk = new byte[64 << 10];
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head(name, "Transfer-Encoding: chunked"));
            for (long sent = 0; sent <= CAP; sent += chunk.length) {
                out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(chunk);
                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertTooLarge(readResponse(s.getInputStream()));
        }
        assertEquals(before, files(), "the partial upload is deleted");
        given().when().get("/v1/models/{name}", name).then().statusCode(404);
    }

    /**
     * Sends the first half of the model, then holds the rest back until the store has written that
     * half to its work file: a server that gathered the body before handing it on would never get
     * there (the wait ends the test with a failure instead).
     */
    @Test
    void uploadIsWrittenToDiskAsItArrives() throws Exception {
        String name = StoreRestTest.uniqueName("streamed");
        String fileName = name + ".gguf";
        int half = model.length / 2;
        try (Socket s = connect()) {
            OutputStream out = s.getOutputStream();
            out.write(head(name + "?filename=" + fileName, "Content-Length: " + model.length));
            out.write(model, 0, half);
            out.flush();
            long onDisk = 0;
            for (int i = 0; i < 3000 && onDisk < half; i++) {
                onDisk = workFile(fileName).map(UploadLimitTest::size).orElse(0L);
                Thread.sleep(20);
            }
            assertEquals(half, onDisk, "the first half of the upload is on disk before the second half is sent");
            out.write(model, half, model.length - half);
            out.flush();
            String response = readResponse(s.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 201"), response);
        }
        given().when().get("/v1/models/{name}", name).then().statusCode(200);
    }

    private static void assertTooLarge(String response) {
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.contains("\"error\":\"too_large\""), response);
        assertTrue(response.contains("at most " + CAP + " bytes") && response.contains("tern.store.max-upload-bytes"), response);
    }

    private Socket connect() throws IOException {
        Socket s = new Socket(base.getHost(), base.getPort());
        s.setSoTimeout(120_000);
        return s;
    }

    private byte[] head(String pathAfterModels, String lengthHeader) {
        String name = pathAfterModels.contains("?") ? pathAfterModels.substring(0, pathAfterModels.indexOf('?')) : pathAfterModels;
        String query = pathAfterModels.substring(name.length());
        return ("POST /v1/models/" + name + "/versions" + query + " HTTP/1.1\r\n"
                + "Host: " + base.getHost() + ":" + base.getPort() + "\r\n"
                + "Authorization: Bearer " + StoreRestTest.TOKEN + "\r\n"
                + "Content-Type: application/octet-stream\r\n"
                + lengthHeader + "\r\n"
                + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static String readResponse(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    /** Every file under the store root (readiness probes come and go, so they are left out). */
    private static Set<Path> files() throws IOException {
        if (!Files.exists(ROOT)) {
            return Set.of();
        }
        try (Stream<Path> all = Files.walk(ROOT)) {
            return all.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().startsWith(".probe-"))
                    .collect(Collectors.toSet());
        }
    }

    private static Optional<Path> workFile(String fileName) throws IOException {
        try (Stream<Path> all = Files.walk(ROOT)) {
            return all.filter(p -> p.getFileName().toString().equals(fileName)).findFirst();
        }
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // deleted meanwhile
        }
    }
}
