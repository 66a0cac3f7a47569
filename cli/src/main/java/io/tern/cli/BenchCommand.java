package io.tern.cli;

import io.tern.engine.forward.ForwardPass;
import io.tern.engine.forward.KvCache;
import io.tern.engine.forward.KvType;
import io.tern.engine.forward.StepProfile;
import io.tern.engine.forward.StepProfile.Phase;
import io.tern.engine.gguf.GgmlType;
import io.tern.engine.kernel.GemvBandwidth;
import io.tern.engine.kernel.MatmulPool;
import io.tern.engine.kernel.NativeKernel;
import io.tern.engine.kernel.SoftwarePrefetch;
import io.tern.engine.kernel.StreamBandwidth;
import io.tern.engine.memory.ProcessMemory;
import io.tern.engine.model.BitNetModel;
import io.tern.engine.model.HeadAgreement;
import io.tern.engine.model.Int4Linear;
import io.tern.engine.model.LayerMatmulBandwidth;
import io.tern.engine.model.Linear;
import io.tern.engine.model.Layer;
import io.tern.engine.model.ModelLoader;
import io.tern.engine.model.ModelOptions;
import io.tern.engine.model.NumericPath;
import io.tern.engine.sampler.Sampler;
import io.tern.engine.testmodel.BitNetShape;
import io.tern.engine.testmodel.TestModelGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * Decode and prefill throughput against the machine's own streaming-read bandwidth, measured in
 * the same process: decoding reads every weight once per token, so effective GB/s ÷ stream GB/s
 * says how close to the memory roofline the engine runs.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Benchmark prefill and decode; prints figures and one JSON line.")
final class BenchCommand implements Callable<Integer> {
    /** The worker's memory target: resident set ≤ weights + KV cache + this (JVM, code, buffers, heap). */
    private static final long RSS_ALLOWANCE = 300_000_000L;
    /** Decode tokens per timed round (for the best-round figure). */
    private static final int ROUND = 16;
    /** How long the CPU hiccup probe spins (CpuHiccups). */
    private static final double HICCUP_SECONDS = 0.5;
    /** Tokens per paired round: short enough that the reads on either side see the same machine. */
    private static final int PAIRED_ROUND = 4;
    /** Alternating GEMV and plain-read passes the ternary-GEMV-alone ratio is the median of. */
    private static final int GEMV_ROUNDS = 9;

    @Option(names = "--model", description = "GGUF file (default: a synthetic model of --shape, written once and cached)")
    Path model;
    @Option(names = "--shape", defaultValue = "2b4t", description = "synthetic shape: 2b4t (BitNet b1.58 2B4T) or tiny")
    String shape;
    @Option(names = "--prompt", defaultValue = "512", description = "prompt tokens for the prefill figure") int prompt;
    @Option(names = "--gen", defaultValue = "128", description = "decoded tokens for the decode figure") int gen;
    @Option(names = "--batch", defaultValue = "512", description = "prompt tokens per prefill step") int batch;
    @Option(names = "--threads", defaultValue = "0", description = "0 = one per core") int threads;
    @Option(names = "--kernel", defaultValue = "auto", description = "auto, native, vector or scalar") String kernel;
    @Option(names = "--prefetch", defaultValue = "auto", description = "native kernels' software prefetch of weights: auto (by CPU vendor), off, l1l2 or nta") String prefetch;
    @Option(names = "--kv-type", defaultValue = "auto", description = "KV cache element type: auto (f16 on the int8 path), f32, f16 or q8") String kvType;
    @Option(names = "--float-head", description = "keep the lm_head in the file's float type (default: int8 per row)") boolean floatHead;
    @Option(names = "--head-rescore", defaultValue = "" + ModelOptions.DEFAULT_HEAD_RESCORE,
            description = "int8 lm_head: its top K logits per token computed again from the file's float rows (0 = int8 alone; default: ${DEFAULT-VALUE})") int headRescore;
    @Option(names = "--head-bits", defaultValue = "8", description = "bits per weight of the quantised lm_head: 8 or 4 (4 needs the native kernels)") int headBits;
    @Option(names = "--head-samples", defaultValue = "64", description = "random hidden states for the int8-vs-float lm_head top-1 agreement (0 = skip)") int headSamples;
    @Option(names = "--gemv-mb", defaultValue = "1024", description = "MB of the ternary-GEMV-alone matrix, as large as the read it is paired with (0 = skip)") int gemvMb;
    @Option(names = "--chain-rounds", defaultValue = "9", description = "rounds of the layers' matmuls alone against the read (0 = skip)") int chainRounds;
    @Option(names = "--cache-dir", description = "where synthetic models are kept (default $TERN_HOME/.tern/bench)") Path cacheDir;

