package io.tern.gateway;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import io.tern.proto.store.v1.BlobChunk;
import io.tern.proto.store.v1.DownloadBlobRequest;
import io.tern.proto.store.v1.GetManifestRequest;
import io.tern.proto.store.v1.Manifest;
import io.tern.proto.store.v1.ResolveAliasRequest;
import io.tern.proto.store.v1.TernWeightStoreGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** The few weight-store calls the gateway makes: resolve an alias, read a manifest, download a blob. */
final class StoreClient implements AutoCloseable {

    private final String address;
    private final ManagedChannel channel;

    StoreClient(String address) {
        this.address = address;
        this.channel = NettyChannelBuilder.forTarget(address).usePlaintext().build();
    }

    private TernWeightStoreGrpc.TernWeightStoreBlockingStub stub() {
        return TernWeightStoreGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    }

    /** The version an alias points at; empty when the store does not know the model or alias. */
    Optional<String> resolveAlias(String model, String alias) {
        try {
            return Optional.of(stub().resolveAlias(ResolveAliasRequest.newBuilder().setModel(model).setAlias(alias).build())
                    .getVersion());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** sha256 of the version's metadata-only tokenizer GGUF, when the store's manifest carries one. */
    Optional<String> tokenizerBlob(String model, String version) {
        Manifest m = stub().getManifest(GetManifestRequest.newBuilder().setModel(model).setVersion(version).build());
        String sha = m.getTokenizerBlobSha256();
        return sha.isEmpty() ? Optional.empty() : Optional.of(sha);
    }

    /** Downloads a blob to {@code target} (via a temp file), checking its sha256; reuses an existing file. */
    void download(String sha256, Path target) throws IOException {
        if (Files.exists(target)) {
            return;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), sha256, ".part");
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (OutputStream out = Files.newOutputStream(tmp)) {
            Iterator<BlobChunk> chunks = TernWeightStoreGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.MINUTES)
                    .downloadBlob(DownloadBlobRequest.newBuilder().setSha256(sha256).build());
            while (chunks.hasNext()) {
                byte[] data = chunks.next().getData().toByteArray();
                digest.update(data);
                out.write(data);
            }
        }
        String got = HexFormat.of().formatHex(digest.digest());
        if (!got.equals(sha256)) {
            Files.deleteIfExists(tmp);
            throw new IOException("blob from store " + address + " has sha256 " + got + ", expected " + sha256);
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public void close() {
        channel.shutdown();
    }
}
