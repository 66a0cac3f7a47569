package io.tern.engine.gguf;

import java.io.IOException;

/** A GGUF file (or a value asked of it) is malformed: the message names the file, key or tensor at fault. */
public class GgufFormatException extends IOException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