    @Override
    public Integer call() throws Exception {
        if (prompt < 1 || gen < 1) throw new IllegalArgumentException("--prompt and --gen must be >= 1");
        if (gemvMb < 0) throw new IllegalArgumentException("--gemv-mb must be >= 0");
        if (chainRounds < 0) throw new IllegalArgumentException("--chain-rounds must be >= 0");
        Path file = model != null ? model : syntheticModel();
        ModelOptions options = ModelOptions.defaults().withPath(NumericPath.INT8).withKernel(kernel).withThreads(threads)
                .withInt8Head(!floatHead).withHeadRescore(headRescore).withHeadBits(headBits).withKvType(KvType.parseOption(kvType)).withPrefetch(SoftwarePrefetch.parse(prefetch));
        int nThreads = options.effectiveThreads();
        // Streaming read measured before the model loads and after the run, best of both: a neighbour that slows
        // one pass must not make the roofline look better than it is (and the 1 GiB buffer is gone before the load).
        double streamBefore = StreamBandwidth.measure(1L << 30, nThreads, 5);
        try (BitNetModel m = ModelLoader.load(file, options)) {
            ProcessMemory loaded = ProcessMemory.now();
            int vocab = m.config().vocab();
            int ctx = Math.min(m.config().contextLength(), prompt + gen + 64);
            ForwardPass pass = new ForwardPass(m, Math.max(1, Math.min(batch, prompt)));
            int[] ids = new SplittableRandom(7).ints(prompt, 0, vocab).toArray();

            System.err.println("warming up (" + m.kernelName() + ", " + nThreads + " threads) ...");
            run(pass, ids, 16, ctx, vocab);  // the measured prompt's size: every path and KV page it needs, warm
            awaitJitIdle();

            StepProfile prefillStep = new StepProfile();
            pass.profile(prefillStep);
            long t0 = System.nanoTime();
            KvCache cache = pass.newCache(ctx);
            float[] logits = prefill(pass, ids, cache);
            long t1 = System.nanoTime();
            pass.profile(null);
            int next = Sampler.argmax(logits, 0, vocab);
            CpuSteal stealBefore = CpuSteal.now();
            double bestRound = 0;  // tok/s of the fastest ROUND tokens: the machine at its least disturbed
            long roundStart = t1;
            StepProfile step = new StepProfile();  // ~0.05% of a 2B4T step: 12 clock reads per layer
            pass.profile(step);
            MatmulPool.JobCounts jobsBefore = m.pool().jobCounts();
            for (int i = 0; i < gen; i++) {
                logits = pass.forward(new int[]{next}, cache, false);
                next = Sampler.argmax(logits, 0, vocab);
                if ((i + 1) % ROUND == 0) {
                    long now = System.nanoTime();
                    bestRound = Math.max(bestRound, ROUND / ((now - roundStart) / 1e9));
                    roundStart = now;
                }
            }
            long t2 = System.nanoTime();
            MatmulPool.JobCounts decodeJobs = m.pool().jobCounts().since(jobsBefore);
            double jobsPerToken = (double) decodeJobs.jobs() / gen;
            pass.profile(null);
            double steal = CpuSteal.now().since(stealBefore);
            // Before the stream-bandwidth buffer (1 GB) and the float reference head add to the resident set.
            ProcessMemory decoded = ProcessMemory.now();
            long weightBytes = m.residentWeightBytes();
            long kvBytes = cache.bytes();
            long budget = weightBytes + kvBytes + RSS_ALLOWANCE;
            System.gc(); // what is live on the heap (no weights: they are off-heap), apart from garbage
            ProcessMemory collected = ProcessMemory.now();
            CpuHiccups hiccups = CpuHiccups.measure(nThreads, HICCUP_SECONDS);

            double prefillTokS = prompt / ((t1 - t0) / 1e9);
            double decodeTokS = gen / ((t2 - t1) / 1e9);
            long bytesPerToken = m.weightBytesPerToken();
            double effective = bytesPerToken * decodeTokS / 1e9;
            double stream = Math.max(streamBefore, StreamBandwidth.measure(1L << 30, nThreads, 5));
            GemvBandwidth.Result gemv = gemvMb > 0 && m.pool().kernel() != null && m.config().dim() % 256 == 0
                    ? GemvBandwidth.measure(m.pool(), m.config().dim(), (long) gemvMb << 20, GEMV_ROUNDS) : null;
            // The step's matmuls alone, then with a pause as long as one layer's attention in this decode.
            long attentionPerLayer = step.nanos(StepProfile.Phase.ATTENTION) / gen / Math.max(1, m.layerCount());
            LayerMatmulBandwidth.Result chain = chainRounds > 0 && m.layerCount() > 0
                    ? LayerMatmulBandwidth.measure(m, attentionPerLayer, chainRounds) : null;
            double roofline = effective / stream;
            if (bestRound == 0) bestRound = decodeTokS;  // fewer tokens than one round
            double rooflineBestRound = bytesPerToken * bestRound / 1e9 / stream;
            // Attention also reads the KV cache every token: on average prompt + gen/2 positions of keys and values.
            long kvReadPerToken = (long) m.layerCount() * (prompt + gen / 2) * 2L * m.config().kvDim() * options.kvType().bytes();
            double rooflineWithKv = (bytesPerToken + kvReadPerToken) * decodeTokS / 1e9 / stream;
            Paired paired = pairedDecode(pass, cache, prompt, gen, vocab, next, bytesPerToken);
            HeadAgreement.Result head = options.usesInt8Head() && headSamples > 0 ? HeadAgreement.measure(m, headSamples, 11) : null;

            System.out.printf(Locale.ROOT, "model            %s (%s, %d layers, dim %d)%n", file.getFileName(), m.config().architecture(), m.config().layers(), m.config().dim());
            System.out.printf(Locale.ROOT, "kernel           %s, %d threads%s%n", m.kernelName(), nThreads, prefetchNote(m));
            System.out.printf(Locale.ROOT, "prefill          %.1f tok/s (%d tokens, batches of %d)%n", prefillTokS, prompt, pass.maxTokens());
            System.out.printf(Locale.ROOT, "decode           %.2f tok/s (%d tokens after the prompt); best round of %d: %.2f tok/s%n", decodeTokS, gen, ROUND, bestRound);
            System.out.printf(Locale.ROOT, "cpu steal        %s of this machine's CPU time went to other guests during decode%n",
                    Double.isNaN(steal) ? "unknown" : String.format(Locale.ROOT, "%.1f%%", 100 * steal));
            System.out.printf(Locale.ROOT, "cpu hiccups      %.1f%% of a spinning thread's time lost in %.0f gaps a second of %.0f µs on average (gaps over %d µs between clock reads; %d threads, %.1f s, after decode)%n",
                    100 * hiccups.lostShare(), hiccups.perSecond(), hiccups.meanMicros(), CpuHiccups.GAP_NANOS / 1000, nThreads, HICCUP_SECONDS);
            System.out.printf(Locale.ROOT, "compute pool     %.0f jobs a token; %.1f%% of them ran on the calling thread alone (it ran every task before a worker took one: a job of a few µs, or a worker parked or off its CPU)%n",
                    jobsPerToken, 100 * decodeJobs.soloShare());
            System.out.printf(Locale.ROOT, "bytes per token  %.1f MB of weights%n", bytesPerToken / 1e6);
            System.out.printf(Locale.ROOT, "effective        %.2f GB/s%n", effective);
            System.out.printf(Locale.ROOT, "stream read      %.2f GB/s (same process, %d threads, best of a Vector API and a native read, before and after the run)%n", stream, nThreads);
            System.out.printf(Locale.ROOT, "roofline         %.3f (%.3f counting the %.1f MB of KV cache attention reads per token); best round %.3f%n",
                    roofline, rooflineWithKv, kvReadPerToken / 1e6, rooflineBestRound);
            System.out.printf(Locale.ROOT, "roofline paired  %.3f: decode %.2f GB/s vs a plain read's %.2f (medians of %d rounds of %d tokens decoded again, each against the mean of the read passes just before and after it)%n",
                    paired.ratio(), paired.effectiveGbs(), paired.readGbs(), paired.rounds(), paired.tokens());
            if (gemv != null) {
                System.out.printf(Locale.ROOT, "ternary GEMV     %.3f of a plain read alone: %.2f vs %.2f GB/s (one token, a %d MB matrix of %d columns, %d threads; medians of %d alternating passes)%n",
                        gemv.ratio(), gemv.gemvGbs(), gemv.streamGbs(), gemvMb, m.config().dim(), nThreads, gemv.rounds());
            }
            if (chain != null) {
                System.out.printf(Locale.ROOT, "layer matmuls    %.3f of a plain read: %.2f vs %.2f GB/s (the %d layers' q,k,v, wo, gate,up and down jobs of one token back to back, %.1f MB; "
                                + "medians of %d rounds); %.3f with a %.0f µs pause after each q,k,v job, as long as a layer's attention above (%.2f GB/s outside the pauses)%n",
                        chain.ratio(), chain.chainGbs(), chain.streamGbs(), chain.layers(), chain.bytes() / 1e6, chain.rounds(),
                        chain.pausedRatio(), chain.pauseNanos() / 1e3, chain.pausedGbs());
            }
            System.out.printf(Locale.ROOT, "decode step      %s%n", stepLine(m, step, gen, (t2 - t1) / 1e6 / gen, false));
            System.out.printf(Locale.ROOT, "prefill token    %s%n", stepLine(m, prefillStep, prompt, (t1 - t0) / 1e6 / prompt, true));
            System.out.printf(Locale.ROOT, "prefill/decode   %.1fx%n", prefillTokS / decodeTokS);
            if (head != null) {
                System.out.printf(Locale.ROOT, "lm_head %-8s top-1 agreement with the float head %.3f (%d/%d random hidden states)%s; %s logits alone %.3f (%d/%d), max |Δlogit| %.3f; "
                                + "sampling at temperature 1 within total variation %.4f of the float head's%n",
                        headLabel(head.bits()), head.rate(), head.agree(), head.samples(),
                        head.candidates() > 0 ? String.format(Locale.ROOT, " with each token's top %d rescored from the float rows", head.candidates()) : "",
                        headLabel(head.bits()), head.quantRate(), head.quantAgree(), head.samples(), head.maxAbsDiff(), head.samplingTv());
            } else {
                System.out.println("lm_head          " + (options.usesInt8Head() ? "int8 (agreement not measured)" : "float (int8 head off)"));
            }
            System.out.printf(Locale.ROOT, "memory           rss %.1f MB after decode (anon %.1f, file %.1f), %.1f MB after load, peak %.1f MB%n",
                    mb(decoded.rssBytes()), mb(decoded.rssAnonBytes()), mb(decoded.rssFileBytes()), mb(loaded.rssBytes()), mb(decoded.peakRssBytes()));
            System.out.printf(Locale.ROOT, "heap             %.1f MB in use after decode, %.1f MB live after a GC (rss then %.1f MB)%n",
                    mb(decoded.heapUsedBytes()), mb(collected.heapUsedBytes()), mb(collected.rssBytes()));
            System.out.printf(Locale.ROOT, "weights          %.1f MB resident (off-heap %.1f MB, read from the file %.1f MB); %.1f MB of file pages released after load%n",
                    mb(weightBytes), mb(m.offHeapBytes()), mb(m.mappedWeightBytes()), mb(m.releasedFileBytes()));
            System.out.printf(Locale.ROOT, "kv cache         %.1f MB (%s, %d positions)%n", mb(kvBytes), options.kvType().name().toLowerCase(Locale.ROOT), cache.length());
            if (decoded.known()) {
                System.out.printf(Locale.ROOT, "rss budget       %.1f MB of %.1f MB (weights + kv + %d MB): %s by %.1f MB%n",
                        mb(decoded.rssBytes()), mb(budget), RSS_ALLOWANCE / 1_000_000,
                        decoded.rssBytes() <= budget ? "within" : "OVER", mb(Math.abs(budget - decoded.rssBytes())));
            } else {
                System.out.println("rss budget       unknown (no /proc/self/status)");
            }
            double loadAverage = java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
            System.out.printf(Locale.ROOT, "load average     %.2f%n", loadAverage);
            System.out.printf(Locale.ROOT,
                    "{\"prefill_tok_s\": %.2f, \"decode_tok_s\": %.3f, \"bytes_per_token\": %d, \"effective_gbs\": %.3f, "
                            + "\"stream_gbs\": %.3f, \"roofline\": %.4f, \"threads\": %d, \"kernel\": \"%s\", \"software_prefetch\": %s, \"dense_prefetch\": %s, \"prompt\": %d, \"gen\": %d, "
                            + "\"lm_head\": \"%s\", \"lm_head_rescore\": %d, \"lm_head_top1_agreement\": %s, \"lm_head_quantised_top1_agreement\": %s, \"lm_head_sampling_tv\": %s, \"kv_type\": \"%s\", "
                            + "\"rss_bytes\": %d, \"rss_anon_bytes\": %d, \"rss_file_bytes\": %d, \"peak_rss_bytes\": %d, \"heap_used_bytes\": %d, \"heap_live_bytes\": %d, "
                            + "\"weights_bytes\": %d, \"kv_bytes\": %d, \"released_file_bytes\": %d, \"kv_read_per_token\": %d, \"roofline_with_kv\": %.4f, "
                            + "\"decode_best_round_tok_s\": %.3f, \"roofline_best_round\": %.4f, \"roofline_paired\": %.4f, \"pool_jobs_per_token\": %.1f, \"pool_solo_share\": %.4f, \"gemv_gbs\": %s, \"gemv_roofline\": %s, \"layer_matmuls_roofline\": %s, \"layer_matmuls_paused_roofline\": %s, \"step_ms\": %s, \"prefill_step_ms\": %s, "
                            + "\"cpu_steal\": %s, \"cpu_hiccup_share\": %.4f, \"cpu_hiccups_per_s\": %.0f, \"load_avg\": %.2f}%n",
                    prefillTokS, decodeTokS, bytesPerToken, effective, stream, roofline, nThreads, m.kernelName(),
                    prefetchJson(m, false), prefetchJson(m, true), prompt, gen,
                    headKind(m), options.usesInt8Head() ? options.headRescore() : 0,
                    head != null ? String.format(Locale.ROOT, "%.4f", head.rate()) : "null", head != null ? String.format(Locale.ROOT, "%.4f", head.quantRate()) : "null",
                    head != null ? String.format(Locale.ROOT, "%.5f", head.samplingTv()) : "null",
                    options.kvType().name().toLowerCase(Locale.ROOT),
                    decoded.rssBytes(), decoded.rssAnonBytes(), decoded.rssFileBytes(), decoded.peakRssBytes(), decoded.heapUsedBytes(), collected.heapUsedBytes(),
                    weightBytes, kvBytes, m.releasedFileBytes(), kvReadPerToken, rooflineWithKv,
                    bestRound, rooflineBestRound, paired.ratio(), jobsPerToken, decodeJobs.soloShare(), json(gemv == null ? Double.NaN : gemv.gemvGbs(), "%.3f"), json(gemv == null ? Double.NaN : gemv.ratio(), "%.4f"),
                    json(chain == null ? Double.NaN : chain.ratio(), "%.4f"), json(chain == null ? Double.NaN : chain.pausedRatio(), "%.4f"), stepJson(step, gen), stepJson(prefillStep, prompt), Double.isNaN(steal) ? "null" : String.format(Locale.ROOT, "%.4f", steal),
                    hiccups.lostShare(), hiccups.perSecond(), loadAverage);
        }
        return 0;
    }

