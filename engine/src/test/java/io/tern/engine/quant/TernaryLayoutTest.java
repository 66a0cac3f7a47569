package io.tern.engine.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.tern.engine.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.Test;

/** Hand-built bytes at known positions, so a layout bug cannot cancel out in a round trip. */
class TernaryLayoutTest {
    private static final short F16_ONE = 0x3c00;

    private static void assertOnly(TernaryCodec c, MemorySegment seg, int total, int element, int code) {
        byte[] codes = new byte[total];
        c.decodeTernary(seg, total, 0, codes, 0, total);
        for (int i = 0; i < total; i++) {
            assertEquals(i == element ? code : 0, codes[i], c.type() + " element " + i);
        }
        float[] f = new float[total];
        c.decode(seg, total, 0, f, 0, total);
        assertEquals(code, f[element], 0f);
    }

    @Test
    void tq2_0ValueKIsInByteAtBits() {
        MemorySegment seg = Arena.ofAuto().allocate(66);
        seg.fill((byte) 0x55); // every code 1 = value 0
        seg.set(Codecs.I16, 64, F16_ONE);
        // k = 200: byte (200/128)*32 + 200%32 = 40, bits 2*((200%128)/32) = 4; stored 2 = +1
        seg.set(ValueLayout.JAVA_BYTE, 40, (byte) 0x65);
        assertOnly(TensorCodec.ternary(GgmlType.TQ2_0), seg, 256, 200, 1);
        // k = 31: byte 31, bits 0; stored 0 = -1
        seg.set(ValueLayout.JAVA_BYTE, 40, (byte) 0x55);
        seg.set(ValueLayout.JAVA_BYTE, 31, (byte) 0x54);
        assertOnly(TensorCodec.ternary(GgmlType.TQ2_0), seg, 256, 31, -1);
    }

    @Test
    void i2sValueJIsInByteJmod32AtHighBitsFirst() {
        int total = 256;
        MemorySegment seg = Arena.ofAuto().allocate(total / 4 + 32);
        seg.asSlice(0, 64).fill((byte) 0x55);
        seg.set(Codecs.F32, 64, 1f); // the tensor scale right after the packed bytes
        // element 198 = block 1, j = 70: byte 32 + 70%32 = 38, bits 6-2*(70/32) = 2; stored 0 = -1
        seg.set(ValueLayout.JAVA_BYTE, 38, (byte) 0x51);
        assertOnly(TensorCodec.ternary(GgmlType.I2_S), seg, total, 198, -1);
        // element 5 = block 0, j = 5: byte 5, bits 6..7; stored 2 = +1
        seg.set(ValueLayout.JAVA_BYTE, 38, (byte) 0x55);
        seg.set(ValueLayout.JAVA_BYTE, 5, (byte) 0x95);
        assertOnly(TensorCodec.ternary(GgmlType.I2_S), seg, total, 5, 1);
    }

    @Test
    void tq1_0TritsAreBase3WithFirstMostSignificant() {
        MemorySegment seg = Arena.ofAuto().allocate(54);
        // all values 0: five trits 1 = 121, stored ceil(121*256/243) = 128; qh: four trits 1 = 40, *3 = 120 -> 127
        seg.asSlice(0, 48).fill((byte) 128);
        seg.asSlice(48, 4).fill((byte) 127);
        seg.set(Codecs.I16, 52, F16_ONE);
        TernaryCodec c = TensorCodec.ternary(GgmlType.TQ1_0);
        assertAllZero(c, seg, 256);
        // element 37 = qs[5], second trit (values 5, 37, 69, ...): trits 1,2,1,1,1 = 148 -> ceil(148*256/243) = 156
        seg.set(ValueLayout.JAVA_BYTE, 5, (byte) 156);
        assertOnly(c, seg, 256, 37, 1);
        seg.set(ValueLayout.JAVA_BYTE, 5, (byte) 128);
        // element 170 = qs[32 + 10], first trit (values 160 + m + 16 i): trits 0,1,1,1,1 = 40 -> ceil(40*256/243) = 43
        seg.set(ValueLayout.JAVA_BYTE, 42, (byte) 43);
        assertOnly(c, seg, 256, 170, -1);
        seg.set(ValueLayout.JAVA_BYTE, 42, (byte) 128);
        // element 250 = qh[2], third trit (values 240 + j + 4 i): trits 1,1,0,1 = 37, *3 = 111 -> 117
        seg.set(ValueLayout.JAVA_BYTE, 50, (byte) 117);
        assertOnly(c, seg, 256, 250, -1);
    }

    private static void assertAllZero(TernaryCodec c, MemorySegment seg, int total) {
        byte[] codes = new byte[total];
        c.decodeTernary(seg, total, 0, codes, 0, total);
        for (int i = 0; i < total; i++) {
            assertEquals(0, codes[i], "element " + i);
        }
    }
}
