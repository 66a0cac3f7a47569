package io.tern.engine.safetensors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The tensors of a Hugging Face checkpoint: one {@code model.safetensors}, or the files named by
 * {@code model.safetensors.index.json} ({@code weight_map}: tensor → file). Every file stays mapped until
 * {@link #close()}.
 */
public final class SafetensorsCheckpoint implements AutoCloseable {
    public static final String SINGLE_FILE = "model.safetensors";
    public static final String INDEX_FILE = "model.safetensors.index.json";

    private final List<SafetensorsFile> files;
    private final Map<String, SafetensorsFile> fileOf; // tensor name -> its file, in a stable order

    private SafetensorsCheckpoint(List<SafetensorsFile> files, Map<String, SafetensorsFile> fileOf) {
        this.files = files;
        this.fileOf = fileOf;
    }

    /** True if {@code dir} holds a single-file or sharded checkpoint. */
    public static boolean isCheckpoint(Path dir) {
        return Files.isRegularFile(dir.resolve(INDEX_FILE)) || Files.isRegularFile(dir.resolve(SINGLE_FILE));
    }

    /** Opens the checkpoint in {@code dir}; the sharded index wins when both forms are present. */
    public static SafetensorsCheckpoint open(Path dir) throws IOException {
        Path index = dir.resolve(INDEX_FILE);
        if (Files.isRegularFile(index)) {
            return openIndexed(dir, index);
        }
        Path single = dir.resolve(SINGLE_FILE);
        if (!Files.isRegularFile(single)) {
            throw new SafetensorsFormatException(dir + ": neither " + SINGLE_FILE + " nor " + INDEX_FILE + " found");
        }
        SafetensorsFile f = SafetensorsFile.open(single);
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        for (SafetensorsTensor t : f.tensors()) {
            fileOf.put(t.name(), f);
        }
        return new SafetensorsCheckpoint(List.of(f), fileOf);
    }

    private static SafetensorsCheckpoint openIndexed(Path dir, Path index) throws IOException {
        Map<String, String> weightMap = readWeightMap(index);
        Map<String, SafetensorsFile> byFileName = new LinkedHashMap<>();
        Map<String, SafetensorsFile> fileOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                String fileName = e.getValue();
                SafetensorsFile f = byFileName.get(fileName);
                if (f == null) {
                    Path p = dir.resolve(fileName).normalize();
                    if (!p.getParent().equals(dir.normalize()) || !Files.isRegularFile(p)) {
                        throw new SafetensorsFormatException(INDEX_FILE + ": tensor '" + e.getKey() + "' is mapped to '"
                                + fileName + "', which is not a file in " + dir);
                    }
                    f = SafetensorsFile.open(p);
                    byFileName.put(fileName, f);
                }
                if (f.tensor(e.getKey()).isEmpty()) {
                    throw new SafetensorsFormatException(INDEX_FILE + ": tensor '" + e.getKey() + "' is mapped to '"
                            + fileName + "', which does not contain it");
                }
                fileOf.put(e.getKey(), f);
            }
        } catch (IOException | RuntimeException e) {
            byFileName.values().forEach(SafetensorsFile::close);
            throw e;
        }
        return new SafetensorsCheckpoint(List.copyOf(byFileName.values()), fileOf);
    }

    private static Map<String, String> readWeightMap(Path index) throws IOException {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(index.toFile());
        } catch (JsonProcessingException e) {
            throw new SafetensorsFormatException(INDEX_FILE + " is not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject() || map.isEmpty()) {
            throw new SafetensorsFormatException(INDEX_FILE + " has no weight_map object");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = map.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new SafetensorsFormatException(INDEX_FILE + ": weight_map entry '" + e.getKey()
                        + "' is not a file name");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    /** The mapped files, in index order. */
    public List<Path> files() {
        List<Path> out = new ArrayList<>();
        for (SafetensorsFile f : files) {
            out.add(f.path());
        }
        return out;
    }

    /** All tensor names. */
    public List<String> names() {
        return Collections.unmodifiableList(new ArrayList<>(fileOf.keySet()));
    }

    public Optional<SafetensorsTensor> tensor(String name) {
        SafetensorsFile f = fileOf.get(name);
        return f == null ? Optional.empty() : f.tensor(name);
    }

    /** The bytes of a tensor of this checkpoint. */
    public MemorySegment data(SafetensorsTensor t) {
        SafetensorsFile f = fileOf.get(t.name());
        if (f == null) {
            throw new IllegalArgumentException("tensor '" + t.name() + "' is not in this checkpoint");
        }
        return f.data(t);
    }

    /** Bytes of tensor data over all tensors. */
    public long tensorBytes() {
        long n = 0;
        for (String name : fileOf.keySet()) {
            n += tensor(name).orElseThrow().byteSize();
        }
        return n;
    }

    @Override
    public void close() {
        files.forEach(SafetensorsFile::close);
    }
}
