package io.tern.engine.safetensors;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses and checks a safetensors header: u64 little-endian length N, N bytes of JSON
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {string: string}}}, then the data.
 */
final class SafetensorsHeader {
    /** The reference implementation refuses headers above 100 MB; so do we. */
    static final long MAX_HEADER = 100L << 20;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    record Parsed(long dataStart, List<SafetensorsTensor> tensors, Map<String, String> metadata) {
    }

    private SafetensorsHeader() {
    }

    static Parsed parse(MemorySegment file, String source) throws SafetensorsFormatException {
        long size = file.byteSize();
        if (size < 8) {
            throw bad(source, "file of " + size + " bytes is too short for the 8-byte header length");
        }
        long n = file.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n <= 0 || n > MAX_HEADER || n > size - 8) {
            throw bad(source, "header length " + Long.toUnsignedString(n) + " is impossible for a file of " + size
                    + " bytes (at most " + Math.min(MAX_HEADER, size - 8) + ")");
        }
        byte[] json = file.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        JsonNode root;
        try {
            root = MAPPER.readTree(new String(json, StandardCharsets.UTF_8));
        } catch (JsonProcessingException e) {
            throw bad(source, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw bad(source, "header is not a JSON object");
        }
        long dataStart = 8 + n;
        long dataLength = size - dataStart;
        List<SafetensorsTensor> tensors = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equals(METADATA_KEY)) {
                readMetadata(e.getValue(), metadata, source);
            } else {
                tensors.add(tensor(e.getKey(), e.getValue(), dataLength, source));
            }
        }
        checkOverlaps(tensors, source);
        return new Parsed(dataStart, List.copyOf(tensors), Map.copyOf(metadata));
    }

    private static void readMetadata(JsonNode node, Map<String, String> out, String source)
            throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw bad(source, METADATA_KEY + " is not an object");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw bad(source, METADATA_KEY + " value of '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().asText());
        }
    }

    private static SafetensorsTensor tensor(String name, JsonNode node, long dataLength, String source)
            throws SafetensorsFormatException {
        if (!node.isObject()) {
            throw bad(source, "tensor '" + name + "' is not an object");
        }
        JsonNode dt = node.get("dtype");
        if (dt == null || !dt.isTextual()) {
            throw bad(source, "tensor '" + name + "' has no dtype string");
        }
        SafetensorsDtype dtype = SafetensorsDtype.parse(dt.asText());
        if (dtype == null) {
            throw bad(source, "tensor '" + name + "' has unknown dtype '" + dt.asText() + "'");
        }
        JsonNode sh = node.get("shape");
        if (sh == null || !sh.isArray()) {
            throw bad(source, "tensor '" + name + "' has no shape array");
        }
        long[] shape = new long[sh.size()];
        long elements = 1;
        for (int i = 0; i < shape.length; i++) {
            JsonNode d = sh.get(i);
            if (!d.isIntegralNumber() || !d.canConvertToLong() || d.asLong() < 0) {
                throw bad(source, "tensor '" + name + "' has a bad dimension " + d + " in its shape");
            }
            shape[i] = d.asLong();
            elements = multiply(elements, shape[i], name, source);
        }
        JsonNode off = node.get("data_offsets");
        if (off == null || !off.isArray() || off.size() != 2 || !isOffset(off.get(0)) || !isOffset(off.get(1))) {
            throw bad(source, "tensor '" + name + "' needs data_offsets [begin, end] of non-negative integers, got "
                    + off);
        }
        long begin = off.get(0).asLong();
        long end = off.get(1).asLong();
        if (begin > end || end > dataLength) {
            throw bad(source, "tensor '" + name + "' data_offsets [" + begin + ", " + end
                    + "] lie outside the data section of " + dataLength + " bytes");
        }
        long expected = multiply(elements, dtype.size(), name, source);
        if (end - begin != expected) {
            throw bad(source, "tensor '" + name + "' holds " + (end - begin) + " bytes, but shape "
                    + java.util.Arrays.toString(shape) + " of " + dtype + " needs " + expected);
        }
        return new SafetensorsTensor(name, dtype, shape, begin, end);
    }

    private static boolean isOffset(JsonNode n) {
        return n.isIntegralNumber() && n.canConvertToLong() && n.asLong() >= 0;
    }

    private static long multiply(long a, long b, String name, String source) throws SafetensorsFormatException {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            throw bad(source, "tensor '" + name + "' is too large (size overflows)");
        }
    }

    private static void checkOverlaps(List<SafetensorsTensor> tensors, String source)
            throws SafetensorsFormatException {
        List<SafetensorsTensor> byBegin = new ArrayList<>(tensors);
        byBegin.removeIf(t -> t.byteSize() == 0);
        byBegin.sort(Comparator.comparingLong(SafetensorsTensor::begin));
        for (int i = 1; i < byBegin.size(); i++) {
            SafetensorsTensor a = byBegin.get(i - 1);
            SafetensorsTensor b = byBegin.get(i);
            if (b.begin() < a.end()) {
                throw bad(source, "tensors '" + a.name() + "' [" + a.begin() + ", " + a.end() + ") and '" + b.name()
                        + "' [" + b.begin() + ", " + b.end() + ") overlap");
            }
        }
    }

    private static SafetensorsFormatException bad(String source, String problem) {
        return new SafetensorsFormatException(source + ": " + problem);
    }
}
