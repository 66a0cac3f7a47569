package io.tern.engine.kernel;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.SymbolLookup;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class NativeLibraryTest {

    /** Services run from jars: the library is copied out, opened, and the copy deleted at once (a killed process leaves nothing). */
    @Test
    void aLibraryInsideAJarOpensAndLeavesNoFileBehind(@TempDir Path dir) throws IOException {
        URL built = NativeLibrary.class.getResource(NativeLibrary.RESOURCE);
        assumeTrue(built != null, "no C compiler at build time: no native library to package");
        Path jar = dir.resolve("kernels.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar)); InputStream in = built.openStream()) {
            out.putNextEntry(new JarEntry(NativeLibrary.RESOURCE.substring(1)));
            in.transferTo(out);
        }
        Path extractTo = Files.createDirectory(dir.resolve("tmp"));
        URL inJar = java.net.URI.create("jar:" + jar.toUri() + "!" + NativeLibrary.RESOURCE).toURL();

        SymbolLookup lib = NativeLibrary.open(inJar, extractTo);

        assertTrue(lib.find("tern_cpu_features").isPresent(), "the opened copy has the library's symbols");
        try (Stream<Path> left = Files.list(extractTo)) {
            assertEquals(0, left.count(), "the extracted copy is deleted once opened");
        }
    }

    @Test
    void aMissingEntryIsAClearErrorAndLeavesNoFile(@TempDir Path dir) throws IOException {
        Path jar = dir.resolve("empty.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry("other.txt"));
        }
        Path extractTo = Files.createDirectory(dir.resolve("tmp"));
        URL missing = java.net.URI.create("jar:" + jar.toUri() + "!" + NativeLibrary.RESOURCE).toURL();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> NativeLibrary.open(missing, extractTo));
        assertTrue(e.getMessage().startsWith("cannot extract"), e.getMessage());
        try (Stream<Path> left = Files.list(extractTo)) {
            assertEquals(0, left.count());
        }
    }
}
