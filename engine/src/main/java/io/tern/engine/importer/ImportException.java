package io.tern.engine.importer;

import java.io.IOException;

/** A model that cannot be imported: the message names the file, tensor or key and what is wrong with it. */
public final class ImportException extends IOException {
    public ImportException(String message) {
        super(message);
    }

    public ImportException(String message, Throwable cause) {
        super(message, cause);
    }
}
