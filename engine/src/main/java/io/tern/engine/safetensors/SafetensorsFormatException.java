package io.tern.engine.safetensors;

import java.io.IOException;

/** A safetensors file that is malformed: the message names the file and the problem. */
public final class SafetensorsFormatException extends IOException {
    public SafetensorsFormatException(String message) {
        super(message);
    }
}
