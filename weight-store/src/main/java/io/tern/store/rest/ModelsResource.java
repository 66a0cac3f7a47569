package io.tern.store.rest;

import io.tern.store.StoreHolder;
import io.tern.store.catalog.AliasChange;
import io.tern.store.catalog.Manifest;
import io.tern.store.core.Names;
import io.tern.store.core.StoreException;
import io.tern.store.ingest.ImportProgress;
import io.tern.store.service.ModelView;
import io.tern.store.service.WeightStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.net.URI;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * Models, versions, aliases and shard plans for people and tools. Writes need the admin token (see
 * {@link AccessFilter}).
 */
@Path("/v1/models")
@Produces(MediaType.APPLICATION_JSON)
public class ModelsResource {

    /** Body of {@code POST /v1/models/{name}/import}: a file or directory on the store's host, optional alias. */
    public record ImportRequest(String path, String alias) {
    }

    /** Body of {@code PUT /v1/models/{name}/aliases/{alias}}. */
    public record AliasRequest(Integer version) {
    }

    @Inject
    StoreHolder holder;

    @ConfigProperty(name = "tern.store.max-upload-bytes", defaultValue = "68719476736")
    long maxUploadBytes;

    private WeightStore store() {
        return holder.store();
    }

    @GET
    @Operation(summary = "List models with their versions and aliases")
    public List<ModelView> list() {
        return store().models();
    }

    @GET
    @Path("/{name}")
    @Operation(summary = "One model: versions, aliases and alias history")
    public ModelView model(@PathParam("name") String name) {
        return store().model(name);
    }

    @GET
    @Path("/{name}/versions/{version}")
    @Operation(summary = "Manifest of one version")
    public Manifest manifest(@PathParam("name") String name, @PathParam("version") String version) {
        return store().manifest(name, Names.version(version));
    }

    @GET
    @Path("/{name}/versions/{version}/shards")
    @Operation(summary = "Shard plan for ?count=N shards (cut and stored on first request)")
    public Manifest.ShardPlan shards(@PathParam("name") String name, @PathParam("version") String version,
                                     @QueryParam("count") String count) {
        return store().shardPlan(name, Names.version(version), count(count));
    }

    @POST
    @Path("/{name}/versions")
    @Consumes(MediaType.WILDCARD)
    @Operation(summary = "Upload a model file as the next version (streamed to disk; at most tern.store.max-upload-bytes,"
            + " else 413; ?source=gguf|auto, ?filename=, ?alias=)")
    public Response upload(@PathParam("name") String name, @QueryParam("source") String source,
                           @QueryParam("filename") String filename, @QueryParam("alias") String alias,
                           @HeaderParam("Content-Length") Long contentLength, InputStream body) {
        Names.model(name);
        if (alias != null) {
            Names.alias(alias);
        }
        if (source != null && !source.equals("gguf") && !source.equals("auto")) {
            throw StoreException.invalid("source '" + source + "' cannot be uploaded as one body: use 'gguf', or"
                    + " POST /v1/models/" + name + "/import with the path of a Hugging Face directory on the store's host");
        }
        InputStream capped = UploadLimit.apply(maxUploadBytes, contentLength, body);
        Manifest m = store().importStream(name, capped, contentLength == null ? -1 : contentLength, filename,
                ImportProgress.NONE);
        return created(m, alias);
    }

    @POST
    @Path("/{name}/import")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Import a file or directory on the store's host as the next version (for the CLI / launcher)")
    public Response importPath(@PathParam("name") String name, ImportRequest request) {
        Names.model(name);
        if (request == null || request.path() == null || request.path().isBlank()) {
            throw StoreException.invalid("the body must name the file or directory to import: {\"path\": \"...\"}");
        }
        if (request.alias() != null) {
            Names.alias(request.alias());
        }
        Manifest m = store().importPath(name, java.nio.file.Path.of(request.path()), ImportProgress.NONE);
        return created(m, request.alias());
    }

    private Response created(Manifest m, String alias) {
        if (alias != null) {
            store().setAlias(m.model(), alias, m.version());
        }
        return Response.created(URI.create("/v1/models/" + m.model() + "/versions/" + m.version())).entity(m).build();
    }

    @PUT
    @Path("/{name}/aliases/{alias}")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "Point an alias at a version (atomic; recorded in the alias history)")
    public AliasChange setAlias(@PathParam("name") String name, @PathParam("alias") String alias, AliasRequest request) {
        if (request == null || request.version() == null) {
            throw StoreException.invalid("the body must give the version: {\"version\": 2}");
        }
        if (request.version() < 1) {
            throw StoreException.invalid("version " + request.version() + " is not a positive integer");
        }
        return store().setAlias(name, alias, request.version());
    }

    @DELETE
    @Path("/{name}/aliases/{alias}")
    @Operation(summary = "Remove an alias")
    public AliasChange removeAlias(@PathParam("name") String name, @PathParam("alias") String alias) {
        return store().removeAlias(name, alias);
    }

    @DELETE
    @Path("/{name}/versions/{version}")
    @Operation(summary = "Delete a version (refused with 409 while an alias points at it)")
    public Response deleteVersion(@PathParam("name") String name, @PathParam("version") String version) {
        store().deleteVersion(name, Names.version(version));
        return Response.noContent().build();
    }

    private static int count(String count) {
        if (count == null) {
            throw StoreException.invalid("give the number of shards: ?count=N");
        }
        try {
            return Integer.parseInt(count);
        } catch (NumberFormatException e) {
            throw StoreException.invalid("shard count '" + count + "' is not a number");
        }
    }
}
