package io.tern.gateway;

import io.tern.proto.worker.v1.DescribeResponse;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds pipelines from ready workers: per (model, version), every chain of layer ranges that
 * starts at 0 and ends at n_layers without gaps or overlaps. Workers with the same range are
 * replicas of one stage.
 */
final class PipelineAssembler {

    /** Caps the chains kept per version when many shard layouts coexist. */
    static final int MAX_CHAINS = 16;

    private PipelineAssembler() {
    }

    static List<Pipeline> assemble(List<WorkerClient> workers) {
        Map<String, List<WorkerClient>> byVersion = new TreeMap<>();
        for (WorkerClient w : workers) {
            DescribeResponse d = w.described();
            if (d.getReady() && !d.getModel().isEmpty() && d.getLayerEnd() > d.getLayerStart()) {
                byVersion.computeIfAbsent(d.getModel() + "\u0000" + d.getVersion(), k -> new ArrayList<>()).add(w);
            }
        }
        List<Pipeline> pipelines = new ArrayList<>();
        for (List<WorkerClient> group : byVersion.values()) {
            pipelines.addAll(chains(group));
        }
        return pipelines;
    }

    private static List<Pipeline> chains(List<WorkerClient> group) {
        DescribeResponse any = group.getFirst().described();
        int nLayers = any.getNLayers();
        Map<Long, List<WorkerClient>> byRange = new LinkedHashMap<>();
        group.stream().sorted(Comparator.comparing(WorkerClient::address)).forEach(w -> byRange
                .computeIfAbsent(rangeKey(w.described()), k -> new ArrayList<>()).add(w));
        List<Pipeline.Stage> stages = byRange.values().stream()
                .map(ws -> new Pipeline.Stage(ws.getFirst().described().getLayerStart(),
                        ws.getFirst().described().getLayerEnd(), ws))
                .sorted(Comparator.comparingInt(Pipeline.Stage::layerStart).thenComparingInt(Pipeline.Stage::layerEnd))
                .toList();
        List<Pipeline> out = new ArrayList<>();
        extend(any, nLayers, stages, 0, new ArrayList<>(), out);
        return out;
    }

    private static void extend(DescribeResponse d, int nLayers, List<Pipeline.Stage> stages, int from,
                               List<Pipeline.Stage> chain, List<Pipeline> out) {
        if (out.size() >= MAX_CHAINS) {
            return;
        }
        if (from == nLayers) {
            int context = chain.stream().flatMap(s -> s.replicas().stream())
                    .mapToInt(w -> w.described().getContextLength()).filter(c -> c > 0).min().orElse(0);
            out.add(new Pipeline(d.getModel(), d.getVersion(), chain, context));
            return;
        }
        for (Pipeline.Stage s : stages) {
            if (s.layerStart() == from && s.layerEnd() <= nLayers) {
                chain.add(s);
                extend(d, nLayers, stages, s.layerEnd(), chain, out);
                chain.removeLast();
            }
        }
    }

    private static long rangeKey(DescribeResponse d) {
        return ((long) d.getLayerStart() << 32) | d.getLayerEnd();
    }
}
