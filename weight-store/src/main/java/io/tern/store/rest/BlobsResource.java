package io.tern.store.rest;

import io.tern.store.StoreHolder;
import io.tern.store.blob.BlobStore;
import io.tern.store.blob.Sha256;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SeekableByteChannel;
import java.nio.channels.WritableByteChannel;
import org.eclipse.microprofile.openapi.annotations.Operation;

/** Blob download by sha256, with HTTP Range support. The whole blob is verified before the first byte is sent. */
@Path("/v1/blobs")
public class BlobsResource {

    @Inject
    StoreHolder holder;

    @GET
    @Path("/{sha256}")
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    @Operation(summary = "Download a blob (verified against its sha256; Range requests give 206)")
    public Response download(@PathParam("sha256") String sha256, @HeaderParam("Range") String range) throws IOException {
        Sha256.check(sha256);
        BlobStore blobs = holder.store().blobs();
        long size = blobs.size(sha256);
        ByteRange r;
        try {
            r = ByteRange.parse(range, size);
        } catch (ByteRange.Unsatisfiable e) {
            return Response.status(416).header("Content-Range", "bytes */" + size).type(MediaType.APPLICATION_JSON)
                    .entity(new ErrorBody("range_not_satisfiable", e.getMessage())).build();
        }
        long start = r == null ? 0 : r.start();
        long length = r == null ? size : r.length();
        SeekableByteChannel channel = blobs.openVerified(sha256, start);
        StreamingOutput body = out -> {
            try (channel) {
                WritableByteChannel sink = Channels.newChannel(out);
                ByteBuffer buf = ByteBuffer.allocate(1 << 16);
                long left = length;
                while (left > 0) {
                    buf.clear().limit((int) Math.min(buf.capacity(), left));
                    int n = channel.read(buf);
                    if (n < 0) {
                        throw new IOException("blob " + sha256 + " ended early");
                    }
                    buf.flip();
                    while (buf.hasRemaining()) {
                        sink.write(buf);
                    }
                    left -= n;
                }
            }
        };
        Response.ResponseBuilder b = Response.status(r == null ? 200 : 206).entity(body)
                .type(MediaType.APPLICATION_OCTET_STREAM)
                .header("Accept-Ranges", "bytes")
                .header("Content-Length", length)
                .header("ETag", "\"" + sha256 + "\"")
                .header("X-Tern-Sha256", sha256);
        if (r != null) {
            b.header("Content-Range", "bytes " + r.start() + "-" + r.endInclusive() + "/" + size);
        }
        return b.build();
    }
}
