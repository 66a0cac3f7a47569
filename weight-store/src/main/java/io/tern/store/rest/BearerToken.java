package io.tern.store.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/** Checks an Authorization header against the admin token (constant-time compare). */
public final class BearerToken {

    /** Why access is refused: 401 when no usable credentials were given, 403 when the token is wrong. */
    public record Problem(int status, String message) {
    }

    private BearerToken() {
    }

    public static Optional<Problem> problem(String header, Optional<String> adminToken, String what) {
        if (adminToken.isEmpty() || adminToken.get().isBlank()) {
            return Optional.of(new Problem(401, what + " are refused: the server has no admin token configured"
                    + " (set tern.store.admin-token)"));
        }
        if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(new Problem(401, what + " need 'Authorization: Bearer <admin token>'"));
        }
        byte[] given = header.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(given, adminToken.get().getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(new Problem(403, "the bearer token is not the admin token"));
        }
        return Optional.empty();
    }
}
