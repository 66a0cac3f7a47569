package io.tern.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * Imports a model into a weight-store: a GGUF file is streamed to it (with a progress bar); a
 * Hugging Face directory is imported by path, so the store must run on this host.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Import a GGUF file or a Hugging Face BitNet directory into the weight-store as a new version.")
final class ImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "FILE|DIR") Path source;
    @Option(names = "--model", required = true, description = "model name") String model;
    @Option(names = "--alias", description = "point this alias (e.g. stable, canary) at the new version") String alias;
    @Option(names = "--store", defaultValue = "http://127.0.0.1:8081", description = "weight-store base URL") String store;
    @Option(names = "--token", description = "admin token (default: $TERN_STORE_ADMIN_TOKEN)") String token;

    @Override
    public Integer call() throws Exception {
        if (!Files.exists(source)) throw new IllegalArgumentException(source + " does not exist");
        String adminToken = token != null ? token : System.getenv("TERN_STORE_ADMIN_TOKEN");
        if (adminToken == null) throw new IllegalArgumentException("no admin token: pass --token or set TERN_STORE_ADMIN_TOKEN");
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = store.replaceAll("/+$", "") + "/v1/models/" + enc(model);
        HttpRequest.Builder req;
        if (Files.isDirectory(source)) {
            System.err.println("importing directory " + source.toAbsolutePath() + " (by path: the store reads it from this host) ...");
            String body = "{\"path\": " + json(source.toAbsolutePath().toString()) + (alias != null ? ", \"alias\": " + json(alias) : "") + "}";
            req = HttpRequest.newBuilder(URI.create(base + "/import")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body));
        } else {
            long size = Files.size(source);
            String q = "?source=gguf&filename=" + enc(source.getFileName().toString()) + (alias != null ? "&alias=" + enc(alias) : "");
            Progress progress = new Progress(size);
            req = HttpRequest.newBuilder(URI.create(base + "/versions" + q)).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.fromPublisher(
                            HttpRequest.BodyPublishers.ofInputStream(() -> progress.wrap(source)), size));
        }
        HttpResponse<String> r = http.send(req.header("Authorization", "Bearer " + adminToken)
                .timeout(Duration.ofHours(2)).build(), HttpResponse.BodyHandlers.ofString());
        System.err.println();
        if (r.statusCode() / 100 != 2) {
            System.err.println("tern: import failed: HTTP " + r.statusCode() + ": " + r.body());
            return 1;
        }
        System.out.println(r.body());
        return 0;
    }

    private static String enc(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8); }

    private static String json(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    /** Draws "uploading  42% (512 MB / 1.2 GB)" on stderr as bytes leave. */
    private static final class Progress {
        private final long total;
        private long sent;
        private int shown = -1;

        Progress(long total) { this.total = total; }

        InputStream wrap(Path file) {
            try {
                return new FilterInputStream(Files.newInputStream(file)) {
                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        int n = super.read(b, off, len);
                        if (n > 0) advance(n);
                        return n;
                    }
                };
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }

        private void advance(int n) {
            sent += n;
            int pct = total == 0 ? 100 : (int) (sent * 100 / total);
            if (pct != shown) {
                shown = pct;
                System.err.printf(Locale.ROOT, "\ruploading %3d%% (%.1f MB / %.1f MB)", pct, sent / 1e6, total / 1e6);
            }
        }
    }
}