    private static double mb(long bytes) { return bytes / 1e6; }

    private static String headLabel(int bits) { return bits == 4 ? "4-bit" : "int8"; }

    /** "int8", "int4" or "float": what the loaded model's lm_head reads per token. */
    private static String headKind(BitNetModel m) {
        Linear q = m.quantisedHead();
        return q instanceof Int4Linear ? "int4" : q != null ? "int8" : "float";
    }

    /** Medians of the paired rounds: decode's effective GB/s, the read's GB/s, and their per-round ratio. */
    private record Paired(double effectiveGbs, double readGbs, double ratio, int rounds, int tokens) {}

    /**
     * The roofline with both sides measured in the same seconds: the decode runs again over the same positions, in
     * rounds of PAIRED_ROUND tokens (~0.1 s) between passes of a plain 1 GiB read (~20 ms) on the model's own compute
     * threads, and each round is divided by the mean of the reads just before and just after it. The headline
     * roofline divides the average decode by the best read of ten passes before and after the run: the strict figure;
     * on a machine whose read bandwidth moves by ±20% from second to second, this one compares like with like.
     */
    private static Paired pairedDecode(ForwardPass pass, KvCache cache, int prompt, int gen, int vocab, int next,
                                       long bytesPerToken) throws InterruptedException {
        int rounds = Math.max(1, gen / PAIRED_ROUND), tokens = Math.min(PAIRED_ROUND, gen);
        double[] effective = new double[rounds], read = new double[rounds], ratio = new double[rounds];
        cache.truncate(prompt);
        try (StreamBandwidth.Reader reader = new StreamBandwidth.Reader(1L << 30, pass.model().pool())) {
            reader.pass();  // warm
            double before = reader.pass();
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < tokens; i++) next = Sampler.argmax(pass.forward(new int[]{next}, cache, false), 0, vocab);
                effective[r] = bytesPerToken * tokens / ((System.nanoTime() - t0) * 1e-9) / 1e9;
                double after = reader.pass();
                read[r] = (before + after) / 2;
                ratio[r] = effective[r] / read[r];
                before = after;
            }
        }
        return new Paired(GemvBandwidth.median(effective), GemvBandwidth.median(read), GemvBandwidth.median(ratio), rounds, tokens);
    }

    private static String json(double v, String format) { return Double.isNaN(v) ? "null" : String.format(Locale.ROOT, format, v); }

    /**
     * "20.52 ms: lm_head 5.94 ms (55.2 GB/s), ..." — each phase's ms per token, largest first, with the GB/s of the
     * weights a matmul phase streams (decode), or the multiply-adds a second it computes (prefill: "(412 GMAC/s)").
     */
    private static String stepLine(BitNetModel m, StepProfile step, int tokens, double stepMs, boolean macs) {
        StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "%.2f ms:", stepMs));
        step.all().entrySet().stream().sorted((x, y) -> Long.compare(y.getValue(), x.getValue())).forEach(e -> {
            double ms = e.getValue() / 1e6 / tokens;
            b.append(String.format(Locale.ROOT, " %s %.2f", e.getKey().label(), ms));
            if (macs) {
                long n = phaseMacs(m, e.getKey());
                // The prompt's lm_head runs for its last token only: its rate per prompt token means nothing.
                if (n > 0 && ms > 0 && e.getKey() != Phase.HEAD) b.append(String.format(Locale.ROOT, " (%.0f GMAC/s)", n / ms / 1e6));
            } else {
                long bytes = phaseBytes(m, e.getKey());
                if (bytes > 0 && ms > 0) b.append(String.format(Locale.ROOT, " (%.1f GB/s)", bytes / ms / 1e6));
            }
            b.append(',');
        });
        b.setLength(b.length() - 1);
        return b.append(String.format(Locale.ROOT, "; other %.2f", stepMs - step.all().values().stream().mapToLong(Long::longValue).sum() / 1e6 / tokens)).toString();
    }

    private static String stepJson(StepProfile step, int tokens) {
        StringBuilder b = new StringBuilder("{");
        step.all().forEach((p, ns) -> b.append(String.format(Locale.ROOT, "\"%s\": %.4f, ", p.name().toLowerCase(Locale.ROOT), ns / 1e6 / tokens)));
        b.setLength(b.length() - 2);
        return b.append('}').toString();
    }

    /** Weight bytes a matmul phase streams per token (0 for the others). */
    private static long phaseBytes(BitNetModel m, Phase p) {
        return phaseSum(m, p, Linear::weightBytes);
    }

    /** Multiply-adds of a matmul phase per token (rows × cols of its matrices; 0 for the others). */
    private static long phaseMacs(BitNetModel m, Phase p) {
        return phaseSum(m, p, w -> (long) w.rows() * w.cols());
    }

    private static long phaseSum(BitNetModel m, Phase p, java.util.function.ToLongFunction<Linear> f) {
        if (p == Phase.HEAD) return m.hasHead() ? f.applyAsLong(m.lmHead()) : 0;
        long b = 0;
        for (int l = m.firstLayer(); l < m.endLayer(); l++) {
            Layer w = m.layer(l);
            b += switch (p) {
                case QKV -> f.applyAsLong(w.wq()) + f.applyAsLong(w.wk()) + f.applyAsLong(w.wv());
                case WO -> f.applyAsLong(w.wo());
                case GATE_UP -> f.applyAsLong(w.wGate()) + f.applyAsLong(w.wUp());
                case DOWN -> f.applyAsLong(w.wDown());
                default -> 0;
            };
        }
        return b;
    }

    private static float[] prefill(ForwardPass pass, int[] ids, KvCache cache) {
        float[] logits = null;
        for (int off = 0; off < ids.length; off += pass.maxTokens()) {
            int n = Math.min(pass.maxTokens(), ids.length - off);
            logits = pass.forward(Arrays.copyOfRange(ids, off, off + n), cache, false);
        }
        return logits;
    }

    /** The native kernels' prefetch of ternary (or dense) rows as a JSON string, or null for the other providers. */
    private static String prefetchJson(BitNetModel m, boolean dense) {
        return m.pool().kernel() instanceof NativeKernel k ? "\"" + (dense ? k.densePrefetch() : k.prefetch()).label() + "\"" : "null";
    }

    /** ", software prefetch MODE (ternary), MODE (dense rows)" for native kernels. */
    private static String prefetchNote(BitNetModel m) {
        return m.pool().kernel() instanceof NativeKernel k
                ? ", software prefetch " + k.prefetch().label() + " (ternary), " + k.densePrefetch().label() + " (int8/4-bit/F16 rows)" : "";
    }

    /**
     * Waits (at most 10 s) until the JIT has compiled nothing for 250 ms: on 2 cores a compiler thread still busy with
     * the warm-up's methods takes a core from the measured run.
     */
    private static void awaitJitIdle() throws InterruptedException {
        var jit = java.lang.management.ManagementFactory.getCompilationMXBean();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) return;
        long deadline = System.nanoTime() + 10_000_000_000L, last = -1;
        while (System.nanoTime() < deadline) {
            long total = jit.getTotalCompilationTime();
            if (total == last) return;
            last = total;
            Thread.sleep(250);
        }
    }

    private static void run(ForwardPass pass, int[] ids, int decode, int ctx, int vocab) {
        KvCache cache = pass.newCache(ctx);
        float[] logits = prefill(pass, ids, cache);
        for (int i = 0; i < decode; i++) logits = pass.forward(new int[]{Sampler.argmax(logits, 0, vocab)}, cache, false);
        cache.recycle();  // the measured run reuses these pages
    }

    private Path syntheticModel() throws IOException {
        BitNetShape s = switch (shape) {
            case "2b4t" -> BitNetShape.b2b4t();
            case "tiny" -> BitNetShape.tiny();
            default -> throw new IllegalArgumentException("unknown --shape '" + shape + "' (2b4t|tiny)");
        };
        Path dir = cacheDir != null ? cacheDir : Path.of(System.getenv().getOrDefault("TERN_HOME", "."), ".tern", "bench");
        Files.createDirectories(dir);
        Path file = dir.resolve("synthetic-" + shape + "-i2_s-seed1.gguf");
        if (!Files.exists(file)) {
            System.err.println("writing synthetic " + shape + " model to " + file + " (once) ...");
            new TestModelGenerator(s).weightType(GgmlType.I2_S).seed(1).write(file);
        }
        return file;
    }
}
