package io.tern.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tern.proto.worker.v1.DescribeResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PipelineAssemblerTest {

    private final List<WorkerClient> made = new ArrayList<>();

    private WorkerClient worker(String address, String model, String version, int start, int end, int layers, boolean ready) {
        WorkerClient w = new WorkerClient(address);
        w.update(DescribeResponse.newBuilder().setModel(model).setVersion(version).setLayerStart(start).setLayerEnd(end)
                .setNLayers(layers).setContextLength(4096).setReady(ready).build());
        made.add(w);
        return w;
    }

    @AfterEach
    void close() {
        made.forEach(WorkerClient::close);
    }

    @Test
    void contiguousShardsFormOnePipelineAndReplicasShareAStage() {
        var a = worker("10.0.0.1:1", "m", "v1", 0, 15, 30, true);
        var b1 = worker("10.0.0.2:1", "m", "v1", 15, 30, 30, true);
        var b2 = worker("10.0.0.3:1", "m", "v1", 15, 30, 30, true);
        List<Pipeline> ps = PipelineAssembler.assemble(List.of(b2, a, b1));
        assertEquals(1, ps.size());
        Pipeline p = ps.getFirst();
        assertEquals(2, p.stages().size());
        assertEquals(List.of(a), p.stages().get(0).replicas());
        assertEquals(2, p.stages().get(1).replicas().size());
        assertEquals(4096, p.contextLength());
    }

    @Test
    void gapsNotReadyWorkersAndOtherVersionsDoNotMix() {
        var a = worker("10.0.0.1:1", "m", "v1", 0, 10, 30, true);
        var gapped = worker("10.0.0.2:1", "m", "v1", 20, 30, 30, true);
        var notReady = worker("10.0.0.3:1", "m", "v1", 10, 20, 30, false);
        var otherVersion = worker("10.0.0.4:1", "m", "v2", 10, 20, 30, true);
        assertTrue(PipelineAssembler.assemble(List.of(a, gapped, notReady, otherVersion)).isEmpty());

        var whole = worker("10.0.0.5:1", "m", "v2", 0, 30, 30, true);
        List<Pipeline> ps = PipelineAssembler.assemble(List.of(a, gapped, notReady, otherVersion, whole));
        assertEquals(1, ps.size());
        assertEquals("v2", ps.getFirst().version());
        assertEquals(1, ps.getFirst().stages().size());
    }

    @Test
    void twoLayoutsGiveTwoPipelinesAndRoutesPreferTheLeastLoadedReplica() {
        var whole = worker("10.0.0.1:1", "m", "v1", 0, 4, 4, true);
        var first = worker("10.0.0.2:1", "m", "v1", 0, 2, 4, true);
        var secondA = worker("10.0.0.3:1", "m", "v1", 2, 4, 4, true);
        var secondB = worker("10.0.0.4:1", "m", "v1", 2, 4, 4, true);
        List<Pipeline> ps = PipelineAssembler.assemble(List.of(whole, first, secondA, secondB));
        assertEquals(2, ps.size());
        Pipeline split = ps.stream().filter(p -> p.stages().size() == 2).findFirst().orElseThrow();
        try (Route r1 = split.route(); Route r2 = split.route()) {
            assertSame(first, r1.hops().get(0));
            assertTrue(r1.hops().get(1) != r2.hops().get(1), "the second sequence goes to the other replica");
            assertEquals(2, first.inFlight());
        }
        assertEquals(0, first.inFlight());
    }
}
