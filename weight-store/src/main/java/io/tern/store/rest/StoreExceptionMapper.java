package io.tern.store.rest;

import io.tern.store.core.StoreException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Store errors → HTTP statuses with an {@link ErrorBody}. */
public class StoreExceptionMapper {
    private static final Logger LOG = Logger.getLogger(StoreExceptionMapper.class);

    @ServerExceptionMapper
    public Response map(StoreException e) {
        int status = switch (e.kind()) {
            case INVALID -> 400;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case TOO_LARGE -> 413;
            case NO_SPACE -> 507;
            case UNAVAILABLE -> 503;
            case CORRUPT, INTERNAL -> 500;
        };
        if (status >= 500) {
            LOG.errorf(e, "%s", e.getMessage());
        }
        return Response.status(status).type(MediaType.APPLICATION_JSON)
                .entity(new ErrorBody(e.kind().name().toLowerCase(java.util.Locale.ROOT), e.getMessage())).build();
    }
}
