package io.tern.deploy.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the runtime classpath of the Kafka broker, written by the build of this module to
 * {@code deploy/kafka-broker/target/kafka-classpath.txt}.
 *
 * <p>Lookup order: system property {@value #FILE_PROPERTY}, environment variable {@value #FILE_ENV},
 * then {@code $TERN_HOME/}{@value #RELATIVE_FILE}, then {@value #RELATIVE_FILE} under the working
 * directory or any of its parents (so it works from the repo root and from any module).
 */
final class KafkaClasspath {

    static final String FILE_PROPERTY = "tern.kafka.classpath.file";
    static final String FILE_ENV = "TERN_KAFKA_CLASSPATH_FILE";
    static final String RELATIVE_FILE = "deploy/kafka-broker/target/kafka-classpath.txt";

    private KafkaClasspath() {
    }

    /** The classpath string, checked: the file exists and every entry in it exists. */
    static String locate() {
        Path file = locateFile();
        String classpath;
        try {
            classpath = Files.readString(file).strip();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Kafka classpath file " + file, e);
        }
        if (classpath.isEmpty()) {
            throw new IllegalStateException("Kafka classpath file " + file + " is empty");
        }
        for (String entry : classpath.split(java.io.File.pathSeparator)) {
            if (!Files.exists(Path.of(entry))) {
                throw new IllegalStateException("Kafka classpath file " + file + " lists a missing jar: " + entry
                        + " (rebuild it: ./mvnw -pl deploy/kafka-broker package)");
            }
        }
        return classpath;
    }

    static Path locateFile() {
        List<Path> tried = new ArrayList<>();
        String explicit = System.getProperty(FILE_PROPERTY, System.getenv(FILE_ENV));
        if (explicit != null && !explicit.isBlank()) {
            Path file = Path.of(explicit);
            if (Files.isRegularFile(file)) {
                return file;
            }
            throw new IllegalStateException("Kafka classpath file given by -D" + FILE_PROPERTY + " / " + FILE_ENV
                    + " does not exist: " + file);
        }
        String ternHome = System.getenv("TERN_HOME");
        if (ternHome != null && !ternHome.isBlank()) {
            Path file = Path.of(ternHome).resolve(RELATIVE_FILE);
            if (Files.isRegularFile(file)) {
                return file;
            }
            tried.add(file);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(RELATIVE_FILE);
            if (Files.isRegularFile(file)) {
                return file;
            }
            tried.add(file);
        }
        throw new IllegalStateException("Kafka broker classpath file not found (tried " + tried + "). Build it with "
                + "`./mvnw -pl deploy/kafka-broker package` or point -D" + FILE_PROPERTY + " / " + FILE_ENV + " at it.");
    }
}
