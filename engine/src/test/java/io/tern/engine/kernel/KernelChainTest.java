package io.tern.engine.kernel;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class KernelChainTest {

    @Test
    void forcedProvidersAreThoseProviders() {
        assertEquals("scalar", KernelChain.select("scalar").name());
        assertTrue(KernelChain.select("vector").name().startsWith("vector"));
        assertTrue(KernelChain.select(" Vector ").name().startsWith("vector"));
    }

    @Test
    void autoPrefersNativeWhenItLoads() {
        boolean nativeLoads;
        try {
            NativeKernel.load(null);
            nativeLoads = true;
        } catch (IllegalStateException e) {
            nativeLoads = false;
        }
        String name = KernelChain.select("auto").name();
        assertTrue(name.startsWith(nativeLoads ? "native" : "vector"), name);
    }

    @Test
    void forcedNativeThatCannotLoadSaysWhyAndAutoFallsBack() {
        String old = System.getProperty("tern.native.path");
        System.setProperty("tern.native.path", "/nonexistent/libternkernels.so");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> KernelChain.select("native"));
            assertTrue(e.getMessage().contains("/nonexistent/libternkernels.so"), e.getMessage());
            assertTrue(KernelChain.select("auto").name().startsWith("vector"));
        } finally {
            if (old == null) System.clearProperty("tern.native.path");
            else System.setProperty("tern.native.path", old);
        }
    }

    @Test
    void unknownChoiceIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KernelChain.select("gpu"));
        assertTrue(e.getMessage().contains("gpu"));
    }
}
