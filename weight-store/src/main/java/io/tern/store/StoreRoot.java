package io.tern.store;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The directory under which the store keeps everything ({@code tern.store.root}). */
@ApplicationScoped
public class StoreRoot {

    private final Path root;

    public StoreRoot(@ConfigProperty(name = "tern.store.root") Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path path() {
        return root;
    }

    /**
     * Why the store cannot work in its root right now, or empty when it can. Creates the root if missing,
     * then proves it is writable by creating and deleting a probe file.
     */
    public Optional<String> problem() {
        try {
            if (Files.exists(root) && !Files.isDirectory(root)) {
                return Optional.of("store root " + root + " is not a directory");
            }
            Files.createDirectories(root);
            if (!Files.isReadable(root)) {
                return Optional.of("store root " + root + " is not readable");
            }
            Path probe = Files.createTempFile(root, ".probe-", ".tmp");
            Files.delete(probe);
            return Optional.empty();
        } catch (IOException | SecurityException e) {
            return Optional.of("store root " + root + " is not writable: " + e);
        }
    }
}
