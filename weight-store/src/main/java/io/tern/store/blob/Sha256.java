package io.tern.store.blob;

import io.tern.store.core.StoreException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** SHA-256 digests as lower-case hex, computed by streaming. */
public final class Sha256 {
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    static final int BUFFER = 1 << 20;

    private Sha256() {
    }

    public static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static String hex(MessageDigest d) {
        return HexFormat.of().formatHex(d.digest());
    }

    /** Streams the file through SHA-256. */
    public static String of(Path file) throws IOException {
        MessageDigest d = digest();
        ByteBuffer buf = ByteBuffer.allocateDirect(BUFFER);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            while (ch.read(buf) >= 0) {
                buf.flip();
                d.update(buf);
                buf.clear();
            }
        }
        return hex(d);
    }

    /** The sha256 if it is 64 lower-case hex digits, else INVALID (it is used as a file name). */
    public static String check(String sha256) {
        if (sha256 == null || !HEX.matcher(sha256).matches()) {
            throw StoreException.invalid("'" + sha256 + "' is not a sha256 (64 lower-case hex digits)");
        }
        return sha256;
    }
}
