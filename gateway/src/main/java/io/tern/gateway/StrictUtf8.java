package io.tern.gateway;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/** Decodes UTF-8 and refuses malformed bytes (a prompt with invalid UTF-8 is a bad request, not U+FFFD). */
final class StrictUtf8 {

    private StrictUtf8() {
    }

    static String decode(byte[] bytes, String what) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw GatewayException.invalid(what, what + " is not valid UTF-8 (" + e.getMessage() + ")");
        }
    }
}
