package io.tern.engine.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.SymbolLookup;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * Finds and opens libternkernels.so: the path in system property {@code tern.native.path} if set, else the copy the
 * Maven build put on the class path under native/linux-x86_64/ (inside a jar: copied to a temp file, opened, and the
 * file deleted at once — the mapping outlives it — so killed processes leave nothing behind in the temp directory).
 */
public final class NativeLibrary {
    static final String RESOURCE = "/native/linux-x86_64/libternkernels.so";

    // The kernels and the stream baseline share one copy (extracting it from the jar is file I/O); a different
    // tern.native.path opens that file instead.
    private static SymbolLookup opened;
    private static String openedFor;

    private NativeLibrary() {}

    /** The library, opened (and extracted from the jar) once per process. @throws IllegalStateException naming why it cannot be used here */
    public static synchronized SymbolLookup open() {
        String forced = System.getProperty("tern.native.path", "");
        if (opened == null || !forced.equals(openedFor)) {
            opened = load();
            openedFor = forced;
        }
        return opened;
    }

    private static SymbolLookup load() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "");
        if (!os.contains("linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
            throw new IllegalStateException("native kernels are built for linux-x86_64 only, this is " + os + "/" + arch);
        }
        String forced = System.getProperty("tern.native.path");
        if (forced != null && !forced.isBlank()) {
            Path p = Path.of(forced);
            if (!Files.isRegularFile(p)) throw new IllegalStateException("tern.native.path=" + forced + " is not a file");
            return lookup(p);
        }
        URL url = NativeLibrary.class.getResource(RESOURCE);
        if (url == null) {
            throw new IllegalStateException(RESOURCE + " is not on the class path (the build found no C compiler: install gcc and rebuild)");
        }
        return open(url, Path.of(System.getProperty("java.io.tmpdir")));
    }

    /** The library at url: opened in place if it is a file, else copied into dir, opened, and the copy deleted. */
    static SymbolLookup open(URL url, Path dir) {
        try {
            if ("file".equals(url.getProtocol())) return lookup(Path.of(url.toURI()));
            Path tmp = Files.createTempFile(dir, "ternkernels", ".so");
            try {
                try (InputStream in = url.openStream()) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                return lookup(tmp);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot extract " + url + ": " + e.getMessage(), e);
        }
    }

    private static SymbolLookup lookup(Path path) {
        try {
            return SymbolLookup.libraryLookup(path, Arena.global());
        } catch (IllegalArgumentException | IllegalCallerException e) {
            throw new IllegalStateException("cannot load " + path + ": " + e.getMessage(), e);
        }
    }
}
