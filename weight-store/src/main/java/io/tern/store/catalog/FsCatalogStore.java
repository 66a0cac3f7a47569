package io.tern.store.catalog;

import io.tern.store.blob.Durable;
import io.tern.store.core.StoreException;
import java.io.IOException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The catalog as files:
 * <pre>
 * models/&lt;model&gt;/versions/&lt;n&gt;/manifest.json   a live version
 * models/&lt;model&gt;/versions/&lt;n&gt;.deleted        tombstone: number n is used up
 * models/&lt;model&gt;/aliases.json                 aliases + their history
 * tmp/                                        work area (same file system), emptied at start-up
 * </pre>
 * A version appears by renaming a complete directory into {@code versions/}; files are replaced by rename.
 */
public final class FsCatalogStore implements CatalogStore {
    private static final String MANIFEST = "manifest.json";
    private static final String DELETED = ".deleted";

    private final Path models;
    private final Path tmp;

    public FsCatalogStore(Path root) throws IOException {
        this.models = root.resolve("models");
        this.tmp = root.resolve("tmp");
        Files.createDirectories(models);
        Files.createDirectories(tmp);
    }

    private Path versionsDir(String model) {
        return models.resolve(model).resolve("versions");
    }

    private Path versionDir(String model, int version) {
        return versionsDir(model).resolve(Integer.toString(version));
    }

    private Path tombstone(String model, int version) {
        return versionsDir(model).resolve(version + DELETED);
    }

    @Override
    public List<String> models() throws IOException {
        try (Stream<Path> s = Files.list(models)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Override
    public List<Manifest> versions(String model) throws IOException {
        List<Manifest> out = new ArrayList<>();
        for (int v : numbers(model, false)) {
            Path m = versionDir(model, v).resolve(MANIFEST);
            if (Files.isRegularFile(m) && !Files.exists(tombstone(model, v))) {
                out.add(Json.read(m, Manifest.class));
            }
        }
        out.sort(Comparator.comparingInt(Manifest::version));
        return out;
    }

    @Override
    public Optional<Manifest> manifest(String model, int version) throws IOException {
        Path m = versionDir(model, version).resolve(MANIFEST);
        if (!Files.isRegularFile(m) || Files.exists(tombstone(model, version))) {
            return Optional.empty();
        }
        return Optional.of(Json.read(m, Manifest.class));
    }

    /** Version numbers that have a directory, and with {@code withTombstones} also deleted ones. */
    private List<Integer> numbers(String model, boolean withTombstones) throws IOException {
        Path dir = versionsDir(model);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Integer> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                boolean dead = n.endsWith(DELETED);
                String digits = dead ? n.substring(0, n.length() - DELETED.length()) : n;
                if ((withTombstones || !dead) && !digits.isEmpty() && digits.length() < 10
                        && digits.chars().allMatch(Character::isDigit)) {
                    out.add(Integer.parseInt(digits));
                }
            }
        }
        return out;
    }

    @Override
    public int highestVersion(String model) throws IOException {
        return numbers(model, true).stream().mapToInt(Integer::intValue).max().orElse(0);
    }

    @Override
    public void commitVersion(Manifest manifest) throws IOException {
        Path staging = tmp.resolve("version-" + UUID.randomUUID());
        Files.createDirectories(staging);
        try {
            Path m = staging.resolve(MANIFEST);
            Files.write(m, Json.write(manifest));
            Durable.fsync(m);
            Durable.fsyncDir(staging);
            Files.createDirectories(versionsDir(manifest.model()));
            Path target = versionDir(manifest.model(), manifest.version());
            if (Files.exists(target) || Files.exists(tombstone(manifest.model(), manifest.version()))) {
                throw StoreException.conflict("version " + manifest.version() + " of " + manifest.model() + " exists already");
            }
            Durable.move(staging, target);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
            throw StoreException.conflict("version " + manifest.version() + " of " + manifest.model() + " exists already");
        } finally {
            Durable.deleteTree(staging);
        }
    }

    @Override
    public void updateManifest(Manifest manifest) throws IOException {
        Path dir = versionDir(manifest.model(), manifest.version());
        if (!Files.isDirectory(dir)) {
            throw StoreException.notFound("version " + manifest.version() + " of " + manifest.model() + " not found");
        }
        Durable.write(dir.resolve(MANIFEST), Json.write(manifest), tmp);
    }

    @Override
    public void deleteVersion(String model, int version) throws IOException {
        Path dir = versionDir(model, version);
        if (!Files.isDirectory(dir)) {
            throw StoreException.notFound("version " + version + " of " + model + " not found");
        }
        // The tombstone is the commit point; the directory is only garbage after it.
        Durable.write(tombstone(model, version), new byte[0], tmp);
        Path trash = tmp.resolve("deleted-" + UUID.randomUUID());
        Durable.move(dir, trash);
        Durable.deleteTree(trash);
    }

    @Override
    public AliasTable aliases(String model) throws IOException {
        Path f = models.resolve(model).resolve("aliases.json");
        return Files.isRegularFile(f) ? Json.read(f, AliasTable.class) : AliasTable.EMPTY;
    }

    @Override
    public void writeAliases(String model, AliasTable table) throws IOException {
        Path dir = models.resolve(model);
        Files.createDirectories(dir);
        Durable.write(dir.resolve("aliases.json"), Json.write(table), tmp);
    }

    @Override
    public boolean removeIfEmpty(String model) throws IOException {
        Path dir = models.resolve(model);
        if (!Files.isDirectory(dir) || Files.exists(dir.resolve("aliases.json")) || !numbers(model, true).isEmpty()) {
            return false;
        }
        Durable.deleteTree(dir);
        return true;
    }

    /** Drops directories of deleted versions whose removal was interrupted, and empty model directories. */
    @Override
    public void cleanLeftovers() throws IOException {
        for (String model : models()) {
            for (int v : numbers(model, false)) {
                Path dir = versionDir(model, v);
                if (Files.exists(tombstone(model, v)) || !Files.isRegularFile(dir.resolve(MANIFEST))) {
                    Durable.deleteTree(dir);
                }
            }
            removeIfEmpty(model);
        }
    }
}
