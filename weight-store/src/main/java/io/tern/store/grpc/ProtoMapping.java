package io.tern.store.grpc;

import io.tern.proto.store.v1.AliasEventKind;
import io.tern.proto.store.v1.Model;
import io.tern.proto.store.v1.ModelVersion;
import io.tern.proto.store.v1.Shard;
import io.tern.proto.store.v1.ShardPlan;
import io.tern.proto.store.v1.TensorInfo;
import io.tern.store.catalog.Manifest;
import io.tern.store.service.AliasEvent;
import io.tern.store.service.ModelView;

/** Store records → tern.store.v1 messages. Versions travel as decimal text. */
final class ProtoMapping {

    private ProtoMapping() {
    }

    static Model model(ModelView m) {
        Model.Builder b = Model.newBuilder().setName(m.name());
        for (ModelView.VersionSummary v : m.versions()) {
            b.addVersions(ModelVersion.newBuilder()
                    .setVersion(Integer.toString(v.version()))
                    .setSourceFile(v.sourceFile())
                    .setSourceSha256(v.sourceSha256())
                    .setCreatedEpochMs(v.createdEpochMs())
                    .setArchitecture(v.architecture()));
        }
        m.aliases().forEach((alias, version) -> b.putAliases(alias, Integer.toString(version)));
        return b.build();
    }

    static io.tern.proto.store.v1.Manifest manifest(Manifest m) {
        io.tern.proto.store.v1.Manifest.Builder b = io.tern.proto.store.v1.Manifest.newBuilder()
                .setModel(m.model())
                .setVersion(Integer.toString(m.version()))
                .setArchitecture(m.architecture())
                .putAllHyperParams(m.hyperParams())
                .setSourceFile(m.sourceFile())
                .setSourceSha256(m.sourceSha256())
                .setSourceSizeBytes(m.sourceSizeBytes())
                .setCreatedEpochMs(m.createdEpochMs())
                .setTokenizerBlobSha256(m.tokenizer().sha256())
                .setTokenizerBlobSizeBytes(m.tokenizer().sizeBytes())
                .setCanonicalBlobSha256(m.canonical().sha256())
                .setCanonicalSizeBytes(m.canonical().sizeBytes())
                .setImportSummary(m.importSummary());
        for (Manifest.TensorEntry t : m.tensors()) {
            b.addTensors(TensorInfo.newBuilder().setName(t.name()).setType(t.type()).addAllDims(t.dims())
                    .setSizeBytes(t.sizeBytes()));
        }
        for (Manifest.ShardPlan p : m.shardPlans()) {
            b.addShardPlans(plan(m.model(), m.version(), p));
        }
        return b.build();
    }

    static ShardPlan plan(String model, int version, Manifest.ShardPlan p) {
        ShardPlan.Builder b = ShardPlan.newBuilder().setModel(model).setVersion(Integer.toString(version))
                .setShardCount(p.shardCount());
        for (Manifest.ShardEntry s : p.shards()) {
            b.addShards(Shard.newBuilder()
                    .setIndex(s.index())
                    .setLayerStart(s.layerStart())
                    .setLayerEnd(s.layerEnd())
                    .setBlobSha256(s.blobSha256())
                    .setSizeBytes(s.sizeBytes())
                    .setHasEmbedding(s.hasEmbedding())
                    .setHasOutputHead(s.hasOutputHead()));
        }
        return b.build();
    }

    static io.tern.proto.store.v1.AliasEvent event(AliasEvent e) {
        return io.tern.proto.store.v1.AliasEvent.newBuilder()
                .setKind(switch (e.kind()) {
                    case SNAPSHOT -> AliasEventKind.SNAPSHOT;
                    case SET -> AliasEventKind.SET;
                    case REMOVED -> AliasEventKind.REMOVED;
                })
                .setModel(e.model())
                .setAlias(e.alias())
                .setVersion(e.version() == null ? "" : Integer.toString(e.version()))
                .setPreviousVersion(e.previous() == null ? "" : Integer.toString(e.previous()))
                .setChangedEpochMs(e.epochMs())
                .build();
    }
}
