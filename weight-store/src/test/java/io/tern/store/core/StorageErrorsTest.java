package io.tern.store.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import org.junit.jupiter.api.Test;

class StorageErrorsTest {

    @Test
    void fullDiskBecomesNoSpaceWithAClearMessage() {
        IOException full = new FileSystemException("/store/tmp/import-1/source.gguf", null, "No space left on device");
        StoreException e = StorageErrors.map(full, "importing model 'tiny'");
        assertEquals(StoreException.Kind.NO_SPACE, e.kind());
        assertTrue(e.getMessage().contains("disk is full"), e.getMessage());
        assertTrue(e.getMessage().contains("importing model 'tiny'"), e.getMessage());

        IOException wrapped = new IOException("write failed", new IOException("No space left on device"));
        assertEquals(StoreException.Kind.NO_SPACE, StorageErrors.map(wrapped, "x").kind());
    }

    @Test
    void otherIoErrorsAreInternal() {
        StoreException e = StorageErrors.map(new IOException("Input/output error"), "reading a blob");
        assertEquals(StoreException.Kind.INTERNAL, e.kind());
        assertTrue(e.getMessage().contains("reading a blob"));
    }

    @Test
    void versionNumbersMustBePositiveIntegers() {
        assertEquals(12, Names.version("12"));
        for (String bad : new String[] {"0", "-1", "1.5", "x", "", "99999999999"}) {
            assertEquals(StoreException.Kind.INVALID,
                    org.junit.jupiter.api.Assertions.assertThrows(StoreException.class, () -> Names.version(bad)).kind(), bad);
        }
    }
}
