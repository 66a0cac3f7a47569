package io.tern.engine.importer;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;

/**
 * SHA-256 of an import source. A single file (a GGUF) hashes to the SHA-256 of its bytes, as {@code sha256sum}
 * prints it. A directory hashes to the SHA-256 of a manifest: one line {@code "<sha256>  <file name>\n"} per input
 * file, sorted by name, so the same checkpoint gives the same digest wherever it lies.
 */
final class SourceDigest {
    private SourceDigest() {
    }

    static long bytes(List<Path> files) throws IOException {
        long n = 0;
        for (Path p : files) {
            n += Files.size(p);
        }
        return n;
    }

    static String ofFile(Path file, ProgressTracker progress) throws IOException {
        return HexFormat.of().formatHex(digest(file, progress));
    }

    static String ofFiles(List<Path> files, ProgressTracker progress) throws IOException {
        TreeMap<String, String> lines = new TreeMap<>();
        for (Path p : files) {
            lines.put(p.getFileName().toString(), ofFile(p, progress));
        }
        StringBuilder manifest = new StringBuilder();
        lines.forEach((name, sha) -> manifest.append(sha).append("  ").append(name).append('\n'));
        return HexFormat.of().formatHex(sha256().digest(manifest.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static byte[] digest(Path file, ProgressTracker progress) throws IOException {
        MessageDigest md = sha256();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buf)) > 0) {
                md.update(buf, 0, n);
                progress.advance(n);
            }
        }
        return md.digest();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }
}
