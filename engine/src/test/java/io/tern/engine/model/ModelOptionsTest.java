package io.tern.engine.model;

import io.tern.engine.forward.KvType;
import io.tern.engine.kernel.SoftwarePrefetch;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ModelOptionsTest {
    @Test
    void kvCacheTypeDefaultsByNumericPath() {
        ModelOptions int8 = ModelOptions.defaults();
        assertEquals(KvType.F16, int8.kvType(), "int8 path: half the KV bytes");
        assertEquals(KvType.F32, int8.withPath(NumericPath.FLOAT).kvType(), "float reference path stays exact");
        assertEquals(KvType.Q8, int8.withKvType(KvType.Q8).withPath(NumericPath.FLOAT).kvType(), "an explicit type is kept");
        assertEquals(KvType.F16, int8.withKvType(KvType.F32).withKvType(null).kvType(), "null goes back to the default");
    }

    @Test
    void softwarePrefetchIsAutoByDefaultAndSurvivesTheOtherWithers() {
        ModelOptions o = ModelOptions.defaults();
        assertEquals(SoftwarePrefetch.AUTO, o.prefetch());
        ModelOptions off = o.withPrefetch(SoftwarePrefetch.OFF).withThreads(1).withKernel("native").withKvType(KvType.Q8)
                .withInt8Head(false).withReleaseFilePages(false).withPath(NumericPath.INT8).withFfnActivation(FfnActivation.SILU);
        assertEquals(SoftwarePrefetch.OFF, off.prefetch());
        assertEquals(SoftwarePrefetch.AUTO, off.withPrefetch(null).prefetch());
    }

    @Test
    void headRescoreDefaultsOnSurvivesTheOtherWithersAndIsNeverNegative() {
        ModelOptions o = ModelOptions.defaults();
        assertEquals(ModelOptions.DEFAULT_HEAD_RESCORE, o.headRescore());
        ModelOptions four = o.withHeadRescore(4).withPrefetch(SoftwarePrefetch.OFF).withThreads(1).withKernel("native")
                .withKvType(KvType.Q8).withInt8Head(true).withReleaseFilePages(false).withPath(NumericPath.INT8).withFfnActivation(FfnActivation.SILU);
        assertEquals(4, four.headRescore());
        assertEquals(0, o.withHeadRescore(0).headRescore());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withHeadRescore(-1));
        assertEquals("headRescore must be >= 0, got -1", e.getMessage());
    }

    @Test
    void headBitsAreEightUnlessFourIsAskedFor() {
        ModelOptions o = ModelOptions.defaults();
        assertEquals(8, o.headBits());
        assertEquals(4, o.withHeadBits(4).withHeadRescore(2).withThreads(1).headBits());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> o.withHeadBits(2));
        assertEquals("headBits must be 8 or 4, got 2", e.getMessage());
    }

    @Test
    void kvTypeOptionAcceptsAutoAndRejectsTheUnknown() {
        assertNull(KvType.parseOption(" Auto "));
        assertEquals(KvType.F16, KvType.parseOption("half"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> KvType.parseOption("f8"));
        assertEquals("unknown KV cache type 'f8' (auto|f32|f16|q8)", e.getMessage());
    }
}
