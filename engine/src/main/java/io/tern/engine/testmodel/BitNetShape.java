package io.tern.engine.testmodel;

/**
 * Hyper-parameters of a BitNet b1.58 model as written to GGUF.
 *
 * @param arch GGUF architecture and key prefix: {@code bitnet} (llama.cpp) or {@code bitnet-b1.58} (bitnet.cpp)
 */
public record BitNetShape(String arch, int nLayer, int nEmbd, int nFf, int nHead, int nHeadKv, int vocab,
                          int contextLength, float ropeTheta, float rmsEps) {
    public static final String LLAMA_CPP_ARCH = "bitnet";
    public static final String BITNET_CPP_ARCH = "bitnet-b1.58";

    public BitNetShape {
        if (nEmbd % nHead != 0 || nHead % nHeadKv != 0) {
            throw new IllegalArgumentException("n_embd " + nEmbd + ", n_head " + nHead + ", n_head_kv " + nHeadKv
                    + ": n_embd must divide into heads and heads into KV heads");
        }
        if (vocab < TestVocab.MIN_VOCAB) {
            throw new IllegalArgumentException("vocab " + vocab + " is below " + TestVocab.MIN_VOCAB);
        }
    }

    /** The conformance model's shape: 3 layers, 256 wide, 768 FFN, 8 / 2 heads, vocab 303. */
    public static BitNetShape tiny() {
        return new BitNetShape(LLAMA_CPP_ARCH, 3, 256, 768, 8, 2, 303, 512, 500000f, 1e-5f);
    }

    /** BitNet b1.58 2B4T: 30 layers, 2560 wide, 6912 FFN, 20 / 5 heads (head_dim 128), vocab 128256. */
    public static BitNetShape b2b4t() {
        return new BitNetShape(LLAMA_CPP_ARCH, 30, 2560, 6912, 20, 5, 128256, 4096, 500000f, 1e-5f);
    }

    public BitNetShape withArch(String newArch) {
        return new BitNetShape(newArch, nLayer, nEmbd, nFf, nHead, nHeadKv, vocab, contextLength, ropeTheta, rmsEps);
    }

    public int headDim() {
        return nEmbd / nHead;
    }

    /** Width of the K and V projections: n_head_kv · head_dim. */
    public int kvDim() {
        return nHeadKv * headDim();
    }
}
