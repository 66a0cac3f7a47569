package io.tern.store.rest;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Every write (POST, PUT, DELETE) needs {@code Authorization: Bearer <tern.store.admin-token>}; reads need it too
 * when {@code tern.store.read-auth=true}. Without a configured admin token all writes are refused.
 */
public class AccessFilter {

    @ConfigProperty(name = "tern.store.admin-token")
    Optional<String> adminToken;

    @ConfigProperty(name = "tern.store.read-auth", defaultValue = "false")
    boolean readAuth;

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        String method = request.getMethod();
        boolean write = !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
        if (!write && !readAuth) {
            return Optional.empty();
        }
        return BearerToken.problem(request.getHeaderString("Authorization"), adminToken, write ? "writes" : "reads")
                .map(p -> Response.status(p.status()).type(MediaType.APPLICATION_JSON)
                        .header("WWW-Authenticate", "Bearer realm=\"tern-weight-store\"")
                        .entity(new ErrorBody("unauthenticated", p.message())).build());
    }
}
