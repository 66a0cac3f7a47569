package io.tern.cli;

import io.tern.engine.forward.KvType;
import io.tern.engine.model.FfnActivation;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Options shared by the commands that load a model. */
final class ModelArgs {
    @Option(names = "--model", required = true, description = "GGUF model file")
    Path model;

    @Option(names = "--path", defaultValue = "int8", description = "numeric path: float (reference) or int8 (BitNet)")
    String path;

    @Option(names = "--ffn-act", defaultValue = "relu2", description = "FFN gate activation: relu2 (BitNet) or silu (stock llama.cpp)")
    String ffnAct;

    @Option(names = "--kernel", defaultValue = "auto", description = "ternary kernel: auto, native, vector or scalar")
    String kernel;

    @Option(names = "--threads", defaultValue = "0", description = "compute threads (0 = one per core)")
    int threads;

    @Option(names = "--kv-type", defaultValue = "auto", description = "KV cache: auto (f16 on the int8 path, f32 on the float one), f32, f16 or q8")
    String kvType;

    @Option(names = "--head-rescore", defaultValue = "" + ModelOptions.DEFAULT_HEAD_RESCORE,
            description = "int8 lm_head: its top K logits per token computed again from the file's float rows (0 = int8 alone)")
    int headRescore;

    @Option(names = "--head-bits", defaultValue = "8", description = "bits per weight of the quantised lm_head: 8 or 4 (4 needs the native kernels)")
    int headBits;

    ModelOptions options() {
        return new ModelOptions(NumericPath.parse(path), kernel, threads, FfnActivation.parse(ffnAct)).withKvType(KvType.parseOption(kvType))
                .withHeadRescore(headRescore).withHeadBits(headBits);
    }
}
